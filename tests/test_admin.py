"""Editors in the Django admin: every screen loads, the grid editor saves all or nothing."""

import pytest
from bs4 import BeautifulSoup
from django.apps import apps
from django.contrib.admin.sites import site as admin_site
from django.urls import reverse
from PIL import Image

from platforms.models import Cell, ComparisonTable, Level

from .conftest import grid_post_data, png_bytes


def admin_models():
    return [model for model in apps.get_models() if admin_site.is_registered(model)]


@pytest.mark.parametrize("model", admin_models(), ids=lambda m: m._meta.label)
def test_every_admin_list_add_and_change_page_loads_for_staff(seeded, staff_client, model):
    opts = model._meta
    base = f"admin:{opts.app_label}_{opts.model_name}"
    assert staff_client.get(reverse(f"{base}_changelist")).status_code == 200
    assert staff_client.get(reverse(f"{base}_changelist"), {"q": "a"}).status_code == 200
    add = staff_client.get(reverse(f"{base}_add"))
    # Some models (axes' logs) are read-only by design: their add page is refused.
    assert add.status_code == (
        200 if admin_site.get_model_admin(model).has_add_permission(add.wsgi_request) else 403
    )
    obj = model.objects.first()
    if obj is not None:
        response = staff_client.get(reverse(f"{base}_change", args=[obj.pk]))
        assert response.status_code == 200
        assert staff_client.get(reverse(f"{base}_history", args=[obj.pk])).status_code == 200


def test_admin_home_lists_comparison_pages_platforms_and_articles_first(seeded, staff_client):
    html = staff_client.get(reverse("admin:index")).content.decode()
    soup = BeautifulSoup(html, "lxml")
    names = [a.get_text(strip=True) for a in soup.select("#content-main th[scope=row] a")]
    assert names[:3] == ["Comparison pages", "Platforms", "Articles"]
    assert "Users" in names and "Cells" in names


def test_view_on_site_links_point_at_public_pages(seeded, staff_client):
    table = ComparisonTable.objects.get(page__permalink="/Personalized-Engagement/")
    response = staff_client.get(
        reverse("admin:platforms_comparisonpage_change", args=[table.page.pk])
    )
    assert b"View on site" in response.content


def test_article_body_uses_the_markdownx_editor(seeded, staff_client):
    from sitecontent.models import Article

    article = Article.objects.get()
    html = staff_client.get(reverse("admin:sitecontent_article_change", args=[article.pk])).content
    soup = BeautifulSoup(html, "lxml")
    assert soup.select_one("textarea[name=body].markdownx-editor") is not None
    assert soup.select_one(".markdownx-preview") is not None


def test_grid_editor_changes_many_cells_in_one_post(seeded, staff_client):
    table = ComparisonTable.objects.get(page__permalink="/Personalized-Engagement/")
    cells = list(Cell.objects.filter(capability__table=table)[:2])
    data = grid_post_data(table, staff_client)
    for cell in cells:
        prefix = f"cell-{cell.capability_id}-{cell.row_id}"
        data[f"{prefix}-level"] = Level.NONE
        data[f"{prefix}-note"] = f"Changed note for {cell.platform}"
    url = reverse("admin:platforms_comparisontable_grid", args=[table.pk])
    response = staff_client.post(url, data)
    assert response.status_code == 302
    for cell in cells:
        cell.refresh_from_db()
        assert cell.level == Level.NONE
        assert cell.note == f"Changed note for {cell.platform}"
    page = staff_client.get(table.page.permalink).content.decode()
    assert f"Changed note for {cells[0].platform}" in page


def test_grid_editor_saves_nothing_when_one_cell_is_invalid(seeded, staff_client):
    table = ComparisonTable.objects.get(page__permalink="/Personalized-Engagement/")
    first, second = Cell.objects.filter(capability__table=table)[:2]
    before = {c.pk: (c.level, c.note) for c in Cell.objects.all()}
    data = grid_post_data(table, staff_client)
    data[f"cell-{first.capability_id}-{first.row_id}-note"] = "A fine new note"
    # Partial support without a note is refused.
    data[f"cell-{second.capability_id}-{second.row_id}-level"] = Level.PARTIAL
    data[f"cell-{second.capability_id}-{second.row_id}-note"] = ""
    url = reverse("admin:platforms_comparisontable_grid", args=[table.pk])
    response = staff_client.post(url, data)
    assert response.status_code == 200
    soup = BeautifulSoup(response.content, "lxml")
    bad = soup.select_one(f"td#cell-{second.capability_id}-{second.row_id}")
    assert "has-errors" in bad["class"]
    assert "needs a note" in bad.get_text()
    assert {c.pk: (c.level, c.note) for c in Cell.objects.all()} == before


