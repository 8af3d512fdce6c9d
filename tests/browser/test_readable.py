"""Readable on any screen (issue 14), in real Chromium: embeds label every claim and never scroll
sideways, a linked claim opens with its platform in view, profiles break no word to fit a column,
and the home page uses a wide screen.

Tools and helpers come from tests/browser/conftest.py (skips with a message when one is missing)."""

import pytest

from tests.browser.conftest import PHONE, new_page

# django_db: pytest-django sets up the test database only when some test of the run asks for one,
# and the `site` fixture alone does not; run on its own, this module would otherwise seed and
# flush the development database (db.sqlite3).
pytestmark = [pytest.mark.browser, pytest.mark.django_db]


@pytest.fixture(scope="module")
def reader(browser):
    """One page for the module's tests, which only read: each sizes it to its screen and loads
    its own page there. A context per test cost a renderer process each (22 of them)."""
    with new_page(browser) as page:
        yield page


def at(page, width, height):
    page.set_viewport_size({"width": width, "height": height})
    return page


EMBED = "/embed/Personalized-Engagement/personal-engagement-across-social-networks/"

# Each td with the name of its capability as shown: its own label (a card's), else its column's
# header, when the table is a table; and whether the page scrolls sideways.
EMBED_READING = """() => {
    const headers = [...document.querySelectorAll('thead th')];
    const shown = el => el.getBoundingClientRect().width > 1
        && getComputedStyle(el).display !== 'none';
    const cells = [...document.querySelectorAll('tbody tr')].flatMap(row => [...row.cells]
        .filter(cell => cell.tagName === 'TD')
        .map(cell => {
            const before = getComputedStyle(cell, '::before');
            const label = before.display !== 'none' && before.content !== 'none'
                ? JSON.parse(before.content.split(' / ')[0]).replace(/: $/, '') : null;
            const header = headers[cell.cellIndex];
            const column = header && shown(header) ? header.textContent.trim() : null;
            return {expected: cell.dataset.label, shown: label || column, visible: shown(cell)};
        }));
    const root = document.documentElement;
    return {cells, scrollWidth: root.scrollWidth, clientWidth: root.clientWidth};
}"""


@pytest.mark.parametrize("width", [320, 375, 600, 700, 1280])
@pytest.mark.parametrize("path", [EMBED, f"{EMBED}row/telegram/"], ids=["table", "row"])
def test_an_embed_names_the_capability_of_every_claim_and_never_scrolls_sideways(
    reader, site, path, width
):
    page = at(reader, width, 800)
    page.goto(site + path)
    reading = page.evaluate(EMBED_READING)
    assert reading["scrollWidth"] == reading["clientWidth"] == width
    assert reading["cells"]
    for cell in reading["cells"]:
        assert cell["visible"] and cell["expected"], cell
        assert cell["shown"] == cell["expected"], cell


