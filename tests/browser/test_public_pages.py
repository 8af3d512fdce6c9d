"""Quality gates in a real browser: accessibility (axe-core), valid HTML (the Nu checker), phone
layout, pages without JavaScript, and the editors' round trip through the admin.

Chromium, axe-core, vnu-jar and the helpers come from tests/browser/conftest.py.
"""

import re

import pytest

from tests.browser.conftest import (
    DESKTOP,
    EDITOR_PASSWORD,
    PHONE,
    collect_console,
    csp_reports,
    describe_violations,
    log_in,
    make_editor,
    new_page,
    nu_errors,
    run_axe,
    seed,
)

pytestmark = pytest.mark.browser

ARTICLE = "<the article>"  # resolved to the imported article's address at run time
PUBLIC_PAGES = [
    "/",
    "/blog/",
    ARTICLE,
    "/Personalized-Engagement/",
    "/Partnerships/",
    "/no-such-page/",  # the 404 page
]
COMPARISON_PAGES = ["/Personalized-Engagement/", "/Partnerships/"]
# The home and comparison pages are axe-checked at the same two widths by test_explore.py.
AXE_PAGES = [path for path in PUBLIC_PAGES if path != "/" and path not in COMPARISON_PAGES]


# --- content -----------------------------------------------------------------------------------


def resolve(path):
    if path == ARTICLE:
        from sitecontent.models import Article

        return Article.objects.get().get_absolute_url()
    return path


# --- accessibility, Content Security Policy and phone layout -----------------------------------


SIDEWAYS = """() => ({scroll: document.documentElement.scrollWidth,
                      inner: window.innerWidth,
                      widest: [...document.querySelectorAll('body *')]
                          .filter(el => !el.closest('.table-scroll'))
                          .map(el => [el.getBoundingClientRect().right,
                                      el.tagName.toLowerCase() +
                                      (el.className ? '.' + el.className : '')])
                          .filter(([right]) => right > window.innerWidth + 1)
                          .slice(0, 5)})"""


# One test per screen for the three checks: each page loaded once for all of them (they were
# three tests, each with a browser context of its own, loading the pages at 1280, 1280 and 375 px
# and 375 px again).
@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop-1280", "phone-375"])
def test_public_pages_pass_axe_break_no_csp_rule_and_do_not_scroll_sideways_on_a_phone(
    axe, axe_page, site, viewport
):
    found = {}
    too_wide = {}
    page = axe_page
    page.set_viewport_size(viewport)
    console = collect_console(page)
    for path in PUBLIC_PAGES:
        url = resolve(path)
        page.goto(site + url)
        page.emulate_media(color_scheme="light")  # run_axe leaves the page in the dark one
        if viewport == PHONE:
            widths = page.evaluate(SIDEWAYS)
            assert widths["inner"] == PHONE["width"]
            if widths["scroll"] > widths["inner"]:
                too_wide[url] = widths
        if path in AXE_PAGES and (violations := run_axe(page)):  # light and dark
            found[url] = describe_violations(violations)
    report = "\n".join(f"{url}:\n{text}" for url, text in found.items())
    assert not found, f"axe-core violations ({viewport}):\n{report}"
    assert not csp_reports(console), "Content Security Policy blocked something:\n" + "\n".join(
        csp_reports(console)
    )
    assert not too_wide, f"pages wider than the 375px screen (scroll sideways): {too_wide}"


# --- valid HTML --------------------------------------------------------------------------------


def test_nu_html_checker_finds_no_errors_on_public_pages(java, seeded, client, tmp_path):
    pages = {}
    for path in PUBLIC_PAGES:
        url = resolve(path)
        response = client.get(url)
        assert response.status_code == (404 if path == "/no-such-page/" else 200), url
        assert response["Content-Type"].startswith("text/html"), url
        pages[url] = response.content
    errors = nu_errors(java, pages, tmp_path)
    assert not errors, "Nu HTML checker errors:\n" + "\n".join(errors)


# --- without JavaScript ------------------------------------------------------------------------


def test_partnerships_shows_every_table_without_javascript(browser, site):
    from platforms.models import ComparisonTable

    tables = list(
        ComparisonTable.objects.filter(page__permalink="/Partnerships/").order_by("order")
    )
    assert len(tables) > 1
    with new_page(browser, viewport=DESKTOP, java_script_enabled=False) as page:
        page.goto(site + "/Partnerships/")
        shown = page.locator("table.comparison-table")
        assert shown.count() == len(tables)
        for table, element in zip(tables, shown.all(), strict=True):
            assert element.is_visible(), table.title
            assert element.locator("caption").inner_text().strip() == table.title
            assert element.locator("tbody tr").count() == table.rows.count(), table.title


# --- editors -----------------------------------------------------------------------------------