def test_grid_editor_refuses_an_unknown_level(seeded, staff_client):
    table = ComparisonTable.objects.get(page__permalink="/Personalized-Engagement/")
    cell = Cell.objects.filter(capability__table=table).first()
    data = grid_post_data(table, staff_client)
    data[f"cell-{cell.capability_id}-{cell.row_id}-level"] = "excellent"
    url = reverse("admin:platforms_comparisontable_grid", args=[table.pk])
    assert staff_client.post(url, data).status_code == 200
    cell_after = Cell.objects.get(pk=cell.pk)
    assert cell_after.level == cell.level


def test_grid_editor_adds_a_row_and_a_column_and_reorders(seeded, staff_client):
    from platforms.models import Platform

    table = ComparisonTable.objects.get(page__permalink="/Personalized-Engagement/")
    newcomer = Platform.objects.create(name="Bluesky", slug="bluesky", order=99)
    data = grid_post_data(table, staff_client)
    data["add-row-platform"] = str(newcomer.pk)
    data["add-row-label"] = "Bluesky (AT)"
    data["add-column-name"] = "Custom Feeds"
    last_row = table.rows.order_by("-order").first()
    data[f"row-{last_row.pk}-order"] = "0"
    first_row = table.rows.order_by("order").first()
    data[f"row-{first_row.pk}-order"] = "50"
    url = reverse("admin:platforms_comparisontable_grid", args=[table.pk])
    assert staff_client.post(url, data).status_code == 302
    page = BeautifulSoup(staff_client.get(table.page.permalink).content, "lxml")
    headers = [th.get_text(strip=True) for th in page.select("table thead th")]
    assert headers[-1] == "Custom Feeds"
    row_labels = [th.get_text(strip=True) for th in page.select("table tbody th[scope=row]")]
    assert row_labels[0] == last_row.display_label
    assert row_labels[-1] == "Bluesky (AT)"
    assert not Cell.objects.filter(row__platform=newcomer).exists()  # new rows start empty


def upload(client, name, content, content_type):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(
        "/markdownx/upload/",
        {"image": SimpleUploadedFile(name, content, content_type=content_type)},
        headers={"x-requested-with": "XMLHttpRequest"},
    )


@pytest.mark.django_db
def test_markdownx_endpoints_refuse_anonymous_users(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    preview = client.post("/markdownx/markdownify/", {"content": "**hi**"})
    assert preview.status_code in (302, 403)
    assert b"<strong>" not in preview.content
    response = upload(client, "a.png", png_bytes(), "image/png")
    assert response.status_code in (302, 403)
    assert not any(tmp_path.rglob("*.*"))


def test_markdownx_upload_accepts_a_real_png_for_staff(staff_client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    response = upload(staff_client, "photo.gif", png_bytes(), "image/png")
    assert response.status_code == 200
    stored = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert len(stored) == 1 and stored[0].suffix == ".png"
    assert stored[0].name in response.json()["image_code"]
    assert Image.open(stored[0]).format == "PNG"


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("evil.html", b"<html><script>alert(1)</script></html>", "image/gif"),
        ("evil.png", b"<html><script>alert(1)</script></html>", "image/png"),
        (
            "logo.svg",
            b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
            "image/svg+xml",
        ),
        ("anim.gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "image/gif"),
    ],
)
def test_markdownx_upload_refuses_anything_but_jpeg_or_png(
    staff_client, settings, tmp_path, name, content, content_type
):
    settings.MEDIA_ROOT = tmp_path
    response = upload(staff_client, name, content, content_type)
    assert response.status_code == 400
    assert not [p for p in tmp_path.rglob("*") if p.is_file()]


def test_markdownx_upload_needs_the_upload_permission(
    client, django_user_model, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    helper = django_user_model.objects.create_user("helper", password="pw-helper-1", is_staff=True)
    client.force_login(helper)
    assert upload(client, "a.png", png_bytes(), "image/png").status_code == 403
    assert not [p for p in tmp_path.rglob("*") if p.is_file()]
