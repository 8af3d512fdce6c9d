"""The exploring pages in real Chromium: no box scrolls on its own, nothing scrolls sideways on a
phone, sort, filter, compare and the chooser by keyboard, axe and the Nu checker clean.

Tools and helpers come from tests/browser/conftest.py (skips with a message when one is missing)."""

import pytest

from tests.browser.conftest import (
    PHONE,
    collect_console,
    csp_reports,
    describe_violations,
    new_page,
    nu_errors,
    run_axe,
    shoot,
)

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 800}
SCREENS = {"desktop-1280": DESKTOP, "phone-375": PHONE}
EXPLORE_PAGES = [
    "/",
    "/about/",
    "/platforms/",
    "/platforms/tiktok/",
    "/capabilities/",
    "/capabilities/partnerships/partnership-comparison-table/ad-partnerships/",
    "/compare/",
    "/compare/instagram-vs-tiktok/",
    "/compare/facebook-vs-telegram-vs-slack-vs-tiktok/differences/",
    "/choose/",
    "/Personalized-Engagement/",
    "/Partnerships/",
]


# The module's tests only read (sorting and filtering change the page, not the data), so they
# share three pages instead of a browser context (a renderer process) each: one with axe-core,
# one without it, one without JavaScript. Each test sizes its page and loads what it checks.
@pytest.fixture(scope="module")
def visitor(browser):
    with new_page(browser) as page:
        yield page


@pytest.fixture(scope="module")
def no_script(browser):
    with new_page(browser, java_script_enabled=False) as page:
        yield page


def at(page, screen):
    page.set_viewport_size(screen)
    return page


def choose_url(page, base):
    """/choose/ with two needs ticked, as a visitor would reach it."""
    page.goto(base + "/choose/")
    boxes = page.locator("input[name=need]")
    boxes.nth(2).check()
    boxes.nth(5).check()
    page.get_by_role("button", name="Rank platforms").click()
    page.wait_for_url("**/choose/?need=*")
    return page.url.removeprefix(base)


# One test per screen for both checks: each page loaded once for both (they were two tests
# loading the same 13 pages at the same two widths; 6–8 s less per run of this file).
@pytest.mark.parametrize("screen", list(SCREENS), ids=list(SCREENS))
def test_axe_finds_no_violations_and_no_box_scrolls_on_its_own_nor_sideways_on_a_phone(
    axe, axe_page, site, screen
):
    problems = []
    axe_found = {}
    page = at(axe_page, SCREENS[screen])
    for path in [*EXPLORE_PAGES, choose_url(page, site)]:
        page.goto(site + path)
        page.emulate_media(color_scheme="light")  # run_axe leaves the page in the dark one
        # Form fields (the embed code's textarea) scroll their own text by nature.
        found = page.evaluate(
            """() => [...document.querySelectorAll('body *:not(textarea)')].filter(el => {
                const style = getComputedStyle(el);
                const scrollsY = /(auto|scroll)/.test(style.overflowY)
                    && el.scrollHeight > el.clientHeight + 1;
                const scrollsX = /(auto|scroll)/.test(style.overflowX)
                    && el.scrollWidth > el.clientWidth + 1;
                return scrollsY || (window.innerWidth <= 600 && scrollsX);
            }).map(el => el.tagName + '.' + el.className)"""
        )
        page_width = page.evaluate("document.documentElement.scrollWidth")
        if found:
            problems.append(f"{path}: boxes scroll on their own: {found[:5]}")
        if screen == "phone-375" and page_width > PHONE["width"]:
            problems.append(f"{path}: the page is {page_width}px wide on a 375px phone")
        # The last row of every table can be reached by scrolling the page. In one script: a
        # locator's scroll and box per row, waiting for it to stand still, took 5–8 s a width.
        unreachable = page.evaluate(
            """() => [...document.querySelectorAll('table tbody tr:last-child')].map((row, i) => {
                row.scrollIntoView({block: 'nearest', inline: 'nearest'});
                const box = row.getBoundingClientRect();
                return box.height && box.y >= 0 && box.y < innerHeight ? null : [i, box.y];
            }).filter(Boolean)"""
        )
        problems += [f"{path}: last row of table {i} out of view (y {y})" for i, y in unreachable]
        name = path.strip("/").replace("/", "_").replace("?", "_")[:60] or "home"
        page.evaluate("window.scrollTo(0, 0)")
        shoot(page, f"{screen}-{name}")
        violations = run_axe(page)  # light and dark
        if violations:
            axe_found[path] = describe_violations(violations)
    axe_report = "\n".join(f"{url}:\n{text}" for url, text in axe_found.items())
    assert not problems and not axe_found, "\n".join(problems) + "\n" + axe_report


def test_tables_show_every_row_as_cards_on_a_phone(visitor, site):
    page = at(visitor, PHONE)
    page.goto(site + "/Partnerships/")
    rows = page.locator("table.comparison-table tbody tr")
    assert rows.count() == 60
    widths = rows.evaluate_all("rows => rows.map(r => r.getBoundingClientRect().right)")
    assert max(widths) <= PHONE["width"]
    # Still a table for assistive technology: row headers and cells keep their roles.
    first = page.locator("table.comparison-table").first
    assert first.get_by_role("rowheader").count() == 10
    assert first.get_by_role("cell").count() > 0


