import datetime
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from contextlib import contextmanager
from http.server import ThreadingHTTPServer
from importlib import import_module
from io import BytesIO
from pathlib import Path

import hypothesis
import pytest
import time_machine
from django.apps import apps
from django.core.cache import cache
from django.core.management import call_command
from django.core.management.color import no_style
from django.core.signals import setting_changed
from django.db import connection
from django.dispatch import receiver
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from sitecontent.page_cache import PAGES, RedisNews, retire_pages, watch

# pytest caches the test modules it rewrites (in __pycache__, which git ignores) even where
# PYTHONDONTWRITEBYTECODE is set, as on the CI machine: rewriting all of them again in every
# test worker took 5.5 of its 9 seconds of collection (pytest --collect-only, timed).
sys.dont_write_bytecode = False

ROOT = Path(__file__).resolve().parent.parent
PROJECT_SEEDS = ROOT / "sitecontent" / "seeds"
# The launch documents as the CEO shared them; the project ships an identical copy.
SHARED_SEEDS = Path(__file__).resolve().parent.parent.parent / "shared" / "seeds"
SEEDS_DIR = SHARED_SEEDS if SHARED_SEEDS.is_dir() else PROJECT_SEEDS

# Property tests (the export/import round trip): a few examples on every run; .ci/run's
# PostgreSQL pass sets HYPOTHESIS_PROFILE=ci for 300, derandomised as Hypothesis does on CI.
hypothesis.settings.register_profile("dev", max_examples=20)
hypothesis.settings.register_profile("ci", hypothesis.settings.get_profile("ci"), max_examples=300)
hypothesis.settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


def read_seed(path):
    """A seed's text, repaired independently of the importer: the whole text round-trips
    through Mac Roman only if it is UTF-8 that was once read as Mac Roman."""
    text = path.read_text("utf-8")
    try:
        return text.encode("mac_roman").decode("utf-8")
    except UnicodeError:
        return text


def write_seed_copies(folder, copies):
    """The comparison seeds again under other permalinks (/Partnerships-2/…), one file each
    per copy number: more content of the same shape."""
    for number in copies:
        for path in SEEDS_DIR.glob("*.txt"):
            text = path.read_text("utf-8")
            if "permalink:" not in text:
                continue
            text = re.sub(r"permalink: /([^/\n]+)/", rf"permalink: /\1-{number}/", text)
            (folder / f"{number}-{path.name}").write_text(text, "utf-8")


# pytest-xdist hands each worker whole files, in collection order (pyproject.toml): these, the
# slowest, first. Left to its own order (most tests first) it sent the one-test file that grows
# the content tenfold last, and one core waited 20 s for it at the end of every run.
SLOWEST_FIRST = ("tests/browser/", "tests/test_cache_processes.py", "tests/test_query_budgets.py")


def pytest_collection_modifyitems(items):
    items.sort(key=lambda item: not item.nodeid.startswith(SLOWEST_FIRST))


@pytest.fixture(autouse=True)
def empty_cache():
    # Pages too, and the content version this process read: each test starts from a rolled-back
    # database, whose version may repeat one read in the test before (a rollback is the one way
    # a version goes back, and only tests roll committed-looking changes back).
    cache.clear()
    PAGES.clear()
    watch.forget()
    yield
    cache.clear()
    PAGES.clear()
    watch.forget()


@receiver(setting_changed)
def page_cache_settings_changed(*, setting, **kwargs):
    """The page cache reads these settings once (its news channel, hosts, CDN times): a test that
    overrides one gets them read afresh. Django sends setting_changed only in tests."""
    if setting.startswith(("REDIS_URL", "CONTENT_GENERATION_FILE", "ALLOWED_HOSTS", "CDN_")):
        with watch.lock:
            if isinstance(watch.news, RedisNews):
                watch.news.stopped.set()  # its listener thread ends
            watch.news = None
            watch.forget()
        PAGES.clear()


def render_afresh():
    """Every page from scratch, none helped by what another request cached."""
    PAGES.clear()


def page_queries(client, url):
    """(response, how many queries its page took), the page rendered afresh. Not counted: the
    page cache's read of the content version, once per 0.5 s per process or on news, which
    with Redis any test worker's change brings (they share the channel)."""
    from sitecontent.models import ContentVersion

    render_afresh()
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    table = ContentVersion._meta.db_table
    return response, sum(table not in query["sql"] for query in context.captured_queries)


