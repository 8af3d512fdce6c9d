"""The pictures (issue 14): a coverage map per levelled table, a profile's levels per page, a
capability's levels, and what improved or declined since a day. Each is an SVG with
role="img" and a title, its numbers also given in words; the numbers are checked against the
database, and the changes against edits made here with the clock moved (time-machine)."""

import re
from collections import Counter

import pytest
from bs4 import BeautifulSoup

from platforms.models import Capability, Cell, ComparisonTable, Level, Orientation, TableRow
from tests.conftest import cell_of, edit, on

PE = "/Personalized-Engagement/"
LEVELS = [level.value for level in Level]


def soup_of(client, url):
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return BeautifulSoup(response.content, "lxml")


def words(element):
    return BeautifulSoup(element.decode_contents(), "lxml").get_text(" ", strip=True)


def charts(soup):
    """The page's charts, each checked to be a picture with a name and words beside it."""
    figures = soup.select("main figure.chart")
    for figure in figures:
        svg = figure.find("svg", recursive=False)
        assert svg["role"] == "img"
        title = svg.find("title", recursive=False)
        assert title["id"] == svg["aria-labelledby"] and title.get_text().strip()
        assert figure.figcaption.get_text().strip()
    ids = [element["id"] for element in soup.select("[id]")]
    assert len(ids) == len(set(ids)), "ids (the charts' patterns among them) are unique"
    return figures


def numbers(figure):
    """{row name: [numbers]} of a chart's table of numbers."""
    return {
        row.th.get_text(strip=True): [int(td.get_text()) for td in row.select("td")]
        for row in figure.select("table.chart-numbers tbody tr")
    }


def plain(html):
    return BeautifulSoup(html, "lxml").get_text()


def row_name(row):
    return plain(row.label_html) or row.platform.name


def square_titles(figure):
    """The squares' titles, row by row (down, then across), each with its level's class."""
    squares = []
    for group in figure.svg.select("g.level-shape"):
        level = next(
            name for name in group["class"] if name.startswith("level-") and name != "level-shape"
        )
        for path in group.select("path"):
            x, y = map(float, re.match(r"M([\d.]+) ([\d.]+)", path["d"]).groups())
            squares.append(((y, x), f"{level}: {path.title.get_text()}"))
    return [title for _position, title in sorted(squares)]


@pytest.mark.parametrize(
    "orientation", [Orientation.PLATFORMS_AS_ROWS, Orientation.PLATFORMS_AS_COLUMNS]
)
def test_a_levelled_table_has_a_square_per_platform_and_capability(client, seeded, orientation):
    table = ComparisonTable.objects.get(page__permalink=PE, uses_levels=True)
    table.orientation = orientation
    table.save()
    figures = charts(soup_of(client, PE))
    maps = [figure for figure in figures if "coverage" in figure["class"]]
    assert len(maps) == ComparisonTable.objects.filter(page__permalink=PE, uses_levels=True).count()
    figure = maps[0]
    rows = TableRow.objects.filter(table=table).select_related("platform").order_by("order", "id")
    capabilities = list(Capability.objects.filter(table=table).order_by("order", "id"))
    expected = []
    for row in rows:
        for capability in capabilities:
            cell = Cell.objects.filter(row=row, capability=capability).first()
            level = cell.level if cell and cell.level else "missing"
            said = Level(level).label if cell and cell.level else "No data"
            expected.append(
                f"level-{level}: {row_name(row)} · {plain(capability.name_html)}: {said}"
            )
    assert square_titles(figure) == expected  # platforms down, capabilities across, in order
    assert len(expected) == len(rows) * len(capabilities)
    # The numbers above the columns are the capabilities listed in the caption.
    columns = [item.get_text(" ", strip=True) for item in figure.select(".chart-columns li")]
    assert columns == [f"{n} {plain(c.name_html)}" for n, c in enumerate(capabilities, 1)]
    assert [text.get_text() for text in figure.svg.select("text.chart-number")] == [
        str(n) for n in range(1, len(capabilities) + 1)
    ]
    assert "the table that follows gives every claim in words" in words(figure.figcaption)
    # It stands before its table; the key shows every level's mark and label.
    section = figure.find_parent("section")
    assert section.find("figure") is figure and figure.find_next("table") == section.table
    key = [item.get_text(" ", strip=True) for item in figure.select(".chart-key li")]
    assert key == [f"{level.mark} {level.short_label}" for level in Level]


def test_a_table_in_words_has_no_coverage_map(client, seeded):
    soup = soup_of(client, "/Partnerships/")
    assert not ComparisonTable.objects.filter(page__permalink="/Partnerships/", uses_levels=True)
    assert not charts(soup)


