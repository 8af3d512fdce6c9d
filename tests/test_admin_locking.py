"""No lost updates: a change form saved after someone else's save is refused field by field."""

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse

from platforms.models import (
    Capability,
    Cell,
    CellSource,
    ComparisonPage,
    ComparisonTable,
    Level,
    Platform,
)
from sitecontent.models import Article

from .conftest import form_fields, save_after_someone_else

FORM = "#content-main form"


def open_form(client, url):
    return form_fields(client.get(url).content, FORM)


def conflict(url, staff_client, second_editor, *, mine, theirs):
    return save_after_someone_else(
        url, staff_client, second_editor, my_changes=mine, their_changes=theirs, selector=FORM
    )


def test_second_save_of_the_same_field_is_refused_and_both_values_are_shown(
    seeded, staff_client, second_editor
):
    platform = Platform.objects.get(slug="telegram")
    url = reverse("admin:platforms_platform_change", args=[platform.pk])
    response = conflict(
        url,
        staff_client,
        second_editor,
        mine={"parent_company": "My company"},
        theirs={"parent_company": "Their company"},
    )
    assert response.status_code == 200
    platform.refresh_from_db()
    assert platform.parent_company == "Their company"
    panel = BeautifulSoup(response.content, "lxml").select_one(".edit-conflicts")
    text = panel.get_text(" ")
    assert "My company" in text and "Their company" in text and "deputy" in text
    # The form still holds my value, so nothing typed is lost.
    assert 'value="My company"' in response.content.decode()


def test_keep_mine_after_a_conflict_saves_mine(seeded, staff_client, second_editor):
    platform = Platform.objects.get(slug="telegram")
    url = reverse("admin:platforms_platform_change", args=[platform.pk])
    mine, theirs = {"parent_company": "My company"}, {"parent_company": "Their company"}
    again = form_fields(
        conflict(url, staff_client, second_editor, mine=mine, theirs=theirs).content, FORM
    )
    assert again["_resolve_parent_company"] == "mine"
    assert staff_client.post(url, again).status_code == 302
    platform.refresh_from_db()
    assert platform.parent_company == "My company"


def test_take_theirs_after_a_conflict_keeps_theirs(seeded, staff_client, second_editor):
    page = ComparisonPage.objects.get(permalink="/Partnerships/")
    url = reverse("admin:platforms_comparisonpage_change", args=[page.pk])
    mine, theirs = {"description": "Mine."}, {"description": "Theirs."}
    again = form_fields(
        conflict(url, staff_client, second_editor, mine=mine, theirs=theirs).content, FORM
    )
    again["_resolve_description"] = "theirs"
    assert staff_client.post(url, again).status_code == 302
    page.refresh_from_db()
    assert page.description == "Theirs."


def test_merge_after_a_conflict_offers_both_texts_and_saves_the_merge(
    seeded, staff_client, second_editor
):
    page = ComparisonPage.objects.get(permalink="/Partnerships/")
    url = reverse("admin:platforms_comparisonpage_change", args=[page.pk])
    mine, theirs = {"intro": "My intro paragraph."}, {"intro": "Their intro paragraph."}
    again = form_fields(
        conflict(url, staff_client, second_editor, mine=mine, theirs=theirs).content, FORM
    )
    merged = again["_merge_intro"]
    assert "My intro paragraph." in merged and "Their intro paragraph." in merged
    again["_resolve_intro"] = "merge"
    again["_merge_intro"] = "My intro paragraph. Their intro paragraph."
    assert staff_client.post(url, again).status_code == 302
    page.refresh_from_db()
    assert page.intro == "My intro paragraph. Their intro paragraph."
    assert "My intro paragraph. Their intro paragraph." in staff_client.get(page.permalink).text


def test_a_field_only_the_other_editor_changed_is_kept_not_overwritten(
    seeded, staff_client, second_editor
):
    article = Article.objects.get()
    url = reverse("admin:sitecontent_article_change", args=[article.pk])
    mine, theirs = {"author": "My Name"}, {"subtitle": "Their subtitle"}
    assert conflict(url, staff_client, second_editor, mine=mine, theirs=theirs).status_code == 302
    article.refresh_from_db()
    assert (article.subtitle, article.author) == ("Their subtitle", "My Name")


def test_a_damaged_version_mark_is_a_clear_error_and_saves_nothing(seeded, staff_client):
    cell = Cell.objects.filter(level=Level.FULL).first()
    url = reverse("admin:platforms_cell_change", args=[cell.pk])
    data = open_form(staff_client, url)
    data["note"] = "Tampered"
    data["loaded_version"] = "garbage"
    response = staff_client.post(url, data)
    assert response.status_code == 200
    assert "version mark is damaged" in response.content.decode()
    cell.refresh_from_db()
    assert cell.note != "Tampered"


def test_every_change_form_carries_its_version(seeded, staff_client):
    for obj in [Platform.objects.first(), ComparisonPage.objects.first(), Article.objects.get()]:
        opts = obj._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
        assert open_form(staff_client, url)["loaded_version"]


