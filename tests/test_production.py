"""Production behaviour: settings, security headers, login limits, caching, query budget."""

import json
import os
import time

import pytest
from bs4 import BeautifulSoup
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test import Client, override_settings

from platforms.models import (
    Capability,
    Cell,
    CellSource,
    ComparisonPage,
    ComparisonTable,
    TableRow,
)
from sitecontent.models import Article
from sitecontent.page_cache import CHECK_EVERY, PAGES, watch
from sitecontent.publishing import Status

from .conftest import (
    PRODUCTION_ENV,
    SEEDS_DIR,
    fetch,
    run_django,
    running_gunicorn,
)

PE = "/Personalized-Engagement/"
PUBLIC_PAGES = ["/", "/blog/", PE, "/Partnerships/"]


# --- Settings ----------------------------------------------------------------------------


@pytest.mark.processes
def test_check_deploy_prints_no_warnings_under_production_settings():
    result = run_django(
        "import django, sys; sys.argv=['manage.py','check','--deploy'];"
        "from django.core.management import execute_from_command_line;"
        "execute_from_command_line(sys.argv)",
        **PRODUCTION_ENV,
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
    assert "WARNING" not in result.stdout + result.stderr


@pytest.mark.processes
@pytest.mark.parametrize("missing", ["DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS"])
def test_production_refuses_to_start_without_a_secret_key_or_allowed_hosts(missing):
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != missing}
    result = run_django("import django; django.setup()", **env)
    assert result.returncode != 0
    assert f"{missing} must be set" in result.stderr


@pytest.mark.processes
def test_one_switch_turns_on_https_redirect_hsts_and_secure_cookies():
    code = (
        "import django, json; django.setup(); from django.conf import settings as s;"
        "print(json.dumps([s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.SESSION_COOKIE_SECURE,"
        " s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, s.CSRF_COOKIE_HTTPONLY]))"
    )
    secure = json.loads(run_django(code, **PRODUCTION_ENV).stdout)
    assert secure[0] is True and secure[1] >= 31536000 and all(secure[2:])
    plain = json.loads(run_django(code, DJANGO_SECURE="0", **PRODUCTION_ENV).stdout)
    assert plain[:4] == [False, 0, False, False]


# --- Security headers ----------------------------------------------------------------------


def csp_directives(response):
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


@pytest.mark.parametrize("url", PUBLIC_PAGES)
def test_public_pages_send_a_strict_policy_and_security_headers(seeded, client, url):
    response = client.get(url)
    policy = csp_directives(response)
    for directive in ("script-src", "style-src"):
        # Same-origin files only; a per-request nonce is added when a template uses one.
        assert all(s == "'self'" or s.startswith("'nonce-") for s in policy[directive])
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize("url", PUBLIC_PAGES)
def test_public_pages_have_no_inline_script_or_style(seeded, client, url):
    soup = BeautifulSoup(client.get(url).content, "lxml")
    # JSON-LD is a data block, never executed: the only script without src a page may carry.
    inline = [s for s in soup.find_all("script") if not s.get("src")]
    assert all(s.get("type") == "application/ld+json" for s in inline)
    assert not soup.find_all("style")
    assert not soup.select("[style]")
    assert not [tag for tag in soup.find_all(True) if any(a.startswith("on") for a in tag.attrs)]


def test_cache_hits_get_the_same_security_headers(seeded, client):
    miss, hit = client.get(PE), client.get(PE)
    for header in ("Content-Security-Policy", "X-Frame-Options", "Cross-Origin-Opener-Policy"):
        assert hit[header] == miss[header]


@override_settings(
    SECURE_SSL_REDIRECT=True,
    SECURE_HSTS_SECONDS=31536000,
    SECURE_HSTS_INCLUDE_SUBDOMAINS=True,
    SESSION_COOKIE_SECURE=True,
    CSRF_COOKIE_SECURE=True,
)
def test_with_the_secure_switch_pages_redirect_to_https_and_send_hsts(seeded, client):
    assert client.get(PE).status_code == 301
    response = client.get(PE, secure=True)
    assert response.status_code == 200
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")
    login = client.get("/admin/login/", secure=True)
    cookie = login.cookies[settings.CSRF_COOKIE_NAME]
    assert cookie["secure"] and cookie["httponly"]