def test_a_capability_shows_how_many_platforms_support_it_at_each_level(client, seeded):
    capability = Capability.objects.filter(table__page__permalink=PE).order_by("order")[2]
    url = f"/capabilities/personalized-engagement/{capability.table.slug}/{capability.slug}/"
    soup = soup_of(client, url)
    [figure] = charts(soup)
    levels = Counter(Cell.objects.filter(capability=capability).values_list("level", flat=True))
    expected = [levels[level] for level in LEVELS]
    assert numbers(figure) == {plain(capability.name_html): expected}
    # The same as the claims listed on the page.
    shown = Counter(
        next((level for level in LEVELS if f"level-{level}" in claim["class"]), "")
        for claim in soup.select("table.ranked .claim")
    )
    assert [shown[level] for level in LEVELS] == expected
    # One segment per level stated, as wide as its share, named in its title.
    segments = figure.svg.select("rect.level-shape")
    total = sum(expected)
    assert [(rect.title.get_text(), float(rect["width"].rstrip("%"))) for rect in segments] == [
        (
            f"{plain(capability.name_html)}: {n} {level.label.lower()}",
            pytest.approx(100 * n / total),
        )
        for level, n in zip(Level, expected, strict=True)
        if n
    ]


def test_a_capability_in_words_has_no_chart(client, seeded):
    capability = Capability.objects.filter(table__uses_levels=False).first()
    page = capability.table.page.permalink.strip("/").lower()
    soup = soup_of(client, f"/capabilities/{page}/{capability.table.slug}/{capability.slug}/")
    assert not charts(soup)


def test_a_profile_shows_its_levels_per_page(client, seeded):
    for slug in ("slack", "tiktok"):
        [figure] = charts(soup_of(client, f"/platforms/{slug}/"))
        cells = Cell.objects.filter(row__platform__slug=slug).exclude(level="")
        expected = {}
        for page, level in cells.values_list("capability__table__page__title", "level"):
            expected.setdefault(page, Counter())[level] += 1
        assert numbers(figure) == {
            page: [counts[level] for level in LEVELS] for page, counts in expected.items()
        }
        bars = [text.get_text() for text in figure.svg.find_all("text", recursive=False)]
        assert [bar.split(":")[0] for bar in bars] == list(expected)  # pages in words alone: none


def test_since_charts_exactly_the_platforms_whose_levels_moved(client, seeded):
    edits = {
        ("facebook", Level.FULL): Level.PARTIAL,  # declined
        ("slack", Level.NONE): Level.FULL,  # improved
        ("telegram", Level.PARTIAL): Level.FULL,  # improved
    }
    cells = {key: cell_of(PE, key[0], level=key[1]) for key in edits}
    slack_again = Cell.objects.filter(
        capability__table__page__permalink=PE, row__platform__slug="slack", level=Level.NONE
    ).exclude(pk=cells[("slack", Level.NONE)].pk)[0]
    reworded = cell_of(PE, "tiktok", level=Level.FULL)
    with on(2):
        for key, level in edits.items():
            edit(cells[key], level=level, note="Changed in a test")
        edit(slack_again, level=Level.PARTIAL, note="Changed in a test too")
        edit(reworded, note="Same level, other words")  # changed, yet neither better nor worse
    with on(3):
        soup = soup_of(client, f"{PE}?since=2027-01-01")
        [figure] = [f for f in charts(soup) if "change-chart" in f["class"]]
        name = {slug: row_name(cell.row) for (slug, _level), cell in cells.items()}
        assert numbers(figure) == {
            name["facebook"]: [0, 1],
            name["telegram"]: [1, 0],
            name["slack"]: [2, 0],
        }
        assert {rect.title.get_text() for rect in figure.svg.select("rect.level-shape")} == {
            f"{name['facebook']}: 1 declined",
            f"{name['telegram']}: 1 improved",
            f"{name['slack']}: 2 improved",
        }
        assert "Claims improved and declined since 1 January 2027, per platform" in str(figure)
        # On the platform's profile: per comparison page.
        [figure] = [f for f in charts(soup_of(client, "/platforms/slack/?since=2027-01-01"))
                    if "change-chart" in f["class"]]  # fmt: skip
        assert numbers(figure) == {cells[("slack", Level.NONE)].row.table.page.title: [2, 0]}
        # No level moved since day 2: no chart, and none without ?since=.
        for url in (f"{PE}?since=2027-01-02", PE, "/platforms/slack/"):
            assert not soup_of(client, url).select("figure.change-chart")
