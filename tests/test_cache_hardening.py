"""The page cache under attack and outage: Host variants, Redis down or hung, lost news, CDN
headers. Outages across processes: test_cache_processes.py."""

import contextlib
import socket
import time

from bs4 import BeautifulSoup
from django.db import connection
from django.test import override_settings

from platforms.markdown_io import import_documents
from platforms.models import Cell
from sitecontent import page_cache
from sitecontent.models import ContentVersion
from sitecontent.page_cache import CHECK_EVERY, PAGES, watch

from .conftest import SEEDS_DIR, free_port

PE = "/Personalized-Engagement/"


def redis_news_at(port):
    """Redis (news of changes) at `port` on this machine."""
    return override_settings(REDIS_URL=f"redis://127.0.0.1:{port}/0", CONTENT_GENERATION_FILE=None)


def edit_note(text):
    cell = Cell.objects.filter(capability__table__page__permalink=PE).first()
    cell.note = text
    cell.save()


def canonical_link(response):
    return BeautifulSoup(response.content, "lxml").select_one('link[rel="canonical"]')["href"]


# --- Host header variants ---------------------------------------------------------------------

HOST_VARIANTS = [
    "TestServer",
    "testserver.",
    "TESTSERVER.",
    "testserver:10001",
    "testserver:80",
    "TestServer.:10001",
]


def test_host_header_variants_make_no_new_cache_entries(seeded, client):
    assert client.get(PE).status_code == 200
    assert len(PAGES.entries) == 1
    for host in HOST_VARIANTS:
        for port in range(10002, 10012):  # ten ports of each variant: one kept would show
            response = client.get(PE, headers={"host": f"{host.split(':')[0]}:{port}"})
            assert response.status_code == 200
        assert client.get(PE, headers={"host": host}).status_code == 200
    assert len(PAGES.entries) == 1


def test_a_host_variant_is_served_the_canonical_page(seeded, client):
    canonical = client.get(PE)
    variant = client.get(PE, headers={"host": "TestServer."})
    assert variant.content == canonical.content
    assert canonical_link(variant) == f"http://testserver{PE}"


def test_another_port_is_rendered_for_itself_and_not_kept(seeded, client):
    response = client.get(PE, headers={"host": "testserver:10001"})
    assert canonical_link(response) == f"http://testserver:10001{PE}"
    assert PAGES.entries == {}


def test_each_allowed_host_has_its_own_entry_and_links(seeded, client, settings):
    settings.ALLOWED_HOSTS = ["testserver", "compare.example.org"]
    client.get(PE)
    other = client.get(PE, headers={"host": "Compare.Example.org."})
    assert canonical_link(other) == f"http://compare.example.org{PE}"
    assert len(PAGES.entries) == 2


def test_a_wildcard_allowed_host_is_served_but_never_cached(seeded, client, settings):
    settings.ALLOWED_HOSTS = ["testserver", ".example.org"]
    for number in range(20):
        assert client.get(PE, headers={"host": f"n{number}.example.org"}).status_code == 200
    assert PAGES.entries == {}


def test_pages_that_no_longer_exist_are_not_kept(seeded, client):
    from platforms.models import ComparisonPage

    client.get("/Partnerships/")
    client.get(PE)
    assert len(PAGES.entries) == 2
    ComparisonPage.objects.get(permalink="/Partnerships/").delete()
    assert client.get("/Partnerships/").status_code == 404
    assert PAGES.get("http://testserver/Partnerships/", watch.current()) is None
    client.get(PE)
    assert len(PAGES.entries) == 1


# --- Redis unreachable, hung or restarted: pages fresh from the database -----------------------


def test_redis_at_a_closed_port_serves_every_public_page_cached(seeded, client):
    with redis_news_at(free_port()):
        for url in ["/", "/blog/", PE, "/Partnerships/", "/feed/", "/sitemap.xml"]:
            assert client.get(url).status_code == 200, url
            assert client.get(url).status_code == 200, url
            assert PAGES.get(f"http://testserver{url}", watch.current()) is not None, url


def test_an_edit_while_redis_is_down_is_saved_shown_and_said_truthfully(
    seeded, client, caplog, django_capture_on_commit_callbacks
):
    with redis_news_at(free_port()):
        client.get(PE)
        with django_capture_on_commit_callbacks(execute=True):
            edit_note("Saved while Redis was down")
        assert "Saved while Redis was down" in client.get(PE).content.decode()
    assert "other processes read it from the database" in caplog.text
    assert "retrying" not in caplog.text


def test_a_change_without_news_shows_within_half_a_second(seeded, client):
    """Another process changed the content and its news was lost (the database is shared, the
    news file or Redis is not): this process still reads the version from the database."""
    client.get(PE)
    assert PAGES.get(f"http://testserver{PE}", watch.current()) is not None
    Cell.objects.filter(capability__table__page__permalink=PE).update(
        note="Changed elsewhere", note_html="Changed elsewhere"
    )
    ContentVersion.bump()  # what that process's change did, in its own transaction
    time.sleep(CHECK_EVERY)
    assert "Changed elsewhere" in client.get(PE).content.decode()