def test_admin_has_its_own_policy_without_inline_scripts(seeded, staff_client):
    """The admin and the Markdown editor may use inline styles (Django's admin needs them);
    public pages may not, cached or not."""
    admin_pages = [staff_client.get(url) for url in ["/admin/", "/admin/sitecontent/article/"]] + [
        staff_client.post("/markdownx/markdownify/", {"content": "*hi*"})
    ]
    staff_client.logout()
    for response in [staff_client.get("/admin/login/"), *admin_pages]:
        policy = csp_directives(response)
        assert "'unsafe-inline'" in policy["style-src"]
        assert "'unsafe-inline'" not in policy["script-src"]
        assert policy["frame-ancestors"] == ["'none'"]
    for _ in range(2):  # rendered, then cached
        assert "'unsafe-inline'" not in csp_directives(staff_client.get(PE))["style-src"]


def test_security_txt(client, db):
    response = client.get("/.well-known/security.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    assert "Contact: " in text and "Expires: " in text


def test_repeated_failed_admin_logins_lock_the_account(db, client, django_user_model):
    django_user_model.objects.create_superuser("boss", "boss@example.org", "right-password-1")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/admin/login/", {"username": "boss", "password": "wrong"})
    locked = client.post("/admin/login/", {"username": "boss", "password": "right-password-1"})
    assert locked.status_code in (403, 429)
    assert "_auth_user_id" not in client.session
    # Another account is not locked by someone guessing at "boss".
    django_user_model.objects.create_superuser("ed", "ed@example.org", "right-password-2")
    other = Client()
    response = other.post("/admin/login/", {"username": "ed", "password": "right-password-2"})
    assert response.status_code == 302


# --- Caching -------------------------------------------------------------------------------


def test_a_repeated_request_gets_304_not_modified(seeded, client):
    first = client.get(PE)
    etag = first["ETag"]
    assert "must-revalidate" in first["Cache-Control"]
    assert client.get(PE, headers={"if-none-match": etag}).status_code == 304
    cell = Cell.objects.filter(capability__table__page__permalink=PE).first()
    cell.note = "Edited just now"
    cell.save()
    changed = client.get(PE, headers={"if-none-match": etag})
    assert changed.status_code == 200 and "Edited just now" in changed.content.decode()


def test_cached_pages_are_served_without_touching_the_database(
    seeded, client, django_assert_max_num_queries
):
    for url in PUBLIC_PAGES:
        client.get(url)
        # At most one read of the content version, which is kept for CHECK_EVERY (0.5 s).
        with django_assert_max_num_queries(1) as captured:
            for _ in range(20):
                assert client.get(url).status_code == 200
        assert all("content" in query["sql"] for query in captured.captured_queries)


def test_admin_drafts_and_previews_are_never_cached(seeded, staff_client):
    assert "no-cache" in staff_client.get("/admin/").get("Cache-Control", "")


def edits():
    """Each kind of edit an editor makes, with text that must then appear on a public page."""

    def cell():
        obj = Cell.objects.filter(capability__table__page__permalink=PE).first()
        obj.note = "Cell edited"
        obj.save()
        return PE, "Cell edited"

    def platform():
        row = TableRow.objects.filter(table__page__permalink=PE).first()
        row.label = ""
        row.save()
        row.platform.name = "Renamed platform"
        row.platform.save()
        return PE, "Renamed platform"

    def capability():
        obj = Capability.objects.filter(table__page__permalink=PE).first()
        obj.name = "Renamed column"
        obj.save()
        return PE, "Renamed column"

    def table():
        obj = ComparisonTable.objects.get(page__permalink=PE)
        obj.takeaways = "A new takeaway"
        obj.save()
        return PE, "A new takeaway"

    def source():
        obj = Cell.objects.filter(capability__table__page__permalink=PE).first()
        CellSource.objects.create(cell=obj, url="https://example.org/s", title="A new source")
        return PE, "A new source"

    def page():
        obj = ComparisonPage.objects.get(permalink=PE)
        obj.heading = "A new heading"
        obj.save()
        return PE, "A new heading"

    def navigation():
        obj = ComparisonPage.objects.get(permalink="/Partnerships/")
        obj.title = "Partners in navigation"
        obj.save()
        return "/blog/", "Partners in navigation"

    def article():
        obj = Article.objects.get()
        obj.title = "A retitled article"
        obj.save()
        return "/", "A retitled article"

    def unpublish():
        obj = Article.objects.get()
        title = obj.title
        obj.status = Status.DRAFT
        obj.save()
        return "/blog/", f"!{title}"

    return [cell, platform, capability, table, source, page, navigation, article, unpublish]


def assert_shows(html, expected):
    if expected.startswith("!"):
        assert expected[1:] not in html
    else:
        assert expected in html


@pytest.mark.parametrize("edit", edits(), ids=lambda f: f.__name__)
def test_every_kind_of_edit_shows_at_once_on_cached_pages(seeded, client, edit):
    for url in [*PUBLIC_PAGES, "/feed/"]:
        client.get(url)  # everything is cached now
    url, expected = edit()
    assert_shows(client.get(url).content.decode(), expected)


# --- Two processes sharing PostgreSQL and Redis --------------------------------------------


@pytest.fixture
def second_process(transactional_db):
    if connection.vendor != "postgresql" or not settings.REDIS_URL:
        pytest.skip("needs DATABASE_URL=postgres://… and REDIS_URL=redis://… (see .ci/run)")
    call_command("import_markdown", str(SEEDS_DIR), verbosity=0)
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "sitecontent.settings.test",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "REDIS_URL": settings.REDIS_URL,
    }
    with running_gunicorn(env, workers=2) as base:
        yield base


