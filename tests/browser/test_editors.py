"""Editors in real Chromium: the grid editor on a 40 × 40 table, conflicts between two sessions,
import through the admin, and accessibility of the admin pages this project adds or changes.

Set SCREENSHOTS=/some/folder to keep screenshots of the grid, a change form, a history
page and the admin home, light and dark.
"""

import re
from contextlib import contextmanager

import pytest

from tests.big_tables import build_table
from tests.browser.conftest import (
    EDITOR_PASSWORD,
    PHONE,
    SCREENS,
    SLOW,
    collect_console,
    csp_reports,
    describe_violations,
    document_overflow,
    grid_url,
    log_in,
    make_editor,
    new_page,
    run_axe,
    seed,
    seed_file,
    shoot,
    sign_in,
)

pytestmark = pytest.mark.browser


@contextmanager
def two_sessions(browser, base, editors, url):
    """Two browser sessions, each signed in as its editor, both on url: two people at once."""
    with (
        new_page(browser, viewport=SCREENS["1280x800"]) as one,
        new_page(browser, viewport=SCREENS["1280x800"]) as two,
    ):
        for page, editor in zip((one, two), editors, strict=True):
            sign_in(page, base, editor)
            page.goto(url)
        yield one, two


@pytest.fixture
def big_table(transactional_db):
    return build_table()


@pytest.fixture
def editor(django_user_model):
    return make_editor(django_user_model)


# --- the grid at 40 × 40 -----------------------------------------------------------------------


def test_the_admin_never_scrolls_sideways_with_a_40_by_40_grid(
    browser, big_table, live_server, editor
):
    from platforms.models import Cell

    base = live_server.url
    cell = Cell.objects.filter(capability__table=big_table).first()
    with new_page(browser) as page:
        page.set_default_timeout(SLOW)
        sign_in(page, base, editor)
        page.goto(grid_url(base, big_table))
        for screen in SCREENS.values():  # each editor's screen: the page laid out again
            page.set_viewport_size(screen)
            page.locator(".grid-scroll").evaluate("el => el.scrollTo(0, 0)")
            check_the_grid_fits(page, screen)
        page.set_viewport_size({"width": 320, "height": 640})  # the narrowest phone
        page.locator(".grid-scroll").evaluate("el => el.scrollTo(0, 0)")
        assert document_overflow(page) <= 0
        beside = page.evaluate(  # cells wholly in view beside the first platform's name
            """() => { const row = document.querySelector('.grid-editor tbody tr');
                const name = row.cells[0].getBoundingClientRect();
                return [...row.cells].slice(1).filter(cell => {
                    const box = cell.getBoundingClientRect();
                    return box.left >= name.right - 1 && box.right <= innerWidth; }).length; }"""
        )
        assert beside >= 1, "no cell in view beside the platform name at 320 px"
        page.locator(".grid-scroll").scroll_into_view_if_needed()
        shoot(page, "grid-320")
        for path in [
            f"/admin/platforms/cell/{cell.pk}/change/",
            f"/admin/platforms/cell/{cell.pk}/history/",
            f"/admin/platforms/comparisontable/{big_table.pk}/change/",
            "/admin/",
        ]:
            page.goto(base + path)
            for screen in SCREENS.values():
                page.set_viewport_size(screen)
                assert document_overflow(page) <= 0, (path, screen)


def test_a_cells_sources_fit_their_card_on_a_phone(browser, big_table, live_server, editor):
    from platforms.models import Cell

    cell = Cell.objects.filter(capability__table=big_table).first()
    cell.sources.create(url="https://example.org/a/long/address/of/a/source", title="A source")
    with new_page(browser, viewport=PHONE) as page:
        sign_in(page, live_server.url, editor)
        page.goto(f"{live_server.url}/admin/platforms/cell/{cell.pk}/change/")
        outside = page.evaluate(
            """() => [...document.querySelectorAll('.inline-related input:not([type=hidden])')]
                .filter(input => input.getBoundingClientRect().width > 0)
                .filter(input => input.getBoundingClientRect().right
                    > input.closest('.inline-related').getBoundingClientRect().right + 1)
                .map(input => input.name)"""
        )
        assert page.locator(".inline-related input[type=url]").first.is_visible()
        assert outside == [], "inputs running out of their card"


