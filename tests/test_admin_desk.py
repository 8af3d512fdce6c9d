"""The review desk: what needs attention, bulk review and bulk sourcing from the cell list, the
counts visitors see, and the small editor fixes of issue 17 (revert's return, Recent actions,
a report beside its claim, the About page's promises)."""

import re

import pytest
from bs4 import BeautifulSoup
from django.contrib.admin.models import LogEntry
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from platforms.models import Cell, ClaimReport, ComparisonTable

from .conftest import form_fields, grid_post_data

PE = "/Personalized-Engagement/"
CELLS = reverse("admin:platforms_cell_changelist")


@pytest.fixture
def visitor():
    """A browser that is not signed in (`client` is the staff's own)."""
    return Client()


@pytest.fixture
def table(seeded):
    return ComparisonTable.objects.get(page__permalink=PE)


def desk(client):
    """{label: (count, link)} of "Needs attention" on the admin home."""
    soup = BeautifulSoup(client.get(reverse("admin:index")).content, "lxml")
    return {
        row.th.get_text(strip=True): (row.td.get_text(strip=True), row.th.a["href"])
        for row in soup.select("#needs-attention tr")
    }


def listed(client, url):
    """The ids the admin cell list at `url` shows (its first page)."""
    soup = BeautifulSoup(client.get(url).content, "lxml")
    return {int(box["value"]) for box in soup.select("#result_list input[name=_selected_action]")}


def recent_actions(client):
    """Each line of "Recent actions" on the admin home (the last 10), as words."""
    soup = BeautifulSoup(client.get(reverse("admin:index")).content, "lxml")
    return [" ".join(li.get_text(" ").split()) for li in soup.select("#recent-actions-module li")]


def counts_line(client, permalink):
    """The public page's sentence on sources and reviews, as words."""
    soup = BeautifulSoup(client.get(permalink).content, "lxml")
    return " ".join(soup.select_one(".claim-counts").get_text(" ").split())


def act_on_table(client, table, action, **extra):
    """Run `action` on every cell the cell list shows filtered to `table` ("select all")."""
    url = f"{CELLS}?capability__table__id__exact={table.pk}"
    first = Cell.objects.filter(capability__table=table).first()
    data = {"action": action, "select_across": "1", "index": "0", "_selected_action": first.pk}
    return client.post(url, {**data, **extra})


def test_never_reviewed_claims_need_attention_and_link_to_exactly_them(seeded, staff_client):
    never = list(Cell.objects.claims().values_list("pk", flat=True)[:3])
    Cell.objects.claims().exclude(pk__in=never).update(last_reviewed=timezone.localdate())

    count, url = desk(staff_client)["Claims never reviewed"]
    assert count == "3"
    assert listed(staff_client, url) == set(never)
    assert desk(staff_client)["Claims last reviewed over 1 year ago"][0] == "none"


def test_mark_a_table_reviewed_in_one_action(table, staff_client, visitor, staff_user):
    claims = Cell.objects.claims().filter(capability__table=table)
    before = int(desk(staff_client)["Claims never reviewed"][0])
    assert "0 carry a review date" in counts_line(visitor, PE)  # also cached now

    n = claims.count()
    response = act_on_table(staff_client, table, "mark_reviewed_today")
    assert response.status_code == 302
    assert f"Marked {claims.count()} claim(s) reviewed today" in staff_client.get(CELLS).text

    today = timezone.localdate()
    assert set(claims.values_list("last_reviewed", flat=True)) == {today}
    # Empty cells say nothing, so there is nothing to review.
    assert not Cell.objects.filter(capability__table=table, level="", note="").exclude(
        last_reviewed=None
    )
    record = claims.first().history.latest("history_date")
    assert record.history_user == staff_user
    assert record.history_change_reason == f"Bulk: marked reviewed {today}"
    assert int(desk(staff_client)["Claims never reviewed"][0]) == before - claims.count()
    message = f"Marked reviewed {today}"
    assert LogEntry.objects.filter(change_message=message).count() == LogEntry.objects.count() == n
    assert {line.partition(" Cell: ")[2] for line in recent_actions(staff_client)} == {message}
    line = counts_line(visitor, PE)
    assert f"{claims.count()} carry a review date, {claims.count()} of them since" in line


