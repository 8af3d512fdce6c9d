"""Quality gates in a real browser: accessibility (axe-core), valid HTML (the Nu checker), phone
layout, pages without JavaScript, and the editors' round trip through the admin.

Chromium is Debian's (/usr/bin/chromium), driven by Playwright; axe-core and vnu-jar come from
npm into .ci/cache (see .ci/run). Each test skips with a message when its tool is missing.
"""

import json
import re
import shutil
import subprocess
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.core.management import call_command

from .conftest import SEEDS_DIR

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
NODE_MODULES = ROOT / ".ci" / "cache" / "node_modules"
AXE_JS = NODE_MODULES / "axe-core" / "axe.min.js"
VNU_JAR = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
TOOLS_HINT = "run `npm install --prefix .ci/cache axe-core@4 vnu-jar` (as .ci/run does)"

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 812}

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
OTHER_HOSTS = re.compile(r"^https?://(?!(localhost|127\.0\.0\.1)[:/])")


# --- tools -------------------------------------------------------------------------------------


def chromium_path():
    if Path("/usr/bin/chromium").is_file():
        return "/usr/bin/chromium"
    return shutil.which("chromium")


@pytest.fixture
def axe():
    if not AXE_JS.is_file():
        pytest.skip(f"axe-core is not installed at {AXE_JS.relative_to(ROOT)}: {TOOLS_HINT}")
    return AXE_JS


@pytest.fixture
def java():
    """The java command, once vnu.jar is known to be there."""
    if not VNU_JAR.is_file():
        pytest.skip(f"vnu-jar is not installed at {VNU_JAR.relative_to(ROOT)}: {TOOLS_HINT}")
    java = shutil.which("java")
    if java is None:
        pytest.skip("java is not installed: the Nu HTML checker (vnu.jar) needs Java 11 or later")
    return java


@pytest.fixture(scope="module")
def browser():
    executable = chromium_path()
    if executable is None:
        pytest.skip(
            "Chromium is not installed (no /usr/bin/chromium, no `chromium` on PATH): "
            "apt-get install chromium"
        )
    sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed")
    # Playwright's sync API keeps an asyncio loop running in this thread for as long as it is
    # started, so Django would refuse the tests' (plain, synchronous) ORM calls and the database
    # flush after each test. Only this module's tests run while it is started.
    with pytest.MonkeyPatch.context() as patch, sync_api.sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@contextmanager
def new_page(browser, **context_options):
    context = browser.new_context(**context_options)
    context.set_default_timeout(15_000)
    # Hermetic: only the live server answers (the article hotlinks images from other sites).
    context.route(OTHER_HOSTS, lambda route: route.abort())
    try:
        yield context.new_page()
    finally:
        context.close()


# --- content -----------------------------------------------------------------------------------


def seed_file(marker):
    """The launch document containing `marker` (its permalink or title)."""
    for path in sorted(SEEDS_DIR.glob("*.txt")):
        if marker in path.read_text(encoding="utf-8", errors="replace"):
            return path
    raise LookupError(f"no seed document in {SEEDS_DIR} mentions {marker!r}")


def seed(*markers):
    paths = [seed_file(marker) for marker in markers] if markers else [SEEDS_DIR]
    call_command("import_markdown", *map(str, paths), verbosity=0)


def resolve(path):
    if path == ARTICLE:
        from sitecontent.models import Article

        return Article.objects.get().get_absolute_url()
    return path


@pytest.fixture
def site(transactional_db, live_server):
    """The launch content, committed so that the live server's thread sees it: its base URL."""
    seed()
    return live_server.url


# --- the browser console -----------------------------------------------------------------------


def collect_console(page):
    messages = []
    page.on(
        "console",
        lambda message: messages.append(
            f"{message.type} at {message.location.get('url', '?')}: {message.text}"
        ),
    )
    page.on("pageerror", lambda error: messages.append(f"uncaught exception: {error}"))
    return messages


def csp_reports(messages):
    return [message for message in messages if "Content Security Policy" in message]


# --- accessibility -----------------------------------------------------------------------------


def run_axe(page, axe):
    page.add_script_tag(path=str(axe))
    return page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")


def describe_violations(violations):
    lines = []
    for violation in violations:
        lines.append(
            f"  {violation['id']} ({violation['impact']}): {violation['help']} "
            f"[{violation['helpUrl']}]"
        )
        for node in violation["nodes"][:10]:
            summary = " ".join(node.get("failureSummary", "").split())
            lines.append(f"    - {' > '.join(map(str, node['target']))}: {node['html'][:160]}")
            if summary:
                lines.append(f"      {summary[:300]}")
        if len(violation["nodes"]) > 10:
            lines.append(f"    … and {len(violation['nodes']) - 10} more nodes")
    return "\n".join(lines)


@pytest.mark.parametrize(
    "screen",
    [
        {"viewport": DESKTOP},
        {"viewport": PHONE},
        # The stylesheet has a dark scheme (prefers-color-scheme): its contrast counts too.
        {"viewport": DESKTOP, "color_scheme": "dark"},
    ],
    ids=["desktop-1280", "phone-375", "desktop-1280-dark"],
)
def test_axe_finds_no_violations_on_public_pages(browser, axe, site, screen):
    found = {}
    # The site's strict CSP (script-src 'self' + nonce) would block the injected axe script.
    with new_page(browser, bypass_csp=True, **screen) as page:
        for path in PUBLIC_PAGES:
            url = resolve(path)
            page.goto(site + url)
            violations = run_axe(page, axe)["violations"]
            if violations:
                found[url] = describe_violations(violations)
    report = "\n".join(f"{url}:\n{text}" for url, text in found.items())
    assert not found, f"axe-core violations ({screen}):\n{report}"