def check_the_grid_fits(page, screen):
    """Nothing but the grid's box scrolls sideways; it shows many cells and, scrolled to the
    far corner, keeps its header row and platform column in view."""
    widest = page.evaluate(
        """() => [...document.querySelectorAll('body *')]
            .filter(el => !el.closest('.grid-scroll') || el.matches('.grid-scroll'))
            .map(el => [el.getBoundingClientRect().right, el.tagName + '#' + el.id + '.' +
                        el.className])
            .filter(([right]) => right > window.innerWidth + 1).slice(0, 8)
            .concat([[getComputedStyle(document.querySelector('.grid-scroll')).overflowX,
                      [...document.styleSheets].map(s => s.href)]])"""
    )
    assert document_overflow(page) <= 0, widest
    box = page.locator(".grid-scroll")
    sizes = box.evaluate(
        "el => ({scroll: el.scrollWidth, client: el.clientWidth, "
        "right: el.getBoundingClientRect().right, height: el.clientHeight})"
    )
    assert sizes["scroll"] > sizes["client"]  # the grid scrolls inside its box
    assert sizes["right"] <= screen["width"]
    # Far more than four rows by four columns are in view.
    in_view = page.evaluate(
        """() => { const box = document.querySelector('.grid-scroll').getBoundingClientRect();
            return [...document.querySelectorAll('.grid-editor td')].filter(td => {
              const r = td.getBoundingClientRect();
              return r.top >= box.top && r.bottom <= box.bottom && r.left >= box.left
                     && r.right <= box.right; }).length; }"""
    )
    assert in_view >= 16 if screen["width"] == 1280 else in_view >= 25
    # Scrolled to the far corner, the header row and the platform column stay in view.
    box.evaluate("el => { el.scrollTop = el.scrollHeight; el.scrollLeft = el.scrollWidth; }")
    stuck = page.evaluate(
        """() => { const box = document.querySelector('.grid-scroll').getBoundingClientRect();
            const head = document.querySelector('.grid-editor thead th:nth-child(5)')
              .getBoundingClientRect();
            const side = document.querySelector('.grid-editor tbody tr:last-child th')
              .getBoundingClientRect();
            return {head: head.top - box.top, side: side.left - box.left}; }"""
    )
    assert abs(stuck["head"]) <= 2 and abs(stuck["side"]) <= 2, stuck
    shoot(page, f"grid-{screen['width']}")


