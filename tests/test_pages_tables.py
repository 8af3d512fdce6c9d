"""Comparison tables as pages show them: platforms as columns when the document has them so,
the same anchors and links either way, and "Last updated" from the page's own content."""

import datetime

import time_machine
from bs4 import BeautifulSoup
from django.utils import timezone

from platforms.models import Cell, ComparisonPage, ComparisonTable, Orientation

PE = "/Personalized-Engagement/"


def table_of(client, url):
    soup = BeautifulSoup(client.get(url).content, "lxml")
    return soup.select_one("table.comparison-table")


def test_a_table_with_platforms_as_columns_is_shown_as_written(client, seeded):
    table = ComparisonTable.objects.get(page__permalink=PE)
    before = table_of(client, PE)
    cells_before = {td["id"]: td.get_text() for td in before.select("tbody td")}
    rows = list(table.rows.select_related("platform"))
    capabilities = list(table.capabilities.all())

    table.orientation = Orientation.PLATFORMS_AS_COLUMNS
    table.save()
    after = table_of(client, PE)

    headers = after.select("thead th")[1:]
    assert [th.a["href"] for th in headers] == [f"/platforms/{r.platform.slug}/" for r in rows]
    body_rows = after.select("tbody tr")
    assert [tr.th.get_text(strip=True) for tr in body_rows] == [c.name for c in capabilities]
    # Every claim keeps its anchor and its text, only the layout turns.
    assert {td["id"]: td.get_text() for td in after.select("tbody td")} == cells_before
    for tr, capability in zip(body_rows, capabilities, strict=True):
        assert tr.th.a["href"].endswith(f"/{table.slug}/{capability.slug}/")
        assert [td["data-label"] for td in tr.find_all("td")] == [r.display_label for r in rows]


def test_last_updated_is_the_latest_change_of_the_pages_own_content(client, seeded):
    page = ComparisonPage.objects.get(permalink=PE)
    other = ComparisonPage.objects.exclude(pk=page.pk).first()
    old = timezone.make_aware(datetime.datetime(2025, 3, 4, 12, 0))
    ComparisonPage.objects.update(updated_at=old)
    Cell.objects.update(updated_at=old)

    def shown(url):
        soup = BeautifulSoup(client.get(url).content, "lxml")
        return soup.select_one(".updated time")["datetime"]

    assert shown(PE) == "2025-03-04"
    with time_machine.travel(datetime.datetime(2026, 5, 6, 9, 0, tzinfo=datetime.UTC)):
        cell = Cell.objects.filter(capability__table__page=page).first()
        cell.note = "Changed in a test"
        cell.save()
    assert shown(PE) == "2026-05-06"
    # Another page's content does not change this one's date, nor this one the other's.
    assert shown(other.permalink) == "2025-03-04"


def test_tables_sort_and_filter_without_javascript(client, seeded):
    """?sort=<column> puts the best levels first; ?table=<slug>&rows=<words> keeps the rows
    whose name holds the words: the same as the script, for visitors without it."""
    from bs4 import BeautifulSoup

    from platforms.models import Cell, Level

    page = "/Personalized-Engagement/"
    soup = BeautifulSoup(client.get(page).content, "lxml")
    table = soup.select_one("table.levelled")
    form = table.find_previous("form", class_="table-filter")
    section = form.select_one("input[name=table]")["value"]
    column = form.select("select[name=sort] option")[3]["value"]  # a capability's column
    sorted_soup = BeautifulSoup(client.get(page, {"sort": column}).content, "lxml")
    header = sorted_soup.find(id=column)
    assert header["aria-sort"] == "ascending"
    index = header.find_parent("tr").find_all("th").index(header)
    rows = sorted_soup.select_one(f"#{section} table").select("tbody tr")
    shown = [row.find_all(["th", "td"])[index] for row in rows]
    ranks = [
        Level.rank(next((lv for lv in Level if f"level-{lv.value}" in td.get("class", [])), ""))
        for td in shown
    ]
    assert ranks == sorted(ranks) and len(set(ranks)) > 1
    assert (
        len(rows)
        == Cell.objects.filter(capability__table__slug=section).values("row").distinct().count()
    )

    name = rows[-1].th.get_text(strip=True)
    filtered = BeautifulSoup(
        client.get(page, {"table": section, "rows": name[:4].lower()}).content, "lxml"
    )
    kept = [
        row.th.get_text(strip=True)
        for row in filtered.select_one(f"#{section} table").select("tbody tr")
    ]
    assert name in kept and len(kept) < len(rows)
    assert all(name[:4].lower() in label.lower() for label in kept)
    assert f"{len(kept)} of {len(rows)} rows shown" in filtered.find(id=section).get_text()
