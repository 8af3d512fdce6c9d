"""Small doors found open in review: previews for staff without permissions, framed static
files, and a traceback in the log for every request to a foreign host name."""

import logging

import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from platforms.models import ComparisonPage
from sitecontent.models import Article
from sitecontent.publishing import Status

PE = "/Personalized-Engagement/"


@pytest.fixture
def drafts(seeded):
    for model in (Article, ComparisonPage):
        model.objects.update(status=Status.DRAFT)
    return [Article.objects.get().get_absolute_url(), PE]


def test_drafts_are_previewed_only_by_staff_who_may_view_them(drafts, django_user_model):
    bare = django_user_model.objects.create_user("bare", password="pw-bare-1", is_staff=True)
    client = Client()
    client.force_login(bare)
    for url in drafts:
        assert client.get(url).status_code == 404, url
    bare.user_permissions.add(
        Permission.objects.get(codename="view_article"),
        Permission.objects.get(codename="view_comparisonpage"),
    )
    client.force_login(django_user_model.objects.get(pk=bare.pk))  # permissions are cached
    for url in drafts:
        response = client.get(url)
        assert response.status_code == 200 and "Draft preview" in response.content.decode(), url


def test_static_files_cannot_be_framed(client):
    response = client.get("/static/css/site.css")
    assert response.status_code == 200
    assert response["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


def test_a_foreign_host_is_logged_in_one_line(client, caplog):
    """The record the refusal logs, written by the handler the settings give its logger."""
    name = "django.security.DisallowedHost"
    response = client.get("/", headers={"host": "evil.example"})
    assert response.status_code == 400
    [record] = [record for record in caplog.records if record.name == name]
    [handler] = [h for h in logging.getLogger(name).handlers if type(h) is logging.StreamHandler]
    written = handler.format(record)
    assert "evil.example" in written and "\n" not in written and "Traceback" not in written


def test_control_characters_never_break_a_feed(seeded, client):
    """A note or title with characters XML cannot carry: refused on input (stripped), and any
    history written before that is cleaned on the way out. Every feed answers and parses."""
    import feedparser

    from platforms.models import Cell

    cell = Cell.objects.filter(row__table__page__permalink=PE).first()
    cell.note = "Vertical\x0btab and escape\x1b[31m here"
    cell.save()
    cell.refresh_from_db()
    assert cell.note == "Verticaltab and escape[31m here"
    # A history record from before the input rule (written straight into the history table).
    cell.history.filter(pk=cell.history.latest().pk).update(
        note="Old\x0bnote\x1b", note_html="<p>Old\x0bnote\x1b</p>"
    )
    article = Article.objects.get()
    article.title = "Title with \x1b escape"
    article.status = Status.PUBLISHED
    article.save()
    assert Article.objects.get().title == "Title with  escape"
    Article.objects.update(title="Old\x0btitle")  # stored before the rule, bypassing save()
    platform = cell.row.platform.slug
    for url in ["/feed/", "/feed/atom/", "/changes/feed/", f"/changes/{platform}/feed/"]:
        response = client.get(url)
        assert response.status_code == 200, url
        parsed = feedparser.parse(response.content)
        assert not parsed.bozo and parsed.entries, url


def test_a_platform_only_in_drafts_or_scheduled_pages_is_not_public(seeded, client):
    """Editors may prepare a page about a new platform; until the page is live, the platform
    is in no list, count, form, sitemap or feed, and its own addresses answer 404."""
    from django.utils import timezone

    from platforms.models import ComparisonTable, Platform, TableRow

    secret = Platform.objects.create(name="Secretgram", slug="secretgram", order=99)
    draft = ComparisonPage.objects.create(
        title="Upcoming", permalink="/Upcoming/", status=Status.DRAFT
    )
    scheduled = ComparisonPage.objects.create(
        title="Later", permalink="/Later/", status=Status.PUBLISHED,
        publish_at=timezone.now() + timezone.timedelta(days=3),
    )  # fmt: skip
    for page in (draft, scheduled):
        table = ComparisonTable.objects.create(page=page, title="Soon", slug="soon")
        TableRow.objects.create(table=table, platform=secret, label="Secretgram")
    public_count = Platform.objects.count() - 1  # every platform but the new one
    for url in ["/", "/platforms/", "/compare/", "/choose/", "/feeds/", "/sitemap.xml",
                "/sitemap/", "/changes/"]:  # fmt: skip
        response = client.get(url)
        assert response.status_code == 200, url
        assert "Secretgram" not in response.content.decode() and "secretgram" not in (
            response.content.decode()
        ), url
    assert f"how {public_count} social platforms" in client.get("/").content.decode()
    for url in ["/platforms/secretgram/", "/compare/facebook-vs-secretgram/",
                "/changes/secretgram/", "/changes/secretgram/feed/"]:  # fmt: skip
        assert client.get(url).status_code == 404, url
    # Once the page is live, the platform is public like the others.
    draft.status = Status.PUBLISHED
    draft.save()
    assert client.get("/platforms/secretgram/").status_code == 200
    assert "Secretgram" in client.get("/platforms/").content.decode()