def test_public_pages_break_no_content_security_policy_rule(browser, site):
    with new_page(browser, viewport=DESKTOP) as page:
        console = collect_console(page)
        for path in PUBLIC_PAGES:
            page.goto(site + resolve(path))
    assert not csp_reports(console), "Content Security Policy blocked something:\n" + "\n".join(
        csp_reports(console)
    )


# --- phone layout ------------------------------------------------------------------------------


def test_public_pages_do_not_scroll_sideways_on_a_phone(browser, site):
    too_wide = {}
    with new_page(browser, viewport=PHONE) as page:
        for path in PUBLIC_PAGES:
            url = resolve(path)
            page.goto(site + url)
            widths = page.evaluate(
                """() => ({scroll: document.documentElement.scrollWidth,
                           inner: window.innerWidth,
                           widest: [...document.querySelectorAll('body *')]
                               .filter(el => !el.closest('.table-scroll'))
                               .map(el => [el.getBoundingClientRect().right,
                                           el.tagName.toLowerCase() +
                                           (el.className ? '.' + el.className : '')])
                               .filter(([right]) => right > window.innerWidth + 1)
                               .slice(0, 5)})"""
            )
            assert widths["inner"] == PHONE["width"]
            if widths["scroll"] > widths["inner"]:
                too_wide[url] = widths
    assert not too_wide, f"pages wider than the 375px screen (scroll sideways): {too_wide}"


# --- valid HTML --------------------------------------------------------------------------------


# A page the checker must reject: proves it read the files (given file: URIs instead of paths,
# vnu checked nothing and reported no error, which is how microsecond <time> values got by).
NU_CONTROL = (
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>x</title></head>'
    '<body><time datetime="2026-12-02T22:32:06.059289+00:00">x</time></body></html>'
)


def nu_errors(java, pages, tmp_path):
    """Nu HTML checker errors in {url: HTML bytes}, as "url:line: message" lines."""
    files = {}
    for index, (url, content) in enumerate([("<control>", NU_CONTROL.encode()), *pages.items()]):
        file = tmp_path / f"page-{index}.html"
        file.write_bytes(content)
        files[f"file:{file}"] = url
    result = subprocess.run(
        [java, "-jar", str(VNU_JAR), "--errors-only", "--format", "json", "--stdout"]
        + [name.removeprefix("file:") for name in files],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    try:
        messages = json.loads(result.stdout)["messages"]
    except (ValueError, KeyError):
        pytest.fail(f"vnu gave no JSON report (exit {result.returncode}): {result.stderr[-2000:]}")
    errors = [
        f"{files.get(m.get('url'), m.get('url'))}:{m.get('lastLine', '?')}: {m['message']}"
        f"\n    {' '.join(m.get('extract', '').split())[:200]}"
        for m in messages
        if m.get("type") in {"error", "non-document-error"}
    ]
    control = [error for error in errors if error.startswith("<control>:")]
    assert control and "fraction of a second" in control[0], f"vnu checked nothing: {errors}"
    return [error for error in errors if not error.startswith("<control>:")]


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


def test_partnerships_shows_every_table_without_javascript(browser, transactional_db, live_server):
    from platforms.models import ComparisonTable

    seed("permalink: /Partnerships/")
    tables = list(
        ComparisonTable.objects.filter(page__permalink="/Partnerships/").order_by("order")
    )
    assert len(tables) > 1
    with new_page(browser, viewport=DESKTOP, java_script_enabled=False) as page:
        page.goto(live_server.url + "/Partnerships/")
        shown = page.locator("table.comparison-table")
        assert shown.count() == len(tables)
        for table, element in zip(tables, shown.all(), strict=True):
            assert element.is_visible(), table.title
            assert element.locator("caption").inner_text().strip() == table.title
            assert element.locator("tbody tr").count() == table.rows.count(), table.title


# --- editors -----------------------------------------------------------------------------------


EDITOR_PASSWORD = "pw-edna-correct-horse"


def make_editor(django_user_model):
    """A staff user in the Editors group, with no other permission (not a superuser)."""
    from sitecontent.roles import sync_editors_group

    group, _created = sync_editors_group()
    editor = django_user_model.objects.create_user(
        "edna", "edna@example.org", EDITOR_PASSWORD, is_staff=True
    )
    editor.groups.add(group)
    return editor


def log_in(page, base_url, username, password):
    page.goto(f"{base_url}/admin/login/?next=/admin/")
    page.get_by_label("Username").press_sequentially(username)
    page.get_by_label("Password").press_sequentially(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base_url}/admin/")


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

        grid_cell = page.locator(f'td[data-cell="{prefix}"]')
        level = page.locator(f'select[name="{prefix}-level"]')
        note = page.locator(f'[name="{prefix}-note"]')
        expect(level).to_have_value(original_level)
        expect(note).to_have_value(original_note)
        level.select_option(new_level.value)
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
        grid_cell.locator("summary").click()  # the cell's sources, review date and history
        grid_cell.get_by_role("link", name="History").click()
        page.wait_for_url(f"{base}/admin/platforms/cell/{cell.pk}/history/")
        records = page.locator("#change-history tbody tr")
        expect(records).to_have_count(cell.history.count())
        assert cell.history.count() >= 2
        earlier = (
            cell.history.filter(level=original_level, note=original_note)
            .order_by("-history_date", "-history_id")
            .first()
        )
        assert earlier is not None, "the cell's history has no record of its original value"
        page.locator(f'#change-history a[href$="/history/{earlier.history_id}/"]').click()
        expect(page.locator("#id_level")).to_have_value(original_level)
        expect(page.locator("#id_note")).to_have_value(original_note)
        page.get_by_role("button", name="Revert").first.click()
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