def test_editor_changes_a_cell_in_the_grid_and_reverts_it_from_history(
    browser, transactional_db, live_server, django_user_model
):
    from playwright.sync_api import expect

    from platforms.models import Cell, ComparisonTable, Level

    seed("permalink: /Personalized-Engagement/")
    editor = make_editor(django_user_model)

    table = ComparisonTable.objects.get(page__permalink="/Personalized-Engagement/")
    assert table.uses_levels
    capabilities = list(table.capabilities.all())
    row = table.rows.select_related("platform").first()
    capability = capabilities[0]
    cell = Cell.objects.get(capability=capability, row=row)
    original_level, original_note = cell.level, cell.note
    assert original_level == Level.FULL and original_note
    new_level, new_note = Level.NONE, "Dropped in a browser test"
    prefix = f"cell-{capability.id}-{row.id}"
    base = live_server.url

    def public_cell(page):
        page.goto(f"{base}/Personalized-Engagement/")
        header = page.get_by_role("rowheader", name=row.display_label, exact=True)
        table_row = page.locator(f"#{table.slug} tbody tr").filter(has=header)
        expect(table_row).to_have_count(1)
        return table_row.locator("td").nth(0)

    with new_page(browser, viewport=DESKTOP) as page:
        console = collect_console(page)
        log_in(page, base, editor.username, EDITOR_PASSWORD)

        # Admin home → comparison tables → the table → "Edit all cells".
        page.get_by_role("link", name="Comparison tables").first.click()
        page.get_by_role("link", name=table.title, exact=True).click()
        page.get_by_role("link", name="Edit all cells").click()
        page.wait_for_url(f"{base}/admin/platforms/comparisontable/{table.pk}/grid/")

        level = page.locator(f'select[name="{prefix}-level"]')
        grid_cell = page.locator("td").filter(has=level)
        note = page.locator(f'[name="{prefix}-note"]')
        expect(level).to_have_value(Level(original_level).short_label)
        grid_cell.get_by_role("button", name="Details").click()  # its note, sources, history
        expect(note).to_have_value(original_note)
        level.select_option(new_level.short_label)
        note.fill(new_note)
        page.get_by_role("button", name="Save all").click()
        expect(page.locator(".messagelist .success")).to_have_text("Saved. 1 cell(s) changed.")
        cell.refresh_from_db()
        assert (cell.level, cell.note) == (new_level, new_note)

        changed = public_cell(page)
        expect(changed).to_contain_text(new_note)
        expect(changed).not_to_contain_text(original_note)
        expect(changed.locator(".mark")).to_have_text(new_level.mark)
        expect(changed.locator(".level-label").first).to_have_text(f"{new_level.short_label}:")

        # Back in the grid: the cell's history, then the version from before the change.
        page.goto(f"{base}/admin/platforms/comparisontable/{table.pk}/grid/")
        grid_cell.get_by_role("button", name="Details").click()  # its sources and history
        grid_cell.get_by_role("link", name="History").click()
        page.wait_for_url(f"{base}/admin/platforms/cell/{cell.pk}/history/?next=**")
        records = page.locator("#change-history tbody tr")
        expect(records).to_have_count(cell.history.count())
        assert cell.history.count() >= 2
        earlier = (
            cell.history.filter(level=original_level, note=original_note)
            .order_by("-history_date", "-history_id")
            .first()
        )
        assert earlier is not None, "the cell's history has no record of its original value"
        page.locator(f'#change-history a[href*="/history/{earlier.history_id}/"]').click()
        expect(page.locator("#id_level")).to_have_value(original_level)
        expect(page.locator("#id_note")).to_have_value(original_note)
        page.get_by_role("button", name="Revert").first.click()
        # Back where the editor came from: the grid.
        page.wait_for_url(f"{base}/admin/platforms/comparisontable/{table.pk}/grid/")
        expect(page.locator(".messagelist .success")).to_contain_text("was changed successfully")

        restored = public_cell(page)
        expect(restored).to_contain_text(original_note)
        expect(restored).not_to_contain_text(new_note)
        expect(restored.locator(".mark")).to_have_text(Level(original_level).mark)

    cell.refresh_from_db()
    assert (cell.level, cell.note) == (original_level, original_note)
    assert not csp_reports(console), "Content Security Policy blocked something:\n" + "\n".join(
        csp_reports(console)
    )


def test_markdownx_editor_previews_the_article_body_while_typing(
    browser, transactional_db, live_server, django_user_model
):
    from playwright.sync_api import expect

    from sitecontent.models import Article

    seed("author:")
    editor = make_editor(django_user_model)
    article = Article.objects.get()
    base = live_server.url

    with new_page(browser, viewport=DESKTOP) as page:
        console = collect_console(page)
        log_in(page, base, editor.username, EDITOR_PASSWORD)
        page.goto(f"{base}/admin/sitecontent/article/{article.pk}/change/")
        body = page.locator("textarea[name=body]")
        preview = page.locator(".field-body .markdownx-preview")
        bold = preview.locator("strong").filter(has_text=re.compile(r"^bold$"))
        expect(body).to_be_visible()
        expect(bold).to_have_count(0)
        body.click()
        page.keyboard.press("Control+End")
        page.keyboard.type("\n\n**bold**")
        expect(bold).to_have_count(1)
        assert "<strong>bold</strong>" in preview.inner_html()

    assert not csp_reports(console), "Content Security Policy blocked something:\n" + "\n".join(
        csp_reports(console)
    )
