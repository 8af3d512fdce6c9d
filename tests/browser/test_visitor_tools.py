"""The visitors' tools in real Chromium: a visitor searches, follows a result to the highlighted
cell and reports it; the new pages pass axe (light, dark, phone) and the Nu checker, fit a 375px
screen, break no CSP rule; the footer leads to every feed; only embeds may be framed by another
site."""

import http.server
from contextlib import contextmanager

import pytest

from platforms.models import Cell, ClaimReport
from tests.browser.conftest import (
    AXE_JS,
    DESKTOP,
    PHONE,
    collect_console,
    csp_reports,
    describe_violations,
    new_page,
    nu_errors,
    run_axe,
    seed,
)
from tests.conftest import loopback_server
from tests.seed_documents import distinctive_claim

pytestmark = pytest.mark.browser

TABLE = "Personalized-Engagement/personal-engagement-across-social-networks"
NEW_PAGES = [
    "/search/?q=encrypted",
    "/search/?q=" + "x" * 120,  # the "too long" answer
    "/data/",
    "/changes/",
    "/changes/tiktok/",
    "/platforms/tiktok/timeline/",
    f"/report/?table={TABLE}",
    "/report/thanks/",
    "/sitemap/",
    "/feeds/",
    f"/embed/{TABLE}/",
    f"/embed/{TABLE}/row/tiktok/",
]


def add_a_change():
    """Something in the change log, so its list is checked too."""
    cell = Cell.objects.filter(level="partial").first()
    cell.level, cell.note = "full", "Now everywhere"
    cell.save()


@pytest.fixture(scope="module")
def site(site, django_db_blocker):
    """The module's shared site (read-only tests), with a change in its log."""
    with django_db_blocker.unblock():
        add_a_change()
    return site


@pytest.fixture(scope="module")
def visitor(browser):
    """One page for the module's tests that only read, with axe-core loaded for those that run
    it (the others skip with `axe`'s message without it): a context per test cost a renderer
    process each. Each test sizes it and loads its own pages."""
    with new_page(browser, AXE_JS if AXE_JS.is_file() else None) as page:
        yield page


def test_a_visitor_searches_follows_a_result_to_the_cell_and_reports_it(
    browser, transactional_db, live_server
):
    # Sends a report: a site of its own, emptied after the test.
    seed()
    add_a_change()
    site = live_server.url
    word, permalink, label, column = distinctive_claim()
    with new_page(browser, viewport=DESKTOP) as page:
        console = collect_console(page)
        page.goto(site + "/")
        page.get_by_role("searchbox", name="Search the site").fill(word)
        page.get_by_role("searchbox", name="Search the site").press("Enter")
        page.wait_for_url(lambda url: "/search/?q=" in url)
        result = page.locator(".search-results li", has_text="Claim").first
        assert word in result.locator("mark").first.inner_text().lower()
        result.get_by_role("link").first.click()
        page.wait_for_url(f"**{permalink}#cell-*")

        cell = page.locator("td:target")
        assert word in cell.inner_text().lower()
        assert cell.evaluate("td => getComputedStyle(td).outlineStyle") != "none"
        # In view and not hidden under the sticky header row or platform column.
        assert cell.evaluate(
            """td => { const r = td.getBoundingClientRect();
                       const x = r.left + r.width / 2, y = r.top + Math.min(20, r.height / 2);
                       return r.top >= 0 && r.bottom <= innerHeight
                              && document.elementFromPoint(x, y)?.closest('td') === td; }"""
        ), "the targeted cell is in view and uncovered"
        assert cell.evaluate("td => td.closest('tr').querySelector('th').textContent") == label

        section = page.locator("section.comparison", has=cell)
        section.get_by_role("link", name="Report an outdated or wrong claim").click()
        page.wait_for_url(lambda url: "/report/?table=" in url)
        option = next(
            text
            for text in page.locator("#id_cell option").all_inner_texts()
            if text.startswith(label.split(" (")[0]) and f"· {column} (" in text
        )
        page.get_by_label("Which claim").select_option(label=option)
        page.get_by_label("What is wrong or out of date").fill(
            "This changed last month: see the announcement."
        )
        page.get_by_label("A source that shows it (optional)").fill("https://example.org/news")
        page.get_by_role("button", name="Send the report").click()
        page.wait_for_url(lambda url: "/report/thanks/?cell=" in url)
        assert "Thank you for your report" in page.locator("h1").inner_text()
        page.get_by_role("link", name="Back to the claim").click()
        assert word in page.locator("td:target").inner_text().lower()
    report = ClaimReport.objects.select_related("cell__capability", "cell__row__platform").get()
    assert report.cell.capability.name == column
    assert report.source_url == "https://example.org/news"
    assert not csp_reports(console), csp_reports(console)