def test_editor_changes_notes_sources_and_review_date_and_deletes_a_column_from_the_grid(
    browser, big_table, live_server, editor
):
    from playwright.sync_api import expect

    from platforms.models import Capability, Cell

    base = live_server.url
    capabilities = list(big_table.capabilities.order_by("order"))
    doomed = capabilities[-1]
    cell = Cell.objects.get(capability=capabilities[3], row=big_table.rows.order_by("order")[5])
    prefix = f"cell-{cell.capability_id}-{cell.row_id}"
    with new_page(browser, viewport=SCREENS["1280x800"]) as page:
        page.set_default_timeout(SLOW)
        console = collect_console(page)
        sign_in(page, base, editor)
        page.goto(grid_url(base, big_table))
        box = page.locator("td").filter(has=page.locator(f'[name="{prefix}-level"]'))
        box.get_by_role("button", name="Details").click()  # opens the cell: note, sources, date
        box.locator("textarea").first.fill("A **rewritten** note\nover two lines")
        box.get_by_label("Reviewed").fill("2026-11-30")
        box.get_by_label("Sources", exact=True).fill(
            "https://example.org/help | Help centre | 2026-11-29"
        )
        page.get_by_role("button", name="Save all").click()
        expect(page.locator(".messagelist .success")).to_have_text("Saved. 1 cell(s) changed.")

        header = page.locator("thead th").filter(has=page.locator(f'[name="col-{doomed.pk}-name"]'))
        header.locator("summary").click()
        header.get_by_label("Delete this column").check()
        page.get_by_role("button", name="Save all").click()
        confirmation = page.locator(".delete-confirmation")
        expect(confirmation).to_contain_text(doomed.name)
        assert Capability.objects.filter(pk=doomed.pk).exists()  # not before confirming
        page.get_by_role("button", name="Delete and save all").click()
        expect(page.locator(".messagelist .success")).to_be_visible()

        page.goto(f"{base}/Big/")
        table = page.locator("table#big, #big table").first
        expect(table).to_contain_text("rewritten")
        expect(page.get_by_role("link", name="Help centre").first).to_be_attached()
        headers = table.locator("thead th").all_inner_texts()
        assert not any(doomed.name in text for text in headers)
        assert any(capabilities[0].name in text for text in headers)
    cell.refresh_from_db()
    assert cell.note == "A **rewritten** note\nover two lines"
    assert str(cell.last_reviewed) == "2026-11-30"
    assert not Capability.objects.filter(pk=doomed.pk).exists()
    assert not csp_reports(console), csp_reports(console)


def test_alt_arrow_keys_move_between_cells(browser, big_table, live_server, editor):
    base = live_server.url
    rows = list(big_table.rows.order_by("order")[:2])
    first_capability, second_capability = big_table.capabilities.order_by("order")[:2]
    with new_page(browser, viewport=SCREENS["1920x1080"]) as page:
        page.set_default_timeout(SLOW)
        sign_in(page, base, editor)
        page.goto(grid_url(base, big_table))
        start = f"cell-{first_capability.pk}-{rows[0].pk}-level"
        page.locator(f'[name="{start}"]').focus()
        page.keyboard.press("Alt+ArrowDown")
        focused = page.evaluate("() => document.activeElement.name")
        assert focused == f"cell-{first_capability.pk}-{rows[1].pk}-level"
        page.keyboard.press("Alt+ArrowRight")
        focused = page.evaluate("() => document.activeElement.name")
        assert focused == f"cell-{second_capability.pk}-{rows[1].pk}-level"
        page.keyboard.press("Tab")  # Tab goes on to the next cell
        focused = page.evaluate("() => document.activeElement.tagName")
        assert focused in {"SUMMARY", "A", "TEXTAREA", "INPUT", "SELECT"}


def test_a_cell_whose_details_fail_to_load_says_so_and_opens_on_the_next_try(
    browser, transactional_db, live_server, editor
):
    from playwright.sync_api import expect

    from platforms.models import Cell, ComparisonTable

    seed("permalink: /Personalized-Engagement/")
    table = ComparisonTable.objects.get(page__permalink="/Personalized-Engagement/")
    first = Cell.objects.filter(capability__table=table).first()
    with new_page(browser, viewport=SCREENS["1280x800"]) as page:
        sign_in(page, live_server.url, editor)
        page.goto(grid_url(live_server.url, table))
        # The network drops the first request for a cell's details (the page's own ?cell=).
        page.route(re.compile(r"[?&]cell="), lambda route: route.abort(), times=1)
        level = page.locator(f'[name="cell-{first.capability_id}-{first.row_id}-level"]')
        cell = page.locator("td").filter(has=level)
        cell.get_by_role("button", name="Details").click()
        retry = cell.get_by_role("button", name="Retry: the details did not load")
        expect(retry).to_have_text("Retry")
        expect(cell.locator("details")).to_have_count(0)
        shoot(page, "grid-cell-retry")
        retry.click()
        expect(cell.locator("details")).to_have_attribute("open", "")
        expect(cell.locator("textarea[name$=-note]")).to_be_focused()