def test_add_one_source_to_a_table_asks_for_it_checks_it_and_records_it(
    table, staff_client, visitor
):
    claims = Cell.objects.claims().filter(capability__table=table)
    total = Cell.objects.claims().count()
    assert desk(staff_client)["Claims without any source"][0] == str(total)
    n = claims.count()
    assert counts_line(visitor, PE).startswith(f"0 of {n} claims on this page cite a source")

    form_page = act_on_table(staff_client, table, "add_source")
    assert form_page.status_code == 200
    assert f"Add this source to {claims.count()} claims" in form_page.text
    data = form_fields(form_page.content, "#content-main form")
    assert data["action"] == "add_source" and data["select_across"] == "1"

    bad = staff_client.post(
        f"{CELLS}?capability__table__id__exact={table.pk}",
        {**data, "source-url": "not a link", "apply": "1"},
    )
    assert bad.status_code == 200 and "Enter a valid URL" in bad.text
    assert not Cell.objects.filter(sources__isnull=False).exists()

    source = {"source-url": "https://example.org/report", "source-title": "The report"}
    done = staff_client.post(
        f"{CELLS}?capability__table__id__exact={table.pk}",
        {**data, **source, "source-accessed": "2026-11-30", "apply": "1"},
    )
    assert done.status_code == 302
    assert claims.filter(sources__url="https://example.org/report").count() == claims.count()
    cell = claims.first()
    assert cell.history.latest("history_date").history_change_reason == (
        "Bulk: added the source The report"
    )
    message = "Added source https://example.org/report"
    assert LogEntry.objects.filter(change_message=message).count() == LogEntry.objects.count() == n
    assert {line.partition(" Cell: ")[2] for line in recent_actions(staff_client)} == {message}
    count = desk(staff_client)["Claims without any source"][0]
    assert count == str(total - claims.count())
    line = counts_line(visitor, PE)
    assert line.startswith(f"{n} of {n} claims on this page cite a source")
    assert "https://example.org/report" in visitor.get(PE).text

    # Reverting a cell to its version before the action takes the source away again.
    version = cell.history.order_by("-history_date")[1]
    revert = reverse("admin:platforms_cell_simple_history", args=[cell.pk, version.pk])
    staff_client.post(revert, form_fields(staff_client.get(revert).content, "#content-main form"))
    assert not cell.sources.exists()


def test_column_filter_offers_the_chosen_tables_columns(table, staff_client):
    column = table.capabilities.first()
    url = f"{CELLS}?capability__table__id__exact={table.pk}"
    page = staff_client.get(url).text
    assert f"capability__id__exact={column.pk}" in page
    shown = listed(staff_client, f"{url}&capability__id__exact={column.pk}")
    assert shown == set(column.cells.values_list("pk", flat=True))


def test_revert_from_the_grid_returns_to_the_grid(table, staff_client):
    grid = reverse("admin:platforms_comparisontable_grid", args=[table.pk])
    cell = Cell.objects.claims().filter(capability__table=table).first()
    cell.note = "Changed once"
    cell.save()
    opened = staff_client.get(grid, {"cell": f"cell-{cell.capability_id}-{cell.row_id}"})
    soup = BeautifulSoup(opened.content, "lxml")  # the cell, opened from the grid
    history = soup.select_one(f'a.cell-history[href^="{CELLS}{cell.pk}/history/"]')["href"]
    soup = BeautifulSoup(staff_client.get(history).content, "lxml")
    revert = soup.select("#change-history tbody th a")[-1]["href"]  # the first version

    data = form_fields(staff_client.get(revert).content, "#content-main form")
    response = staff_client.post(revert, data)
    assert response.status_code == 302 and response["Location"] == grid
    cell.refresh_from_db()
    assert cell.note != "Changed once"


def test_revert_never_returns_to_another_site(table, staff_client):
    cell = Cell.objects.claims().filter(capability__table=table).first()
    version = cell.history.latest("history_date")
    revert = reverse("admin:platforms_cell_simple_history", args=[cell.pk, version.pk])
    url = f"{revert}?next=https://evil.example/"
    data = form_fields(staff_client.get(url).content, "#content-main form")
    response = staff_client.post(url, data)
    assert response.status_code == 302 and "evil" not in response["Location"]


def test_grid_saves_are_in_recent_actions_with_a_summary(table, staff_client):
    grid = reverse("admin:platforms_comparisontable_grid", args=[table.pk])
    data = grid_post_data(table, staff_client)
    level = next(n for n in data if re.fullmatch(r"cell-\d+-\d+-level", n) and data[n])
    data[level] = ""  # no level any more
    assert staff_client.post(grid, data).status_code == 302

    summary = "Changed 1 cell(s) in the grid."
    assert recent_actions(staff_client) == [f"Changed: {table} Comparison table: {summary}"]


def test_a_report_shows_the_claim_as_it_is_now(table, staff_client):
    cell = Cell.objects.claims().filter(capability__table=table).exclude(level="").first()
    cell.note = "What the page **says** today"
    cell.save()
    report = ClaimReport.objects.create(cell=cell, message="This is outdated")
    page = staff_client.get(reverse("admin:platforms_claimreport_change", args=[report.pk]))
    soup = BeautifulSoup(page.content, "lxml")
    now = " ".join(soup.select_one(".field-claim_now").get_text(" ").split())
    assert cell.get_level_display() in now and "What the page says today" in now
    assert "never reviewed" in now and "0 source(s)" in now


def test_the_about_page_promises_only_what_the_data_has(seeded, visitor):
    text = " ".join(BeautifulSoup(visitor.get("/about/").content, "lxml").get_text().split())
    assert "Every claim carries the date" not in text
    assert "Not every claim cites a source or carries a review date yet" in text