# Rows written by the first real import of each set of seed documents, replayed in bulk later:
# importing takes over a second, replaying a few milliseconds.
_snapshots = {}


def _content_models():
    # Not the content version (the replay's deletes bump it, as any change does), nor the About
    # page, which its migration writes, not the seeds.
    return [
        model
        for app in ("platforms", "sitecontent")
        for model in apps.get_app_config(app).get_models()
        if model._meta.model_name not in ("contentversion", "aboutpage", "historicalaboutpage")
    ]


def load_seeds(*paths):
    """The seed documents at `paths` (all of them by default) imported as the quick start does,
    in place of any content: by the importer the first time in this process, then replayed. Per
    day, as the rows' history is dated (a test may import them on an earlier day).

    The replay writes the stored rows back as the database returned them, in plain SQL: rebuilt
    through the ORM (model instances, delete signals, bulk_create) it took 620 ms, the largest
    single cost of the suite with some 200 tests seeded (tests/conftest.py, five replays timed)."""
    ensure_about_page()
    key = (timezone.localdate(), *map(str, paths or [SEEDS_DIR]))
    tables = [(model._meta.db_table, stored_columns(model)) for model in _content_models()]
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        if key not in _snapshots:
            call_command("import_markdown", *key[1:], verbosity=0)
            _snapshots[key] = []
            for table, columns in tables:
                cursor.execute(f"SELECT {', '.join(map(quote, columns))} FROM {quote(table)}")
                _snapshots[key].append(cursor.fetchall())
            return
        for table, _columns in reversed(tables):
            cursor.execute(f"DELETE FROM {quote(table)}")
        for (table, columns), rows in zip(tables, _snapshots[key], strict=True):
            if rows:
                cursor.executemany(
                    f"INSERT INTO {quote(table)} ({', '.join(map(quote, columns))}) "
                    f"VALUES ({', '.join(['%s'] * len(columns))})",
                    rows,
                )
        for statement in connection.ops.sequence_reset_sql(no_style(), _content_models()):
            cursor.execute(statement)
    retire_pages()  # what the rows' signals would have said
    cache.clear()


def stored_columns(model):
    """The columns an INSERT writes: not those the database computes (GeneratedField)."""
    return [field.column for field in model._meta.concrete_fields if not field.generated]


def ensure_about_page():
    """The About page as the migrations leave it (a database flush removes it)."""
    import_module("sitecontent.migrations.0003_about_page").create_about_page(apps, None)
    facts = import_module("sitecontent.migrations.0007_about_promises_only_what_data_has")
    facts.tell_the_facts(apps, None)


@pytest.fixture
def seeded(db):
    """The launch content imported from the seed files, as the quick start does."""
    load_seeds()


# --- edits on later days (time-machine), for pages as they stood and what changed since ------


def day(number, hour=12):
    """Noon (UTC) on the number-th day of January 2027, after the seeds' history (today)."""
    return datetime.datetime(2027, 1, number, hour, tzinfo=datetime.UTC)


def on(number, hour=12):
    return time_machine.travel(day(number, hour), tick=False)


def cell_of(page, platform_slug, **filters):
    """The first cell (in column order) of a platform on a page (a permalink)."""
    from platforms.models import Cell

    cells = Cell.objects.filter(capability__table__page__permalink=page, **filters)
    return cells.filter(row__platform__slug=platform_slug).order_by("capability__order").first()


def edit(cell, **values):
    for name, value in values.items():
        setattr(cell, name, value)
    cell.full_clean()
    cell.save()


def draft_edit_and_scheduled_page(cell):
    """On day 2 the cell's page goes back to draft and the cell is edited ("Draft wording"),
    and a page scheduled for day 9 gets the cell's platform a claim ("Scheduled wording"); on
    day 3 the cell is edited again ("Wording at publication") and its page published again."""
    from platforms.models import Capability, Cell, ComparisonPage, ComparisonTable, TableRow
    from sitecontent.publishing import Status

    page = cell.capability.table.page
    with on(2):
        page.status = Status.DRAFT
        page.save()
        edit(cell, note="Draft wording")
        scheduled = ComparisonPage.objects.create(
            title="Scheduled", permalink="/Scheduled/", status=Status.PUBLISHED, publish_at=day(9)
        )
        table = ComparisonTable.objects.create(page=scheduled, title="Soon", slug="soon")
        row = TableRow.objects.create(table=table, platform=cell.row.platform)
        soon = Capability.objects.create(table=table, name="Soon", slug="soon")
        Cell.objects.create(row=row, capability=soon, note="Scheduled wording")
    with on(3):
        edit(cell, note="Wording at publication")
        page.status = Status.PUBLISHED
        page.save()


