"""The grid editor at scale, in real Chromium at 1280 × 800 on a 40 × 40 table (issue 17): the save
bar and the headers stay in view, the page never scrolls sideways, a spreadsheet's keys, only the
changed cells posted, and a conflict reached from the list atop the page."""

from urllib.parse import parse_qsl

import pytest

from tests.big_tables import build_table
from tests.browser.conftest import (
    SCREENS,
    SLOW,
    document_overflow,
    grid_url,
    make_editor,
    new_page,
    sign_in,
)

pytestmark = pytest.mark.browser


@pytest.fixture
def big_table(transactional_db):
    return build_table()


@pytest.fixture
def grid_page(browser, big_table, live_server, django_user_model):
    """A signed-in editor's page on the 40 × 40 grid."""
    editor = make_editor(django_user_model)
    with new_page(browser, viewport=SCREENS["1280x800"]) as page:
        page.set_default_timeout(SLOW)
        sign_in(page, live_server.url, editor)
        page.goto(grid_url(live_server.url, big_table))
        yield page


def prefix(table, row, column):
    """The prefix of the cell at (row, column), counted from 0 in the grid's order."""
    row = table.rows.order_by("order")[row]
    capability = table.capabilities.order_by("order")[column]
    return f"cell-{capability.pk}-{row.pk}"


def in_view(page, selector):
    """Whether the element is wholly inside the window, and not under the grid's sticky parts."""
    return page.evaluate(
        """(selector) => { const r = document.querySelector(selector).getBoundingClientRect();
            return r.top >= 0 && r.left >= 0 && r.bottom <= innerHeight && r.right <= innerWidth;
        }""",
        selector,
    )


def focused_cell(page):
    return page.evaluate(
        "() => document.activeElement.closest('td')?.querySelector('[name$=-level], [name$=-note]')"
        ".name.replace(/-(level|note)$/, '')"
    )


def test_the_save_bar_and_the_headers_stay_in_view_and_only_the_box_scrolls(grid_page):
    page = grid_page
    assert in_view(page, ".grid-save-bar input[type=submit]")
    # The wheel over the grid's box, where signing in through the form (its Log in button)
    # left the mouse before: over the page's header, the page itself scrolls the box's top
    # and its sticky header row out of the window.
    page.locator(".grid-scroll").hover()
    page.mouse.wheel(0, 3000)  # the page, then the box
    page.locator(".grid-scroll").evaluate(
        "el => { el.scrollTop = el.scrollHeight / 2; el.scrollLeft = el.scrollWidth / 2; }"
    )
    # Laid out and painted again (was a fixed 200 ms wait).
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    assert in_view(page, ".grid-save-bar input[type=submit]")
    stuck = page.evaluate(
        """() => { const box = document.querySelector('.grid-scroll').getBoundingClientRect();
            const head = document.querySelector('.grid-editor thead th:nth-child(20)')
              .getBoundingClientRect();
            const side = document.querySelector('.grid-editor tbody tr:nth-child(20) th')
              .getBoundingClientRect();
            return {head: head.top - box.top, side: side.left - box.left,
                    headInView: head.top >= 0 && head.bottom <= innerHeight}; }"""
    )
    assert abs(stuck["head"]) <= 2 and abs(stuck["side"]) <= 2 and stuck["headInView"], stuck
    assert document_overflow(page) <= 0
    # A long column name is wrapped whole, not cut.
    name = page.locator("thead th:nth-child(2) .header-name")
    assert name.evaluate("el => el.scrollWidth <= el.clientWidth")