def test_a_cells_source_changed_meanwhile_is_refused_alone_and_offered_with_both_values(
    seeded, staff_client, second_editor
):
    cell = Cell.objects.filter(level=Level.FULL).first()
    source = CellSource.objects.create(cell=cell, url="https://example.org/a", title="First")
    url = reverse("admin:platforms_cell_change", args=[cell.pk])
    assert open_form(staff_client, url)["sources-0-loaded_version"]
    response = conflict(
        url,
        staff_client,
        second_editor,
        mine={"sources-0-title": "My title", "note": "My note on the cell"},
        theirs={"sources-0-title": "Their title", "sources-0-url": "https://example.org/b"},
    )
    assert response.status_code == 200
    # The source is refused; the cell's own change, in the same post, is saved.
    source.refresh_from_db()
    cell.refresh_from_db()
    assert (source.title, cell.note) == ("Their title", "My note on the cell")
    panel = BeautifulSoup(response.content, "lxml").select_one(".edit-conflicts")
    text = " ".join(panel.get_text(" ").split())
    assert "source 1" in text and "My title" in text and "Their title" in text
    assert "deputy" in text
    # The row still holds my title, and keeping mine saves it.
    again = form_fields(response.content, FORM)
    assert (again["sources-0-title"], again["sources-0-_resolve_title"]) == ("My title", "mine")
    assert staff_client.post(url, again).status_code == 302
    source.refresh_from_db()
    # The address only they changed stays theirs.
    assert (source.title, source.url) == ("My title", "https://example.org/b")


@pytest.mark.parametrize(
    ("choice", "merged", "expected"),
    [
        ("mine", None, "My description"),
        ("theirs", None, "Their description"),
        ("merge", "Both descriptions", "Both descriptions"),
    ],
)
def test_after_an_inline_row_conflict_keep_mine_take_theirs_or_merge(
    seeded, staff_client, second_editor, choice, merged, expected
):
    table = ComparisonTable.objects.get(page__permalink="/Personalized-Engagement/")
    first, second = table.capabilities.order_by("order")[:2]
    columns = table.capabilities.count()
    url = reverse("admin:platforms_comparisontable_change", args=[table.pk])
    row = "capabilities-0"
    assert open_form(staff_client, url)[f"{row}-id"] == str(first.pk)
    response = conflict(
        url,
        staff_client,
        second_editor,
        mine={
            f"{row}-description": "My description",
            "capabilities-1-name": "My renamed column",
            "section_heading": "My heading",
        },
        theirs={f"{row}-description": "Their description"},
    )
    assert response.status_code == 200
    first.refresh_from_db()
    second.refresh_from_db()
    table.refresh_from_db()
    assert first.description == "Their description"
    assert (second.name, table.section_heading) == ("My renamed column", "My heading")
    soup = BeautifulSoup(response.content, "lxml")
    legend = soup.select_one(".edit-conflicts legend").get_text(" ", strip=True)
    assert legend.startswith("Capability 1") and "Description" in legend
    box = soup.select_one(f'textarea[name="{row}-_merge_description"]').get_text()
    assert "My description" in box and "Their description" in box

    again = form_fields(response.content, FORM)
    again[f"{row}-_resolve_description"] = choice
    if merged:
        again[f"{row}-_merge_description"] = merged
    assert staff_client.post(url, again).status_code == 302
    first.refresh_from_db()
    assert first.description == expected
    assert Capability.objects.filter(table=table).count() == columns  # no row saved twice


def test_a_change_form_posted_without_its_version_saves_nothing(seeded, staff_client):
    cell = Cell.objects.filter(level=Level.FULL).first()
    url = reverse("admin:platforms_cell_change", args=[cell.pk])
    data = open_form(staff_client, url)
    del data["loaded_version"]
    data["note"] = "Posted without a version"
    response = staff_client.post(url, data)
    assert response.status_code == 200
    assert "version mark is damaged or missing" in response.content.decode()
    cell.refresh_from_db()
    assert cell.note != "Posted without a version"


def test_deleting_an_inline_row_someone_just_corrected_keeps_the_correction(
    seeded, staff_client, second_editor
):
    cell = Cell.objects.filter(level=Level.FULL).first()
    source = CellSource.objects.create(cell=cell, url="https://example.org/a", title="Typo")
    url = reverse("admin:platforms_cell_change", args=[cell.pk])
    response = conflict(
        url,
        staff_client,
        second_editor,
        mine={"sources-0-DELETE": "on"},
        theirs={"sources-0-title": "Corrected"},
    )
    assert response.status_code == 200
    source.refresh_from_db()
    assert source.title == "Corrected"
    panel = BeautifulSoup(response.content, "lxml").select_one(".edit-conflicts")
    assert "Not deleted" in panel.get_text(" ") and "Corrected" in panel.get_text(" ")
    # The row now shows their version; deleting it again deletes it.
    again = form_fields(response.content, FORM)
    assert again["sources-0-title"] == "Corrected" and "sources-0-DELETE" not in again
    again["sources-0-DELETE"] = "on"
    assert staff_client.post(url, again).status_code == 302
    assert not CellSource.objects.filter(pk=source.pk).exists()


def test_an_edit_to_an_inline_row_deleted_meanwhile_says_so_and_saves_nothing(seeded, staff_client):
    cell = Cell.objects.filter(level=Level.FULL).first()
    source = CellSource.objects.create(cell=cell, url="https://example.org/a", title="Theirs")
    url = reverse("admin:platforms_cell_change", args=[cell.pk])
    data = open_form(staff_client, url)
    source.delete()  # by someone else, after this page was opened
    data.update({"sources-0-title": "My correction", "note": "My note"})
    response = staff_client.post(url, data)
    assert response.status_code == 200
    assert "Someone else deleted a cell source after you opened this page" in response.text
    cell.refresh_from_db()
    assert cell.note != "My note" and not cell.sources.exists()
