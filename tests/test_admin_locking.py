"""No lost updates: a change form saved after someone else's save is refused field by field."""

import pytest
from bs4 import BeautifulSoup
from django.test import Client
from django.urls import reverse

from platforms.models import Cell, ComparisonPage, Level, Platform
from sitecontent.models import Article

from .conftest import form_fields


@pytest.fixture
def second_client(staff_user, django_user_model):
    other = django_user_model.objects.create_superuser("deputy", "deputy@example.org", "pw-2")
    client = Client()
    client.force_login(other)
    return client


def open_form(client, url):
    return form_fields(client.get(url).content, "#content-main form")


def test_second_save_of_the_same_field_is_refused_and_both_values_are_shown(
    seeded, staff_client, second_client
):
    platform = Platform.objects.get(slug="telegram")
    url = reverse("admin:platforms_platform_change", args=[platform.pk])
    mine, theirs = open_form(staff_client, url), open_form(second_client, url)
    theirs["parent_company"] = "Their company"
    assert second_client.post(url, theirs).status_code == 302
    mine["parent_company"] = "My company"
    response = staff_client.post(url, mine)
    assert response.status_code == 200
    platform.refresh_from_db()
    assert platform.parent_company == "Their company"
    panel = BeautifulSoup(response.content, "html.parser").select_one(".edit-conflicts")
    text = panel.get_text(" ")
    assert "My company" in text and "Their company" in text and "deputy" in text
    # The form still holds my value, so nothing typed is lost.
    assert 'value="My company"' in response.content.decode()


def test_keep_mine_after_a_conflict_saves_mine(seeded, staff_client, second_client):
    platform = Platform.objects.get(slug="telegram")
    url = reverse("admin:platforms_platform_change", args=[platform.pk])
    mine, theirs = open_form(staff_client, url), open_form(second_client, url)
    theirs["parent_company"] = "Their company"
    second_client.post(url, theirs)
    mine["parent_company"] = "My company"
    again = form_fields(staff_client.post(url, mine).content, "#content-main form")
    assert again["_resolve_parent_company"] == "mine"
    assert staff_client.post(url, again).status_code == 302
    platform.refresh_from_db()
    assert platform.parent_company == "My company"


def test_take_theirs_after_a_conflict_keeps_theirs(seeded, staff_client, second_client):
    page = ComparisonPage.objects.get(permalink="/Partnerships/")
    url = reverse("admin:platforms_comparisonpage_change", args=[page.pk])
    mine, theirs = open_form(staff_client, url), open_form(second_client, url)
    theirs["description"] = "Theirs."
    second_client.post(url, theirs)
    mine["description"] = "Mine."
    again = form_fields(staff_client.post(url, mine).content, "#content-main form")
    again["_resolve_description"] = "theirs"
    assert staff_client.post(url, again).status_code == 302
    page.refresh_from_db()
    assert page.description == "Theirs."


def test_merge_after_a_conflict_offers_both_texts_and_saves_the_merge(
    seeded, staff_client, second_client
):
    page = ComparisonPage.objects.get(permalink="/Partnerships/")
    url = reverse("admin:platforms_comparisonpage_change", args=[page.pk])
    mine, theirs = open_form(staff_client, url), open_form(second_client, url)
    theirs["intro"] = "Their intro paragraph."
    second_client.post(url, theirs)
    mine["intro"] = "My intro paragraph."
    again = form_fields(staff_client.post(url, mine).content, "#content-main form")
    merged = again["_merge_intro"]
    assert "My intro paragraph." in merged and "Their intro paragraph." in merged
    again["_resolve_intro"] = "merge"
    again["_merge_intro"] = "My intro paragraph. Their intro paragraph."
    assert staff_client.post(url, again).status_code == 302
    page.refresh_from_db()
    assert page.intro == "My intro paragraph. Their intro paragraph."
    assert "My intro paragraph. Their intro paragraph." in staff_client.get(page.permalink).text


def test_a_field_only_the_other_editor_changed_is_kept_not_overwritten(
    seeded, staff_client, second_client
):
    article = Article.objects.get()
    url = reverse("admin:sitecontent_article_change", args=[article.pk])
    mine, theirs = open_form(staff_client, url), open_form(second_client, url)
    theirs["subtitle"] = "Their subtitle"
    second_client.post(url, theirs)
    mine["author"] = "My Name"
    assert staff_client.post(url, mine).status_code == 302
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


def test_a_cells_source_changed_meanwhile_is_refused_with_their_value(
    seeded, staff_client, second_client
):
    from platforms.models import CellSource

    cell = Cell.objects.filter(level=Level.FULL).first()
    source = CellSource.objects.create(cell=cell, url="https://example.org/a", title="First")
    url = reverse("admin:platforms_cell_change", args=[cell.pk])
    mine, theirs = open_form(staff_client, url), open_form(second_client, url)
    assert mine["sources-0-loaded_version"]
    theirs["sources-0-title"] = "Their title"
    assert second_client.post(url, theirs).status_code == 302
    mine["sources-0-title"] = "My title"
    response = staff_client.post(url, mine)
    assert response.status_code == 200
    assert (
        "Their title"
        in BeautifulSoup(response.content, "html.parser").select_one(".errorlist").get_text()
    )
    source.refresh_from_db()
    assert source.title == "Their title"
    # Saving again keeps mine: the form now carries the version it was shown with.
    again = form_fields(response.content, "#content-main form")
    assert staff_client.post(url, again).status_code == 302
    source.refresh_from_db()
    assert source.title == "My title"
