"""What the browser tests share: Debian's Chromium driven by Playwright (one per run of this
folder), axe-core and the Nu HTML checker from npm (see .ci/run), the launch content and a live
server. Each fixture skips its test with a message when its tool is missing.

Tests that only read share one seeded live server per module (`site`); tests that change data
take `transactional_db` and `live_server` and seed what they need themselves.
"""

import json
import os
import re
import shutil
import subprocess
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.core.management import call_command
from pytest_django.live_server_helper import LiveServer

from tests.conftest import ROOT, SEEDS_DIR, ensure_about_page, load_seeds

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
# Editors' screens for the grid on a 40 × 40 table.
SCREENS = {"1280x800": {"width": 1280, "height": 800}, "1920x1080": {"width": 1920, "height": 1080}}
SLOW = 120_000  # ms: saving a 40 × 40 grid on a busy 2-core machine takes seconds
PHONE = {"width": 375, "height": 812}
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


@pytest.fixture(scope="package")
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
    # flush after each test. Package scope: only this folder's tests run while it is started.
    with pytest.MonkeyPatch.context() as patch, sync_api.sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        # expect()'s own wait (5 s by default) as long as a page's: saving a 40 × 40 grid on a
        # busy 2-core machine took longer than 5 s.
        sync_api.expect.set_options(timeout=15_000)
        yield chromium
        chromium.close()


@contextmanager
def new_page(browser, axe=None, **context_options):
    """A page in a context of its own. Given `axe` (its script), every page of the context has
    axe-core loaded before its own scripts, for run_axe: one compiled script per context instead
    of one injection per page (the exploring pages' axe run, 13 pages: 12–15 s down to 9–13 s).
    An init script is not a page's script: the Content Security Policy stays on, and the pages
    are checked as visitors get them."""
    context = browser.new_context(**context_options)
    if axe is not None:
        context.add_init_script(path=str(axe))
    context.set_default_timeout(15_000)
    # Hermetic: only the live server answers (the article hotlinks images from other sites).
    context.route(OTHER_HOSTS, lambda route: route.abort())
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture(scope="module")
def axe_page(browser):
    """One page with axe-core for a module's tests that only read (a context each cost a renderer
    process); they size it and load their own pages. Without axe-core, each skips by `axe`."""
    with new_page(browser, AXE_JS if AXE_JS.is_file() else None) as page:
        yield page


def shoot(page, name):
    """A screenshot of the page as it stands, kept only when SCREENSHOTS names a folder: for
    people to look at, so a run without it takes none (26 on the exploring pages alone)."""
    folder = os.environ.get("SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"))


# --- content -----------------------------------------------------------------------------------


def seed_file(marker):
    """The launch document containing `marker` (its permalink or title)."""
    for path in sorted(SEEDS_DIR.glob("*.txt")):
        if marker in path.read_text(encoding="utf-8", errors="replace"):
            return path
    raise LookupError(f"no seed document in {SEEDS_DIR} mentions {marker!r}")


def seed(*markers):
    load_seeds(*[seed_file(marker) for marker in markers])


def pytest_collection_modifyitems(items):
    # pytest-django creates the test database only for a run whose tests ask for one; the
    # `site` fixture alone does not count, so a module run by itself would seed (and flush!)
    # the developer's own db.sqlite3. Each test's own writes still roll back.
    here = Path(__file__).parent
    for item in items:
        if item.path.is_relative_to(here) and "site" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.django_db)


@pytest.fixture(scope="module")
def site(django_db_setup, django_db_blocker):
    """The launch content on a live server of its own, for a module's tests that only read:
    its base URL. Seeded once per module and committed, so that the server's threads see it;
    the database is emptied before and after, as `transactional_db` does around each test."""
    with django_db_blocker.unblock(), seeded_live_server(seed) as url:
        yield url


@contextmanager
def seeded_live_server(seed_content):
    """A live server on the content `seed_content()` writes into an emptied database, emptied
    again afterwards: its base URL."""
    call_command("flush", interactive=False, verbosity=0)
    seed_content()
    ensure_about_page()
    server = LiveServer("localhost")
    try:
        yield server.url
    finally:
        server.stop()
        call_command("flush", interactive=False, verbosity=0)


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


# --- accessibility and valid HTML --------------------------------------------------------------


SCHEMES = ("light", "dark")  # the stylesheets follow prefers-color-scheme: both must pass


# The dark scheme changes colours only (static/css/site.css, Django admin's stylesheets): in
# it, only the rules that read colours can find anything new. A full second run cost a third
# more: the exploring pages' axe test, 16–20 s per width with it, 14 s without (run alone).
COLOUR_RULES = ["color-contrast", "link-in-text-block"]


def run_axe(page, schemes=SCHEMES):
    """axe-core's violations on the loaded page (opened by new_page(…, axe)) in each colour
    scheme, as [(scheme, violation)]: every rule in the first, the colour rules in the others.

    The scheme is switched on the page as it stands (no reload): one load serves both, which
    halves the browser suite's slowest tests."""
    found = []
    for scheme in schemes:
        page.emulate_media(color_scheme=scheme)
        # The admin's links fade to a scheme's colours (transition: color 0.15s): axe run at
        # once read the other scheme's link colour mid-fade (a page loaded in dark, checked
        # in light). Layout first, so that the fades have started, then wait for them (for
        # transitions only: an endless animation would never finish).
        page.evaluate(
            """() => { document.body.getBoundingClientRect();
                return Promise.allSettled(document.getAnimations()
                    .filter(a => a instanceof CSSTransition).map(a => a.finished)); }"""
        )
        only = {"runOnly": COLOUR_RULES} if scheme != schemes[0] else {}
        options = {"resultTypes": ["violations"], **only}
        result = page.evaluate("async (options) => await axe.run(document, options)", options)
        found += [(scheme, violation) for violation in result["violations"]]
    return found


def describe_violations(violations):
    lines = []
    for scheme, violation in violations:
        lines.append(
            f"  {scheme}: {violation['id']} ({violation['impact']}): {violation['help']} "
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
    # The JVM's quick compiler alone (which needs a larger stack here): a check of a few pages
    # is over before the optimising one pays off. 1.8 instead of 3.2 CPU-seconds for 8 pages.
    fast_start = ["-XX:TieredStopAtLevel=1", "-Xss16m"]
    result = subprocess.run(
        [java, *fast_start, "-jar", str(VNU_JAR), "--errors-only", "--format", "json", "--stdout"]
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
    # fill, not press_sequentially: typing the 25 characters key by key cost about a second per
    # sign-in (some twenty in this folder), and no test here is about typing into this form.
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base_url}/admin/")


def sign_in(page, base_url, user):
    """Sign `user` in on the page's context with a session cookie, made without the login form
    (Django's test client): its page loads and password hashing cost each test about a second
    of CPU. One test of this folder still signs in through the form (test_editors.py's import)."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": base_url}]
    )


def grid_url(base, table):
    return f"{base}/admin/platforms/comparisontable/{table.pk}/grid/"


def document_overflow(page):
    """How far the document scrolls sideways (0: it does not)."""
    return page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