# --- two sessions ------------------------------------------------------------------------------


def test_two_sessions_edit_the_same_cell_and_column_and_the_second_sees_both_versions(
    browser, transactional_db, live_server, django_user_model
):
    from playwright.sync_api import expect

    from platforms.models import Capability, Cell, ComparisonTable, Level

    seed("permalink: /Personalized-Engagement/")
    first = make_editor(django_user_model)
    second = django_user_model.objects.create_user(
        "eddie", "eddie@example.org", EDITOR_PASSWORD, is_staff=True
    )
    second.groups.set(first.groups.all())
    table = ComparisonTable.objects.get(page__permalink="/Personalized-Engagement/")
    cell = Cell.objects.filter(capability__table=table, level=Level.FULL).first()
    note = f'[name="cell-{cell.capability_id}-{cell.row_id}-note"]'
    details = f'td:has([name="cell-{cell.capability_id}-{cell.row_id}-level"]) .cell-open'
    column = f'[name="col-{cell.capability_id}-name"]'
    base = live_server.url
    with two_sessions(browser, base, [first, second], grid_url(base, table)) as (one, two):
        one.locator(details).click()
        one.locator(note).fill("First session's wording")
        one.locator(column).fill("First session's column")
        one.get_by_role("button", name="Save all").click()
        expect(one.locator(".messagelist .success")).to_be_visible()

        two.locator(details).click()
        two.locator(note).fill("Second session's wording")
        two.locator(column).fill("Second session's column")
        two.get_by_role("button", name="Save all").click()
        conflict = two.locator("td.has-conflict")
        expect(conflict).to_have_count(1)
        expect(conflict.locator(note)).to_have_value("Second session's wording")
        expect(conflict.locator(".theirs")).to_contain_text("First session's wording")
        merged = conflict.get_by_label("Merged note")
        expect(merged).to_have_value(re.compile("Second session's wording.*First session's", re.S))
        header = two.locator("th.has-conflict")
        expect(header).to_have_count(1)
        expect(header.locator(column)).to_have_value("Second session's column")
        expect(header.locator(".theirs")).to_contain_text("First session's column")
        expect(header.get_by_label("Merged name")).to_have_value(
            "Second session's column / First session's column"
        )
        for scheme in ("light", "dark"):
            two.emulate_media(color_scheme=scheme)
            shoot(two, f"grid-conflict-{scheme}")
        conflict.get_by_label("Merge", exact=True).check()
        merged.fill("Both sessions' wording")
        header.get_by_label("Take theirs").check()
        two.get_by_role("button", name="Save all").click()
        expect(two.locator(".messagelist .success")).to_be_visible()
    cell.refresh_from_db()
    assert cell.note == "Both sessions' wording"
    assert Capability.objects.get(pk=cell.capability_id).name == "First session's column"


def test_two_sessions_on_a_change_form_see_both_values_side_by_side(
    browser, transactional_db, live_server, django_user_model
):
    from playwright.sync_api import expect

    from platforms.models import Platform

    seed("permalink: /Personalized-Engagement/")
    editor = make_editor(django_user_model)
    platform = Platform.objects.first()
    url = f"{live_server.url}/admin/platforms/platform/{platform.pk}/change/"
    with two_sessions(browser, live_server.url, [editor, editor], url) as (one, two):
        one.get_by_label("Parent company").fill("Company One")
        one.get_by_role("button", name="Save", exact=True).click()
        two.get_by_label("Parent company").fill("Company Two")
        two.get_by_role("button", name="Save", exact=True).click()
        panel = two.locator(".edit-conflicts")
        expect(panel).to_contain_text("Company One")
        expect(panel).to_contain_text("Company Two")
        expect(two.get_by_label("Parent company")).to_have_value("Company Two")
        shoot(two, "change-form-conflict")
        two.get_by_label("Take theirs").check()
        two.get_by_role("button", name="Save", exact=True).click()
        expect(two.locator(".messagelist .success")).to_be_visible()
    platform.refresh_from_db()
    assert platform.parent_company == "Company One"