def test_editing_and_saving_with_the_keyboard_alone(grid_page, big_table):
    from playwright.sync_api import expect

    from platforms.models import Cell

    page = grid_page
    for _ in range(300):  # through the headers to the first cell
        page.keyboard.press("Tab")
        if focused_cell(page):
            break
    assert focused_cell(page) == prefix(big_table, 0, 0)
    page.keyboard.press("Tab")  # one Tab stop per cell
    assert focused_cell(page) == prefix(big_table, 0, 1)
    for key in ["ArrowDown", "ArrowDown", "ArrowRight", "ArrowUp", "ArrowLeft", "ArrowDown"]:
        page.keyboard.press(key)
    target = prefix(big_table, 2, 1)
    assert focused_cell(page) == target
    level = page.locator(f'[name="{target}-level"]')
    before = level.input_value()
    # Enter opens the cell (its note, sources and review date, fetched), Esc puts it back.
    page.keyboard.press("Enter")
    expect(page.locator(f"td#{target} details")).to_have_attribute("open", "")
    assert page.evaluate("() => document.activeElement.name") == f"{target}-note"
    page.keyboard.type(" (to be undone)")
    page.keyboard.press("Escape")
    assert page.evaluate("() => document.activeElement.name") == f"{target}-level"
    assert "to be undone" not in page.locator(f'[name="{target}-note"]').input_value()
    # The level by typing its first letter; then Enter, the note, a review date, and save.
    page.keyboard.type("u")
    assert level.input_value() == "Unknown" != before
    page.keyboard.press("Enter")
    page.keyboard.press("Control+a")
    page.keyboard.type("Typed with the keyboard")
    page.keyboard.press("Tab")  # the review date
    page.keyboard.type("11302026")
    page.keyboard.press("Control+Enter")
    expect(page.locator(".messagelist .success")).to_have_text("Saved. 1 cell(s) changed.")
    cell = Cell.objects.get(capability_id=target.split("-")[1], row_id=target.split("-")[2])
    assert (cell.level, cell.note, str(cell.last_reviewed)) == (
        "unknown",
        "Typed with the keyboard",
        "2026-11-30",
    )


@pytest.mark.parametrize("changed", [1, 3])
def test_only_the_changed_cells_are_posted(grid_page, big_table, changed):
    from playwright.sync_api import expect

    page = grid_page
    posted = []
    page.on("request", lambda r: posted.append(r.post_data) if r.method == "POST" else None)
    for number in range(changed):  # no level: a level the cell does not have yet
        page.locator(f'[name="{prefix(big_table, number, number)}-level"]').select_option("")
    page.get_by_role("button", name="Save all").click()
    expect(page.locator(".messagelist .success")).to_have_text(f"Saved. {changed} cell(s) changed.")
    names = [name for name, _value in parse_qsl(posted[0], keep_blank_values=True)]
    cells = {name.rsplit("-", 1)[0] for name in names if name.startswith("cell-")}
    assert len(cells) == changed
    # The token, the version map, the new row's and column's boxes, and each changed cell's
    # one field (a closed cell shows its level alone).
    assert len(names) == 5 + changed, names


def test_a_conflict_far_away_is_reached_from_the_list_atop_the_page(grid_page, big_table):
    from playwright.sync_api import expect

    from platforms.models import Cell

    page = grid_page
    far = prefix(big_table, 33, 35)
    cell = Cell.objects.get(capability_id=far.split("-")[1], row_id=far.split("-")[2])
    cell.note = "Saved by someone else"
    cell.save()
    page.locator(f'[name="{far}-level"]').focus()
    page.keyboard.press("Enter")  # opened
    page.locator(f'[name="{far}-note"]').fill("My wording")
    page.get_by_role("button", name="Save all").click()
    link = page.locator(".grid-flags a")
    expect(link).to_have_count(1)
    box = page.locator(f"td#{far}")
    assert not box.evaluate(
        """el => { const r = el.getBoundingClientRect(),
                   b = document.querySelector('.grid-scroll').getBoundingClientRect();
                   return r.left >= b.left && r.right <= b.right && r.top >= b.top
                          && r.bottom <= b.bottom; }"""
    )
    link.click()
    expect(box.locator("details")).to_have_attribute("open", "")
    # Scrolled into view (waited for as it happens, instead of a fixed 300 ms): a timeout fails.
    assert page.wait_for_function(
        """el => { const r = el.getBoundingClientRect(),
                   b = document.querySelector('.grid-scroll').getBoundingClientRect();
                   return r.left < b.right && r.right > b.left && r.top < b.bottom
                          && r.bottom > b.top && r.top >= 0 && r.top < innerHeight; }""",
        arg=box.element_handle(),
    ).json_value()
    assert focused_cell(page) == far
    expect(box.locator(".theirs")).to_contain_text("Saved by someone else")