@pytest.mark.parametrize("width", [375, 600, 768, 1280])
@pytest.mark.parametrize("path", ["/Personalized-Engagement/", "/Partnerships/"])
def test_a_linked_claim_opens_with_its_platform_in_view(reader, site, path, width):
    height = PHONE["height"]
    page = at(reader, width, height)
    page.goto(site + path)
    # The last claim of a row halfway down the page's first table: far below its header.
    rows = page.locator("table.comparison-table").first.locator("tbody tr")
    row = rows.nth(rows.count() // 2)
    anchor = row.locator("td[id]").last.get_attribute("id")
    page.goto(f"{site}{path}#{anchor}")
    page.wait_for_function("() => window.scrollY > 0")
    header = row.locator("th").first.bounding_box()
    cell = page.locator(f"[id='{anchor}']").bounding_box()
    assert header["y"] >= 0 and header["y"] + header["height"] <= height, header
    assert header["x"] >= 0 and header["x"] + header["width"] <= width, header
    assert 0 <= cell["y"] < height and 0 <= cell["x"] < width, cell  # the claim starts in view…
    # A table (not cards): its header row, stuck to the top of the window, covers none of it.
    last_header = page.locator("table.comparison-table").first.locator("thead th").last
    bottom = last_header.evaluate(
        "th => getComputedStyle(th).display == 'table-cell' && th.getBoundingClientRect().bottom"
    )
    assert bottom is False or cell["y"] >= bottom - 1, (cell, bottom)
    # …below its card's header (cards: phones), or beside its sticky row header, not under it.
    assert header["y"] + header["height"] <= cell["y"] or header["x"] + header["width"] <= cell["x"]


@pytest.mark.parametrize("width", [320, 600, 768, 1024])
def test_no_page_of_tables_scrolls_sideways_at_any_width(reader, site, width):
    page = at(reader, width, 800)
    wide = {}
    for path in ["/Personalized-Engagement/", "/Partnerships/", "/platforms/tiktok/",
                 "/compare/facebook-vs-telegram-vs-slack-vs-tiktok/"]:  # fmt: skip
        page.goto(site + path)
        if (scroll_width := page.evaluate("document.documentElement.scrollWidth")) > width:
            wide[path] = scroll_width
    assert not wide, f"wider than a {width} px screen: {wide}"


# Words split across two lines in the claims' tables (a word with a hyphen, slash or dot may
# wrap there: that is not a broken word, nor is a long address).
BROKEN_WORDS = """() => {
    const broken = [];
    const walker = document.createTreeWalker(document.querySelector('main'), NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const parent = node.parentElement;
        if (!parent.closest('table.claims') || parent.closest('thead, caption')) continue;
        for (const match of node.data.matchAll(/\\S+/g)) {
            if (/[-\\u2010-\\u2014\\/.:]\\S/.test(match[0]) || match[0].length > 30) continue;
            const range = document.createRange();
            range.setStart(node, match.index);
            range.setEnd(node, match.index + match[0].length);
            const lines = new Set([...range.getClientRects()]
                .filter(rect => rect.width > 0).map(rect => Math.round(rect.top)));
            if (lines.size > 1) broken.push(match[0]);
        }
    }
    return broken;
}"""


@pytest.mark.parametrize(
    "path",
    [
        "/platforms/facebook/",
        "/platforms/google/",
        "/platforms/tiktok/",
        "/capabilities/partnerships/ai-collaboration-comparison-table/personalization-recommendations/",
    ],
)
def test_no_word_of_a_claim_is_broken_on_a_phone(reader, site, path):
    page = at(reader, 320, 800)
    page.goto(site + path)
    assert page.locator("table.claims td").count()
    assert page.evaluate(BROKEN_WORDS) == []


@pytest.mark.parametrize("width", [1280, 1920])
def test_the_home_page_uses_a_wide_screen(reader, site, width):
    page = at(reader, width, 900)
    page.goto(site + "/")
    boxes = page.evaluate(
        """() => Object.fromEntries(['.site-name', '.search-box', 'main',
            '.home-comparisons', '.home-explore', '.home-articles'].map(selector => {
                const el = document.querySelector(selector);
                const box = el.getBoundingClientRect().toJSON();
                const style = getComputedStyle(el);
                box.contentRight = box.right - parseFloat(style.paddingRight);
                box.contentLeft = box.left + parseFloat(style.paddingLeft);
                return [selector, box];
            }))"""
    )
    name, search, main = boxes[".site-name"], boxes[".search-box"], boxes["main"]
    # The search box is on the header's first row, beside the site's name.
    assert search["top"] < name["bottom"] and name["top"] < search["bottom"], (name, search)
    # Explore sits beside the comparisons, and together they fill the main column.
    comparisons, explore = boxes[".home-comparisons"], boxes[".home-explore"]
    assert explore["left"] > comparisons["right"] and explore["top"] == comparisons["top"]
    assert explore["right"] >= main["contentRight"] - 1
    assert comparisons["left"] <= main["contentLeft"] + 1