@pytest.mark.services
@pytest.mark.parametrize("edit", edits(), ids=lambda f: f.__name__)
def test_an_edit_in_one_process_shows_at_once_in_another_sharing_redis(second_process, edit):
    for url in [*PUBLIC_PAGES, "/feed/"]:
        fetch(second_process + url)
        fetch(second_process + url)
    url, expected = edit()
    # Redis brings the news at once; at worst each worker reads the database CHECK_EVERY.
    time.sleep(CHECK_EVERY)
    for _ in range(3):  # every worker of the other process
        assert_shows(fetch(second_process + url), expected)


def test_pages_work_with_debug_off_after_collectstatic(seeded, client, settings, tmp_path):
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    call_command("collectstatic", "--noinput", verbosity=0)
    soup = BeautifulSoup(client.get(PE).content, "lxml")
    stylesheet = soup.select_one('link[rel="stylesheet"]')["href"]
    assert stylesheet.startswith("/static/css/site.") and stylesheet != "/static/css/site.css"
    assert (tmp_path / stylesheet.removeprefix("/static/")).is_file()
    assert (tmp_path / (stylesheet.removeprefix("/static/") + ".gz")).is_file()


def test_query_string_variants_are_not_cached(seeded, client):
    assert client.get(PE + "?utm=1").status_code == 200
    assert PAGES.get(f"http://testserver{PE}", watch.current()) is None
    client.get(PE)
    assert PAGES.get(f"http://testserver{PE}", watch.current()) is not None


def test_the_500_page_is_in_the_sites_look_and_needs_no_database(db, rf, django_assert_num_queries):
    from django.views.defaults import server_error

    with django_assert_num_queries(0):
        response = server_error(rf.get("/"))
    soup = BeautifulSoup(response.content, "lxml")
    assert response.status_code == 500
    assert len(soup.find_all("h1")) == 1
    assert soup.select_one('link[rel="stylesheet"]')["href"].startswith("/static/css/site")
    assert soup.select_one(".site-header .site-name").get_text() == settings.SITE_NAME