# One test per screen for all three checks: each page loaded once for them (they were three
# tests loading the 12 pages at 1280, 375 and 375 px again).
@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop-1280", "phone-375"])
def test_the_new_pages_pass_axe_fit_a_phone_and_break_no_csp_rule(axe, visitor, site, viewport):
    found = {}
    too_wide = {}
    page = visitor
    page.set_viewport_size(viewport)
    console = collect_console(page)
    for url in NEW_PAGES:
        page.goto(site + url)
        page.emulate_media(color_scheme="light")  # run_axe leaves the page in the dark one
        width = page.evaluate("() => document.documentElement.scrollWidth")
        if viewport == PHONE and width > PHONE["width"]:
            too_wide[url] = width
        violations = run_axe(page)  # light and dark
        if violations:
            found[url] = describe_violations(violations)
    report = "\n".join(f"{url}:\n{text}" for url, text in found.items())
    assert not found, f"axe-core violations ({viewport}):\n{report}"
    assert not too_wide, f"pages wider than a 375px phone: {too_wide}"
    assert not csp_reports(console), csp_reports(console)


def test_nu_html_checker_finds_no_errors_on_the_new_pages(java, seeded, client, tmp_path):
    pages = {}
    for url in NEW_PAGES:
        response = client.get(url)
        assert response["Content-Type"].startswith("text/html"), url
        pages[url] = response.content
    errors = nu_errors(java, pages, tmp_path)
    assert not errors, "Nu HTML checker errors:\n" + "\n".join(errors)


def test_a_visitor_finds_every_feed_from_the_footer(visitor, site):
    page = visitor
    page.set_viewport_size(DESKTOP)
    page.emulate_media(color_scheme="light")
    console = collect_console(page)
    page.goto(site + "/")
    page.locator("footer").get_by_role("link", name="Feeds (RSS and Atom)").click()
    page.wait_for_url("**/feeds/")
    assert "feed reader" in page.locator(".lead").inner_text()
    links = page.locator("main .feed-list a")
    assert links.filter(has_text="New articles (RSS)").get_attribute("href") == "/feed/"
    assert links.filter(has_text="TikTok").get_attribute("href") == "/changes/tiktok/feed/"
    assert not csp_reports(console)


@contextmanager
def another_site(body):
    """A second origin on this machine serving one page (Chromium refuses public pages
    framing loopback ones, so the other site must be on loopback too)."""

    class Page(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(body.encode())

        def log_message(self, *args):
            pass

    with loopback_server(Page) as address:
        yield f"http://{address}/"


def test_only_embeds_may_be_framed_by_another_site(visitor, site):
    framed = {f"/embed/{TABLE}/": True, "/Personalized-Engagement/": False, "/data/": False}
    frames = "".join(f'<iframe src="{site}{url}" title="{url}"></iframe>' for url in framed)
    shown = {}
    page = visitor
    page.set_viewport_size(DESKTOP)
    with another_site(f"<!doctype html><title>Another site</title>{frames}") as other:
        page.goto(other)
        page.wait_for_load_state("load")
        for index, url in enumerate(framed):
            frame = page.locator("iframe").nth(index).element_handle().content_frame()
            # A refused frame holds Chromium's error page, with no table of ours.
            shown[url] = frame.url.startswith(site) and bool(
                frame.evaluate("() => !!document.querySelector('main table')")
            )
    assert shown == framed