def test_two_sessions_change_the_same_inline_row_and_the_second_merges(
    browser, transactional_db, live_server, django_user_model
):
    from playwright.sync_api import expect

    from platforms.models import ComparisonTable

    seed("permalink: /Personalized-Engagement/")
    editor = make_editor(django_user_model)
    table = ComparisonTable.objects.get(page__permalink="/Personalized-Engagement/")
    first, second = table.capabilities.order_by("order")[:2]
    url = f"{live_server.url}/admin/platforms/comparisontable/{table.pk}/change/"
    description = '[name="capabilities-0-description"]'
    with two_sessions(browser, live_server.url, [editor, editor], url) as (one, two):
        one.locator(description).fill("Described in session one")
        one.get_by_role("button", name="Save", exact=True).click()
        expect(one.locator(".messagelist .success")).to_be_visible()
        two.locator(description).fill("Described in session two")
        two.locator('[name="capabilities-1-name"]').fill("Renamed in session two")
        two.get_by_role("button", name="Save", exact=True).click()
        panel = two.locator(".edit-conflicts")
        expect(panel).to_contain_text("capability 1")
        expect(panel).to_contain_text("Described in session one")
        expect(panel).to_contain_text("Described in session two")
        expect(two.locator(description)).to_have_value("Described in session two")
        for scheme in ("light", "dark"):
            two.emulate_media(color_scheme=scheme)
            shoot(two, f"inline-conflict-{scheme}")
        panel.get_by_label("Merge, as written here").check()
        panel.get_by_role("textbox").fill("Described in both sessions")
        two.get_by_role("button", name="Save", exact=True).click()
        expect(two.locator(".messagelist .success")).to_be_visible()
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.description, second.name) == (
        "Described in both sessions",
        "Renamed in session two",
    )


# --- import ------------------------------------------------------------------------------------


def test_import_through_the_admin_previews_applies_and_reports_errors(
    browser, transactional_db, live_server, django_user_model, tmp_path
):
    from playwright.sync_api import expect

    from platforms.models import ComparisonPage

    seed("permalink: /Personalized-Engagement/")
    editor = make_editor(django_user_model)
    source = seed_file("permalink: /Partnerships/")
    good = tmp_path / source.name
    good.write_bytes(source.read_bytes())
    bad = tmp_path / "broken.md"
    bad.write_text(
        "---\ntitle: Broken\npermalink: /Broken/\n---\n\n| A | B |\n| --- | --- |\n| x | y | z |\n"
    )
    base = live_server.url
    with new_page(browser, viewport=SCREENS["1280x800"]) as page:
        log_in(page, base, editor.username, EDITOR_PASSWORD)  # the form, once in this folder
        page.get_by_role("link", name="Comparison pages").first.click()
        page.get_by_role("link", name="Import Markdown").click()

        page.get_by_label("Markdown files or a zip").set_input_files([str(good), str(bad)])
        page.get_by_role("button", name="Preview the import").click()
        expect(page.locator(".import-error")).to_contain_text("broken.md:8")
        assert not ComparisonPage.objects.filter(permalink="/Partnerships/").exists()

        page.get_by_label("Markdown files or a zip").set_input_files([str(good)])
        page.get_by_role("button", name="Preview the import").click()
        expect(page.locator(".import-diff")).to_contain_text("created")
        shoot(page, "import-preview")
        assert not ComparisonPage.objects.filter(permalink="/Partnerships/").exists()
        page.get_by_role("button", name="Apply this import").click()
        expect(page.locator(".messagelist .success")).to_contain_text("Imported 1 document")
        page.goto(f"{base}/Partnerships/")
        expect(page.locator("table").first).to_be_visible()
    assert ComparisonPage.objects.filter(permalink="/Partnerships/").exists()