def test_sort_and_filter_by_keyboard(visitor, site):
    from playwright.sync_api import expect

    page = at(visitor, DESKTOP)
    console = collect_console(page)
    page.goto(site + "/Personalized-Engagement/")
    table = page.locator("table.comparison-table")
    header = table.locator("thead th").nth(4)  # AI/Algorithmic Personalization
    button = header.get_by_role("button")
    button.focus()
    page.keyboard.press("Enter")
    expect(header).to_have_attribute("aria-sort", "ascending")
    levels = table.locator("tbody tr td:nth-of-type(4)").evaluate_all(
        "tds => tds.map(td => td.className.match(/level-([a-z]+)/)[1])"
    )
    rank = ["full", "partial", "none", "unknown"]
    assert levels == sorted(levels, key=rank.index) and len(set(levels)) > 1
    page.keyboard.press("Enter")
    expect(header).to_have_attribute("aria-sort", "descending")
    names = table.locator("thead th").nth(0).get_by_role("button")
    names.focus()
    page.keyboard.press("Enter")
    labels = table.locator("tbody th").all_inner_texts()
    assert labels == sorted(labels, key=str.lower)

    search = page.get_by_label("Show rows matching")
    search.focus()
    page.keyboard.type("tele")
    expect(table.locator("tbody tr:visible")).to_have_count(1)
    expect(table.locator("tbody tr:visible th")).to_have_text("Telegram")
    expect(page.get_by_role("status").first).to_have_text("1 of 10 rows shown")
    assert not csp_reports(console), csp_reports(console)


@pytest.mark.parametrize(
    ("javascript", "width"),
    [(True, 375), (False, 375), (False, 600), (False, 1280)],
    ids=["script-375", "no-script-375", "no-script-600", "no-script-1280"],
)
def test_a_table_sorts_and_filters_with_or_without_javascript(request, site, javascript, width):
    from playwright.sync_api import expect

    screen = {"width": width, "height": PHONE["height"]}
    page = at(request.getfixturevalue("visitor" if javascript else "no_script"), screen)
    page.goto(site + "/Personalized-Engagement/")
    form = page.locator("form.table-filter").first
    form.get_by_label("Sort by").select_option(label="AI/Algorithmic Personalization")
    if not javascript:
        form.get_by_role("button", name="Show").click()
        page.wait_for_url("**?*sort=*")
    table = page.locator("table.comparison-table").first
    levels = table.locator("tbody tr td:nth-of-type(4)").evaluate_all(
        "tds => tds.map(td => td.className.match(/level-([a-z]+)/)[1])"
    )
    rank = ["full", "partial", "none", "unknown"]
    assert levels == sorted(levels, key=rank.index) and len(set(levels)) > 1
    form = page.locator("form.table-filter").first
    form.get_by_label("Show rows matching").fill("tele")
    if not javascript:
        form.get_by_role("button", name="Show").click()
        page.wait_for_url("**rows=tele*")
    expect(table.locator("tbody tr:visible")).to_have_count(1)
    expect(page.locator("form.table-filter [role=status]").first).to_contain_text("1 of 10")


def test_compare_and_choose_by_keyboard(visitor, site):
    from playwright.sync_api import expect

    page = at(visitor, PHONE)
    page.goto(site + "/")
    form = page.locator("form.compare-form")
    form.get_by_label("TikTok").focus()
    page.keyboard.press("Space")
    form.get_by_label("WhatsApp").focus()
    page.keyboard.press("Space")
    form.get_by_role("button", name="Compare").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(site + "/compare/whatsapp-vs-tiktok/")
    page.get_by_role("link", name="Only differences").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(site + "/compare/whatsapp-vs-tiktok/differences/")
    expect(page.locator("tr.differs").first).to_be_visible()
    assert page.locator("tbody tr").count() == page.locator("tr.differs").count()

    page.goto(site + "/choose/")
    page.get_by_label("Monetization for Creators").focus()
    page.keyboard.press("Space")
    page.get_by_role("button", name="Rank platforms").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/choose/?need=*")
    expect(page.locator(".ranking .choice")).to_have_count(10)
    expect(page.get_by_label("Monetization for Creators")).to_be_checked()


def test_a_linked_cell_is_highlighted_and_has_a_visible_link(visitor, site):
    anchor = "cell-personal-engagement-across-social-networks-tiktok-one-on-one-messaging"
    page = at(visitor, DESKTOP)
    page.goto("about:blank")  # the page opens at the cell: not a jump within it, already open
    page.goto(f"{site}/Personalized-Engagement/#{anchor}")
    cell = page.locator(f"#{anchor}")
    assert page.evaluate("location.hash") == f"#{anchor}"
    outline = cell.evaluate("td => getComputedStyle(td).outlineStyle")
    assert outline == "solid"
    link = cell.get_by_role("link", name="Link to this claim")
    assert link.is_visible() and link.bounding_box()["width"] > 4


def test_nu_html_checker_finds_no_errors_on_the_exploring_pages(java, seeded, client, tmp_path):
    pages = {}
    for path in [*EXPLORE_PAGES, "/choose/?need=x"]:
        response = client.get(path)
        assert response.status_code == 200, path
        pages[path] = response.content
    errors = nu_errors(java, pages, tmp_path)
    assert not errors, "Nu HTML checker errors:\n" + "\n".join(errors)