@contextlib.contextmanager
def silent_server():
    """A port that accepts connections and never answers, like a hung Redis."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(64)
        yield server.getsockname()[1]


def test_a_hung_redis_costs_no_request_a_wait_and_a_save_one_short_timeout(
    seeded, client, django_capture_on_commit_callbacks
):
    with silent_server() as port, redis_news_at(port):
        started = time.monotonic()
        for _ in range(6):
            assert client.get(PE).status_code == 200
        pages = time.monotonic() - started
        started = time.monotonic()
        with django_capture_on_commit_callbacks(execute=True):
            edit_note("Saved while Redis hung")
        save = time.monotonic() - started
        assert "Saved while Redis hung" in client.get(PE).content.decode()
    # Bounds loose enough for a loaded CI machine, tight enough to tell a hang (no timeout at
    # all) or waits of 0.25 s on every request from none.
    assert pages < 1.0
    assert save < 3.0


# --- A shared cache (CDN) in front ----------------------------------------------------------------


def test_pages_are_never_stale_in_shared_caches_by_default(seeded, client):
    control = client.get(PE)["Cache-Control"]
    assert "s-maxage" not in control and "must-revalidate" in control


def test_the_cdn_setting_lets_shared_caches_keep_pages(seeded, client, settings):
    settings.CDN_S_MAXAGE = 60
    settings.CDN_STALE_WHILE_REVALIDATE = 30
    for _ in range(2):  # the render, then the cached copy
        control = client.get(PE)["Cache-Control"]
        assert "s-maxage=60" in control and "stale-while-revalidate=30" in control
        assert "max-age=0" in control and "must-revalidate" not in control
    assert "s-maxage" not in client.get("/admin/login/").get("Cache-Control", "")


# --- The news file (default set-up) ------------------------------------------------------------


def test_a_removed_news_file_delays_nothing(
    seeded, client, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.REDIS_URL = ""
    settings.CONTENT_GENERATION_FILE = tmp_path / "news" / "content-changed"
    client.get(PE)
    with django_capture_on_commit_callbacks(execute=True):
        edit_note("Announced in a new file")
    assert settings.CONTENT_GENERATION_FILE.is_file()
    settings.CONTENT_GENERATION_FILE.unlink()  # an operator cleaning up, a redeploy…
    assert "Announced in a new file" in client.get(PE).content.decode()
    edit_note("Changed after the file went")
    assert "Changed after the file went" in client.get(PE).content.decode()


# --- Other users of the shared cache ------------------------------------------------------------


def test_the_claim_report_form_works_while_redis_is_down(seeded, client):
    from platforms.models import ClaimReport

    cell = Cell.objects.filter(level="partial").first()
    data = {
        "cell": cell.pk,
        "website": "",
        "message": "Live engagement became full support in March; the note is out of date.",
        "source_url": "https://example.org/announcement",
        "email": "reader@example.org",
    }
    with redis_news_at(free_port()):
        assert client.get(f"/report/?cell={cell.pk}").status_code == 200
        assert client.post(f"/report/?cell={cell.pk}", data).status_code == 302
    assert ClaimReport.objects.count() == 1


def test_concurrent_misses_of_one_page_render_it_once(db, rf):
    """After an edit every page is a miss at once: eight requests for the same page in one
    process render it once; the others are answered from that render."""
    import threading

    from django.http import HttpResponse

    renders = []

    @page_cache.cacheable
    def slow_view(request):
        renders.append(request.path)
        time.sleep(0.3)
        return HttpResponse(f"<p>{request.path}</p>")

    middleware = page_cache.PublicPageCacheMiddleware(slow_view)
    answers = []

    def visit(path):
        try:
            answers.append(middleware(rf.get(path)).content)
        finally:
            connection.close()  # the thread's own, opened to read the content version

    threads = [threading.Thread(target=visit, args=("/one/",)) for _ in range(8)]
    threads.append(threading.Thread(target=visit, args=("/two/",)))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert sorted(renders) == ["/one/", "/two/"]
    assert sorted(answers) == [b"<p>/one/</p>"] * 8 + [b"<p>/two/</p>"]


# --- imports ----------------------------------------------------------------------------------


def test_an_import_retires_the_cached_pages_once_and_only_when_it_changes_something(seeded, client):
    seed = next(path for path in SEEDS_DIR.glob("*.txt") if PE in path.read_text("utf-8"))
    text = seed.read_text("utf-8")
    before = client.get(PE).content.count(b"level-none")  # and cached
    version = ContentVersion.read()
    assert not import_documents([(seed.name, text.encode())]).changed
    assert ContentVersion.read() == version  # nothing changed: the copy stays good
    assert import_documents([(seed.name, f"{text}\nA closing word.\n".encode())], dry_run=True)
    assert ContentVersion.read() == version  # a preview writes nothing
    report = import_documents([(seed.name, text.replace("| ✅", "| ❌", 3).encode())])
    assert report.changed and ContentVersion.read() == version + 1  # once for many saves
    assert client.get(PE).content.count(b"level-none") == before + 3  # never stale