# --- Markdown editing --------------------------------------------------------------------------


def test_markdown_preview_sits_beside_the_text_on_wide_screens_below_it_on_narrow_ones(
    browser, transactional_db, live_server, django_user_model
):
    """In the site's styles, on one page laid out at each width in turn."""
    from playwright.sync_api import expect

    from sitecontent.models import Article

    seed("author:")
    editor = make_editor(django_user_model)
    article = Article.objects.get()
    with new_page(browser, viewport={"width": 1280, "height": 800}) as page:
        sign_in(page, live_server.url, editor)
        page.goto(f"{live_server.url}/admin/sitecontent/article/{article.pk}/change/")
        for width, side_by_side in [(1280, True), (900, False)]:
            page.set_viewport_size({"width": width, "height": 800})
            body = page.locator("textarea[name=body]")
            body.click()
            page.keyboard.press("Control+Home")
            page.keyboard.type("**First words** ")
            styled = page.locator(
                ".field-body .site-preview"
            )  # the site's stylesheet, in a shadow root
            expect(styled.locator("strong").first).to_have_text("First words")
            expect(
                page.get_by_role("heading", name="Preview of Body, as the site shows it")
            ).to_be_visible()
            text_box, preview_box = body.bounding_box(), styled.bounding_box()
            if side_by_side:
                assert preview_box["x"] >= text_box["x"] + text_box["width"]
                # The top of the text is in view.
                assert abs(preview_box["y"] - text_box["y"]) < 80
            else:
                assert preview_box["y"] >= text_box["y"] + text_box["height"]
            # The text box no longer grows past the window.
            assert text_box["height"] <= 0.75 * 800, width
            assert document_overflow(page) <= 0, width
            if side_by_side:
                page.locator(".field-body").scroll_into_view_if_needed()
                shoot(page, "markdown-editor")


def test_the_preview_never_shows_a_whole_page_when_the_server_cannot_draw_it(
    browser, transactional_db, live_server, django_user_model
):
    """After the session ends, markdownx's preview request gets the login page: the preview
    says it is unavailable instead of drawing a login form inside the article's form."""
    from playwright.sync_api import expect

    from sitecontent.models import Article

    seed("author:")
    editor = make_editor(django_user_model)
    article = Article.objects.get()
    with new_page(browser, viewport={"width": 1280, "height": 800}) as page:
        sign_in(page, live_server.url, editor)
        page.goto(f"{live_server.url}/admin/sitecontent/article/{article.pk}/change/")
        kept = [c for c in page.context.cookies() if c["name"] != "sessionid"]
        page.context.clear_cookies()
        page.context.add_cookies(kept)  # the session has ended; the CSRF cookie stays
        page.locator("textarea[name=body]").click()
        page.keyboard.type(" more words")
        styled = page.locator(".field-body .site-preview")
        expect(styled).to_contain_text("The preview is not available right now")
        assert styled.locator("form, input, main").count() == 0


# --- without JavaScript ------------------------------------------------------------------------


