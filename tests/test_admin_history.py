"""History in editors' words, and reverting a cell with its sources and review date."""

import datetime

from bs4 import BeautifulSoup
from django.urls import reverse

from platforms.models import Cell, CellSource, Level

from .conftest import form_fields


def levelled_cell():
    return (
        Cell.objects.filter(level=Level.FULL)
        .select_related("capability__table__page", "row__platform")
        .first()
    )


def edit_cell(client, cell, **changes):
    url = reverse("admin:platforms_cell_change", args=[cell.pk])
    data = form_fields(client.get(url).content, "#content-main form")
    data.update(changes)
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]


def test_history_uses_labels_names_the_table_and_has_no_empty_columns(seeded, staff_client):
    cell = levelled_cell()
    edit_cell(staff_client, cell, level=Level.NONE)
    html = staff_client.get(reverse("admin:platforms_cell_history", args=[cell.pk])).content
    soup = BeautifulSoup(html, "lxml")
    text = " ".join(soup.select_one("#content").get_text(" ").split())
    assert "Full support → No support" in text
    assert "full → none" not in text
    headers = [th.get_text(strip=True) for th in soup.select("#change-history thead th")]
    assert "Change reason" not in headers and "Reason" not in headers
    assert "None" not in [td.get_text(strip=True) for td in soup.select("#change-history td")]
    table = cell.capability.table
    assert table.title in text and table.page.title in text
    assert "chief" in text


def test_the_reason_column_shows_once_someone_gave_a_reason(seeded, staff_client):
    cell = levelled_cell()
    edit_cell(staff_client, cell, level=Level.NONE)
    cell.history.filter(history_change_reason=None).update(history_change_reason="")
    url = reverse("admin:platforms_cell_history", args=[cell.pk])
    soup = BeautifulSoup(staff_client.get(url).content, "lxml")
    assert "Reason" not in [th.get_text(strip=True) for th in soup.select("#change-history th")]
    cell.history.filter(history_id=cell.history.latest().history_id).update(
        history_change_reason="The platform's help page changed"
    )
    soup = BeautifulSoup(staff_client.get(url).content, "lxml")
    assert "Reason" in [th.get_text(strip=True) for th in soup.select("#change-history th")]
    assert "The platform's help page changed" in soup.select_one("#change-history").get_text()


def test_a_cell_keeps_its_platform_and_capability_once_created(seeded, staff_client):
    cell = levelled_cell()
    url = reverse("admin:platforms_cell_change", args=[cell.pk])
    html = staff_client.get(url).content
    soup = BeautifulSoup(html, "lxml")
    assert soup.select_one("select[name=row]") is None
    assert soup.select_one("select[name=capability]") is None
    assert cell.capability.table.title in soup.select_one("h1").get_text()
    # Posting another row anyway changes nothing about where the claim sits.
    row_before = cell.row_id
    other_row = cell.capability.table.rows.exclude(pk=row_before).first()
    edit_cell(staff_client, cell, row=str(other_row.pk), note="Still here")
    cell.refresh_from_db()
    assert (cell.row_id, cell.note) == (row_before, "Still here")


def test_reverting_a_cell_restores_its_sources_and_review_date(seeded, staff_client):
    cell = levelled_cell()
    # Sources and a review date given on the cell's page, as an editor would.
    edit_cell(
        staff_client,
        cell,
        last_reviewed="2025-06-01",
        **{
            "sources-0-url": "https://example.org/faq",
            "sources-0-title": "The FAQ",
            "sources-0-accessed": "2025-05-30",
            "sources-0-order": "0",
        },
    )
    edit_cell(
        staff_client,
        cell,
        **{
            "sources-TOTAL_FORMS": "3",
            "sources-2-url": "https://example.org/blog",
            "sources-2-order": "1",
        },
    )
    sources_before = [
        ("https://example.org/faq", "The FAQ", datetime.date(2025, 5, 30)),
        ("https://example.org/blog", "", None),
    ]
    reviewed_before = datetime.date(2025, 6, 1)
    cell.refresh_from_db()
    assert [(s.url, s.title, s.accessed) for s in cell.sources.all()] == sources_before
    version = cell.history.latest("history_date")

    # An editor changes the note and review date and replaces every source.
    edit_cell(staff_client, cell, note="Rewritten", last_reviewed="2020-01-02")
    cell.refresh_from_db()
    cell.replace_sources([("https://example.org/new", "A new source", None)])
    cell.save()
    assert cell.last_reviewed == datetime.date(2020, 1, 2)

    revert_url = reverse("admin:platforms_cell_simple_history", args=[cell.pk, version.pk])
    page = staff_client.get(revert_url)
    shown = BeautifulSoup(page.content, "lxml").select_one(".sources-then").get_text(" ")
    assert sources_before[0][0] in page.content.decode() or sources_before[0][1] in shown
    data = form_fields(page.content, "#content-main form")
    assert staff_client.post(revert_url, data).status_code == 302

    cell.refresh_from_db()
    assert [(s.url, s.title, s.accessed) for s in cell.sources.all()] == sources_before
    assert cell.last_reviewed == reviewed_before
    assert not CellSource.objects.filter(url="https://example.org/new").exists()
    public = staff_client.get(cell.capability.table.page.permalink).content.decode()
    assert sources_before[0][0] in public and "https://example.org/new" not in public
