"""The launch comparison pages show everything their seed documents say, and nothing garbled.

The seed files are parsed independently of the importer (tests/seed_documents.py). Pages are
read with BeautifulSoup, as a visitor would see them.
"""

import re

import pytest
from bs4 import BeautifulSoup
from django.core.management import call_command
from django.db import transaction
from django.test import Client

from sitecontent.page_cache import PAGES
from tests.conftest import SEEDS_DIR, page_queries, read_seed
from tests.seed_documents import SEED_PAGE_IDS, SEED_PAGES, clean, normalise, note_text

MOJIBAKE = ("‚", "ü§", "Ä", "√", "\uf8ff")


@pytest.fixture(scope="module")
def site(django_db_setup, django_db_blocker):
    """{url: response} for every public page, from one import of the seeds for this module.

    The import and the requests run in a transaction that is rolled back, so the other tests
    still start from an empty database; the read-only tests below share these responses.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("import_markdown", str(SEEDS_DIR), verbosity=0)
        client = Client()
        responses = {url: client.get(url) for url in ["/", "/blog/", "/feed/", *SEED_PAGE_IDS]}
        blog = BeautifulSoup(responses["/blog/"].content, "lxml")
        for link in blog.select("main a[href^='/blog/']"):
            responses.setdefault(link["href"], client.get(link["href"]))
        transaction.set_rollback(True)
    PAGES.clear()
    return responses


def get_soup(site, url):
    response = site[url]
    assert response.status_code == 200, url
    return BeautifulSoup(response.content, "lxml")


def page_table(soup, caption):
    matches = [
        table
        for table in soup.select("main table")
        if table.caption and normalise(table.caption.get_text()) == caption
    ]
    assert len(matches) == 1, f"expected one table captioned {caption!r}, found {len(matches)}"
    return matches[0]


def test_the_seeds_hold_comparison_pages():
    # Guards the parametrised tests below against an empty or unreadable seed folder.
    assert len(SEED_PAGES) >= 2
    assert all(page.meta.get("permalink") for page in SEED_PAGES)
    assert any(table.levelled for page in SEED_PAGES for table in page.tables)
    assert any(not table.levelled for page in SEED_PAGES for table in page.tables)


@pytest.mark.parametrize("seed", SEED_PAGES, ids=SEED_PAGE_IDS)
def test_every_table_has_the_seed_columns_and_row_labels(site, seed):
    soup = get_soup(site, seed.meta["permalink"])
    assert len(soup.select("main table")) == len(seed.tables)
    for table in seed.tables:
        html_table = page_table(soup, table.caption)
        headers = [normalise(th.get_text()) for th in html_table.select("thead th")]
        assert headers == table.header, table.caption
        labels = [normalise(tr.th.get_text()) for tr in html_table.select("tbody tr")]
        assert labels == [label for label, _cells in table.rows], table.caption


@pytest.mark.parametrize("seed", SEED_PAGES, ids=SEED_PAGE_IDS)
def test_every_cell_shows_its_seed_text(site, seed):
    soup = get_soup(site, seed.meta["permalink"])
    checked = 0
    for table in seed.tables:
        html_rows = page_table(soup, table.caption).select("tbody tr")
        for (label, cells), tr in zip(table.rows, html_rows, strict=True):
            tds = tr.find_all("td")
            assert len(tds) == len(cells), f"{table.caption} / {label}"
            for column, cell, td in zip(table.header[1:], cells, tds, strict=True):
                expected = cell
                if table.levelled:
                    expected = cell.split(None, 1)[1] if " " in cell else ""
                assert note_text(td) == clean(expected), f"{table.caption} / {label} / {column}"
                checked += 1
    assert checked == sum(len(t.rows) * (len(t.header) - 1) for t in seed.tables)


@pytest.mark.parametrize(
    "seed", [page for page in SEED_PAGES if any(t.levelled for t in page.tables)]
)
def test_levelled_cells_show_the_mark_and_a_text_label(site, seed):
    soup = get_soup(site, seed.meta["permalink"])
    labels_by_mark = {}
    for table in (t for t in seed.tables if t.levelled):
        html_rows = page_table(soup, table.caption).select("tbody tr")
        for (label, cells), tr in zip(table.rows, html_rows, strict=True):
            for cell, td in zip(cells, tr.find_all("td"), strict=True):
                mark = cell.split()[0]
                shown_mark = td.select_one(".mark")
                shown_label = td.select_one(".level-label")
                assert shown_mark is not None and shown_label is not None, label
                assert shown_mark.get_text(strip=True) == mark, label
                text_label = shown_label.get_text(strip=True)
                assert re.search(r"\w", text_label), f"{label}: the level needs words, not a mark"
                labels_by_mark.setdefault(mark, set()).add(text_label)
    assert len(labels_by_mark) >= 2
    # One label per level, and a different one for each level: colour or emoji is never alone.
    assert all(len(labels) == 1 for labels in labels_by_mark.values()), labels_by_mark
    distinct = {next(iter(labels)) for labels in labels_by_mark.values()}
    assert len(distinct) == len(labels_by_mark), labels_by_mark


def test_a_legend_explains_the_levels(site):
    seed = next(page for page in SEED_PAGES if any(t.levelled for t in page.tables))
    soup = get_soup(site, seed.meta["permalink"])
    table = next(t for t in seed.tables if t.levelled)
    marks = {cell.split()[0] for _label, cells in table.rows for cell in cells}
    html_table = page_table(soup, table.caption)
    labels = {}
    for td in html_table.select("tbody td"):
        label = td.select_one(".level-label").get_text(strip=True).rstrip(":").strip()
        labels[td.select_one(".mark").get_text(strip=True)] = label
    candidates = [
        element
        for element in soup.main.find_all(True)
        if element.name != "table"
        and not element.find_parent("table")
        and not element.find("table")
        and all(mark in element.get_text() for mark in marks)
    ]
    assert candidates, "no legend outside the table names every level mark"
    legend = min(candidates, key=lambda element: len(element.get_text()))
    legend_text = normalise(legend.get_text())
    for mark in marks:
        assert mark in legend_text
        assert labels[mark] in legend_text, f"the legend does not say what {mark} means"


@pytest.mark.parametrize("seed", SEED_PAGES, ids=SEED_PAGE_IDS)
def test_every_seed_heading_is_a_heading_on_the_page(site, seed):
    soup = get_soup(site, seed.meta["permalink"])
    shown = {normalise(h.get_text()) for h in soup.main.find_all(re.compile(r"^h[1-6]$"))}
    assert seed.headings
    missing = [heading for heading in seed.headings if heading not in shown]
    assert not missing


@pytest.mark.parametrize("seed", SEED_PAGES, ids=SEED_PAGE_IDS)
def test_every_takeaway_heading_and_line_appears(site, seed):
    soup = get_soup(site, seed.meta["permalink"])
    text = normalise(soup.main.get_text())
    shown = {normalise(h.get_text()) for h in soup.main.find_all(re.compile(r"^h[1-6]$"))}
    takeaways = [t for t in seed.tables if t.takeaway_lines]
    assert takeaways
    for table in takeaways:
        assert table.takeaway_heading in shown
        for line in table.takeaway_lines:
            assert line in text, f"takeaway missing under {table.caption!r}: {line!r}"


@pytest.mark.parametrize("seed", SEED_PAGES, ids=SEED_PAGE_IDS)
def test_every_line_of_prose_appears(site, seed):
    # Intros above the tables as well as takeaways below them.
    text = normalise(get_soup(site, seed.meta["permalink"]).main.get_text())
    missing = [line for line in seed.prose_lines if line not in text]
    assert not missing


@pytest.mark.parametrize("seed", SEED_PAGES, ids=SEED_PAGE_IDS)
def test_page_has_exactly_one_h1(site, seed):
    soup = get_soup(site, seed.meta["permalink"])
    assert len(soup.find_all("h1")) == 1
    assert normalise(soup.h1.get_text())


@pytest.mark.parametrize("seed", SEED_PAGES, ids=SEED_PAGE_IDS)
def test_tables_are_accessible(site, seed):
    soup = get_soup(site, seed.meta["permalink"])
    tables = soup.select("main table")
    assert tables
    for table in tables:
        assert table.caption is not None and normalise(table.caption.get_text())
        header_cells = table.select("thead th")
        assert header_cells
        assert all(th.get("scope") == "col" for th in header_cells)
        for tr in table.select("tbody tr"):
            first = tr.find(["th", "td"])
            assert first.name == "th" and first.get("scope") == "row"
            assert not [th for th in tr.find_all("th") if th is not first]


def test_no_mojibake_reaches_any_public_page(site):
    articles = [url for url in site if url.startswith("/blog/") and url != "/blog/"]
    assert articles, "the blog lists no article"
    for url, response in site.items():
        assert response.status_code == 200, url
        text = response.content.decode("utf-8")
        found = [sequence for sequence in MOJIBAKE if sequence in text]
        assert not found, f"{url} shows mis-encoded text {found}"


def test_the_repaired_characters_show_on_the_partnerships_page(site):
    text = get_soup(site, "/Partnerships/").main.get_text()
    for expected in ("Musk’s", "🤝", "$7–$12/mo"):
        assert expected in text


def test_a_page_needs_the_same_few_queries_whatever_its_size(client, seeded):
    """All tables and cells come in a fixed number of queries, not one or more per cell."""
    sizes = {
        seed.meta["permalink"]: sum(len(t.rows) * len(t.header) for t in seed.tables)
        for seed in SEED_PAGES
    }
    assert len(set(sizes.values())) > 1, "the seeds need pages of different sizes"
    counts = {}
    for url in sizes:
        response, counts[url] = page_queries(client, url)
        assert response.status_code == 200
    assert len(set(counts.values())) == 1 and max(counts.values()) <= 8, counts


@pytest.mark.parametrize("seed", SEED_PAGES, ids=SEED_PAGE_IDS)
def test_the_home_page_summary_keeps_list_items_apart(site, seed):
    """A page's summary on the home page (its meta description) may come from a list in its
    text; two items never run together as one sentence ("…Twitter Best for…")."""
    lines = read_seed(SEEDS_DIR / seed.name).splitlines()
    items = [clean(line[2:]) for line in lines if line.startswith("- ")]
    if len(items) < 2:
        pytest.skip("this seed has no list")
    text = normalise(get_soup(site, "/").get_text(" "))
    first, second = items[0], items[1].split()[0]
    if first not in text:
        pytest.skip("the summary does not come from this list")
    assert f"{first} {second}" not in text
    assert f"{first}. {second}" in text or f"{first.rstrip('.')}. {second}" in text