def test_the_grid_saves_without_javascript(browser, big_table, live_server, editor):
    from playwright.sync_api import expect

    from platforms.models import Cell, Level

    rows = list(big_table.rows.order_by("order"))
    capabilities = list(big_table.capabilities.order_by("order"))
    far = Cell.objects.get(row=rows[37], capability=capabilities[38])
    noted = Cell.objects.get(row=rows[5], capability=capabilities[3])
    prefix = f"cell-{noted.capability_id}-{noted.row_id}"
    with new_page(browser, viewport=SCREENS["1280x800"], java_script_enabled=False) as page:
        page.set_default_timeout(SLOW)
        sign_in(page, live_server.url, editor)
        page.goto(grid_url(live_server.url, big_table))
        # A level, in the grid as it loads: the whole 40 × 40 form is posted.
        level = page.locator(f'[name="cell-{far.capability_id}-{far.row_id}-level"]')
        level.select_option("Partly")
        page.get_by_role("button", name="Save all").click()
        expect(page.locator(".messagelist .success")).to_have_text("Saved. 1 cell(s) changed.")
        # A note and sources: the row's link opens its cells.
        page.locator(f"th#row-{noted.row_id}").get_by_role("link", name="Notes and sources").click()
        page.locator(f'[name="{prefix}-note"]').fill("Saved without JavaScript")
        page.locator(f'[name="{prefix}-sources"]').fill("https://example.org/nojs")
        page.get_by_role("button", name="Save all").click()
        expect(page.locator(".messagelist .success")).to_have_text("Saved. 1 cell(s) changed.")
    far.refresh_from_db()
    noted.refresh_from_db()
    assert (far.level, far.note) == (Level.PARTIAL, "Note 37-38: a few words about this claim")
    assert noted.note == "Saved without JavaScript"
    assert [s.url for s in noted.sources.all()] == ["https://example.org/nojs"]


# --- accessibility -----------------------------------------------------------------------------

# Django's own admin pages, unchanged by this project: the baseline axe is compared with.
BASELINE_PAGES = ["/admin/auth/group/add/", "/admin/auth/user/"]


def djangos_empty_original_header(violation):
    """Django's own tabular inline template draws an empty <th class="original"> above the
    stored rows' names (admin/edit_inline/tabular.html); it has no setting, and a copy of the
    template to fill it would go stale with Django."""
    nodes = violation["nodes"]
    original = all(node["target"][-1].endswith(".original") for node in nodes)
    return violation["id"] == "empty-table-header" and original


def test_axe_finds_no_new_violations_on_the_admin_pages(
    browser, axe, transactional_db, live_server, django_user_model
):
    from platforms.models import Cell, ComparisonTable
    from sitecontent.models import Article

    seed()
    chief = django_user_model.objects.create_superuser("chief", "c@example.org", EDITOR_PASSWORD)
    table = ComparisonTable.objects.get(page__permalink="/Personalized-Engagement/")
    cell = Cell.objects.filter(capability__table=table).first()
    cell.note += " (edited)"
    cell.save()  # a history with a change in it
    article = Article.objects.get()
    pages = {
        "grid": f"/admin/platforms/comparisontable/{table.pk}/grid/",
        "cell-change": f"/admin/platforms/cell/{cell.pk}/change/",
        "cell-history": f"/admin/platforms/cell/{cell.pk}/history/",
        "cell-revert": f"/admin/platforms/cell/{cell.pk}/history/"
        f"{cell.history.earliest('history_date').history_id}/",
        "article-change": f"/admin/sitecontent/article/{article.pk}/change/",
        # Tabular inlines with a Delete box on each stored row (columns, tables).
        "table-change": f"/admin/platforms/comparisontable/{table.pk}/change/",
        "page-change": f"/admin/platforms/comparisonpage/{table.page_id}/change/",
        "home": "/admin/",
        "import": "/admin/platforms/comparisonpage/import/",
    }
    with new_page(browser, axe, viewport=SCREENS["1280x800"]) as page:
        sign_in(page, live_server.url, chief)
        baseline = set()
        for path in BASELINE_PAGES:
            page.goto(live_server.url + path)
            baseline |= {(scheme, v["id"]) for scheme, v in run_axe(page)}
        found = {}
        for name, path in pages.items():
            page.goto(live_server.url + path)
            if name == "article-change":
                page.locator("textarea[name=body]").scroll_into_view_if_needed()
                page.wait_for_timeout(500)  # markdownx's first preview
            shoot(page, name)
            new = [
                (s, v)
                for s, v in run_axe(page)
                if (s, v["id"]) not in baseline and not djangos_empty_original_header(v)
            ]
            if new:
                found[name] = describe_violations(new)
    report = "\n".join(f"{name}:\n{text}" for name, text in found.items())
    assert not found, f"axe violations Django's own admin pages do not have:\n{report}"