def queries_per_page(client, urls):
    """{url: how many queries its page took}, each page rendered afresh."""
    counts = {}
    for url in urls:
        response, counts[url] = page_queries(client, url)
        assert response.status_code == 200, url
    return counts


@pytest.fixture
def staff_user(django_user_model):
    return django_user_model.objects.create_superuser("chief", "chief@example.org", "pw-chief-1")


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


def form_fields(html, selector="form"):
    """What a browser would submit from the form matching `selector` in `html`, unchanged."""
    from bs4 import BeautifulSoup

    form = BeautifulSoup(html, "lxml").select_one(selector)
    data = {}
    for field in form.select("input[name], select[name], textarea[name]"):
        name, kind = field["name"], field.get("type", "text")
        if field.name == "select":
            chosen = field.select_one("option[selected]") or field.select_one("option")
            # Its own text: html.parser nests options whose end tags are left out (the grid's).
            text = chosen and chosen.find(string=True, recursive=False) or ""
            data[name] = chosen.get("value", text.strip()) if chosen else ""
        elif field.name == "textarea":
            data[name] = field.get_text().removeprefix("\n")
        elif kind in {"checkbox", "radio"}:
            if field.has_attr("checked"):
                data[name] = field.get("value", "on")
        elif kind not in {"submit", "button", "file", "image", "reset"}:
            data[name] = field.get("value", "")
    return data


# --- other processes (production settings, gunicorn), for what one process cannot show -----


def run_django(code, **env):
    """Run code in a fresh Python with production settings and the given environment."""
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("DJANGO_") and k not in ("DATABASE_URL", "REDIS_URL")
    }
    clean.update({"DJANGO_SETTINGS_MODULE": "sitecontent.settings.production", **env})
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=clean, capture_output=True, text=True
    )


PRODUCTION_ENV = {
    "DJANGO_SECRET_KEY": "x" * 60 + "-production-test-key-0123456789",
    "DJANGO_ALLOWED_HOSTS": "compare.example.org",
}


def png_bytes(size=(4, 4)):
    """A real PNG image, for uploads and for the images an import fetches."""
    output = BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(output, format="PNG")
    return output.getvalue()


@contextmanager
def loopback_server(handler):
    """An HTTP server on a free port of 127.0.0.1 answering with `handler` (a
    BaseHTTPRequestHandler), in threads of this process; yields its address, host:port.
    It checks for shutdown every 50 ms: at the default 0.5 s, every test that used one waited
    half a second at its end (13 tests, 6.5 s of the suite)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    try:
        yield f"127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def running_gunicorn(env, workers):
    """The site under gunicorn with `env`, on a free port: yields its base URL."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-w", str(workers), "-b", f"127.0.0.1:{port}"]
        + ["sitecontent.wsgi"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    try:
        while True:
            try:
                urllib.request.urlopen(base + "/robots.txt", timeout=1)
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    server.kill()
                    pytest.fail(f"gunicorn did not start: {server.stderr.read().decode()[-2000:]}")
                time.sleep(0.2)
        yield base
    finally:
        # SIGQUIT: gunicorn's immediate stop; its graceful one (SIGTERM) took over 10 s to end
        # at a load average of 18 and failed a test that had passed.
        server.send_signal(signal.SIGQUIT)
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def fetch(url):
    """The text of a page another process serves."""
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read().decode()


def grid_post_data(table, client):
    """The grid form as a browser would submit it: every field with its current value."""
    html = client.get(reverse("admin:platforms_comparisontable_grid", args=[table.pk])).content
    return form_fields(html, "form.grid-editor")


@pytest.fixture
def second_editor(staff_user, django_user_model):
    """Another staff member's browser, for two editors working on the same page."""
    from django.test import Client

    other = django_user_model.objects.create_superuser("deputy", "deputy@example.org", "pw-2")
    client = Client()
    client.force_login(other)
    return client


def save_after_someone_else(url, mine, theirs, *, my_changes, their_changes, selector):
    """Both editors open the page at `url`; the second saves `their_changes`, then the first
    posts `my_changes` from the page as it first loaded. Returns the first's response."""
    my_form = form_fields(mine.get(url).content, selector)
    their_form = form_fields(theirs.get(url).content, selector)
    assert theirs.post(url, {**their_form, **their_changes}).status_code == 302
    return mine.post(url, {**my_form, **my_changes})
