"""'Needs attention' on the admin home: counts that link to the matching lists."""

import datetime

from bs4 import BeautifulSoup
from django.urls import reverse
from django.utils import timezone

from platforms.models import Cell, CellSource, ComparisonPage
from sitecontent.models import Article


def attention(client):
    soup = BeautifulSoup(client.get(reverse("admin:index")).content, "lxml")
    rows = soup.select("#needs-attention tr")
    return {
        row.th.get_text(strip=True): (row.td.get_text(strip=True), row.th.a["href"]) for row in rows
    }


def listed_count(client, url):
    """How many results the admin list at `url` says it shows."""
    soup = BeautifulSoup(client.get(url).content, "lxml")
    return len(soup.select("#result_list tbody tr"))


def test_needs_attention_counts_link_to_lists_with_the_same_items(seeded, staff_client):
    old = timezone.localdate() - datetime.timedelta(days=400)
    stale = list(Cell.objects.claims()[:3])
    Cell.objects.filter(pk__in=[c.pk for c in stale]).update(last_reviewed=old)
    sourced = Cell.objects.claims().exclude(pk__in=[c.pk for c in stale]).first()
    CellSource.objects.create(cell=sourced, url="https://example.org/")
    without_sources = Cell.objects.claims().count() - 1

    items = attention(staff_client)
    count, url = items["Claims last reviewed over 1 year ago"]
    assert count == "3"
    assert listed_count(staff_client, url) == 3
    count, url = items["Claims without any source"]
    assert count == str(without_sources)
    assert "attention=no-source" in url
    assert items["Partial support without a note"][0] == "none"


def test_drafts_and_scheduled_items_of_the_next_seven_days_are_counted(seeded, staff_client):
    article = Article.objects.get()
    article.status = "draft"
    article.publish_at = timezone.now() + datetime.timedelta(days=3)
    article.save()
    page = ComparisonPage.objects.first()
    page.status = "published"
    page.publish_at = timezone.now() + datetime.timedelta(days=5)
    page.save()
    ComparisonPage.objects.exclude(pk=page.pk).update(
        publish_at=timezone.now() + datetime.timedelta(days=30)
    )

    items = attention(staff_client)
    count, url = items["Articles dated in the next 7 days (drafts or scheduled)"]
    assert count == "1"
    assert article.title in staff_client.get(url).content.decode()
    count, url = items["Comparison pages dated in the next 7 days"]
    assert count == "1"
    assert listed_count(staff_client, url) == 1


def test_needs_attention_shows_only_what_the_user_may_see(seeded, client, django_user_model):
    helper = django_user_model.objects.create_user("helper", password="pw-helper-1", is_staff=True)
    client.force_login(helper)
    assert attention(client) == {}


def test_new_visitor_reports_are_counted_and_linked(seeded, staff_client):
    from platforms.models import ClaimReport, ReportStatus

    cells = list(Cell.objects.claims()[:3])
    statuses = [ReportStatus.NEW, ReportStatus.NEW, ReportStatus.REJECTED]
    for cell, status in zip(cells, statuses, strict=True):
        ClaimReport.objects.create(cell=cell, status=status, message="This looks outdated")
    count, url = attention(staff_client)["New reports from visitors"]
    assert count == "2"
    assert listed_count(staff_client, url) == 2
