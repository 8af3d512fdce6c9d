"""The public change log and its Atom feeds: an editor's change in the admin shows with
before → after; changes to drafts and to staff-only fields never do; the page costs the same
few queries whatever the history's length."""

import feedparser
import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.test.utils import CaptureQueriesContext

from platforms.models import Cell, ComparisonPage

pytestmark = pytest.mark.django_db

NEW_NOTE = "Live rooms for everyone since the spring update"


def form_data(form):
    """What a browser would submit for this form as it stands."""
    data = {}
    for field in form.find_all(["input", "select", "textarea"]):
        name = field.get("name")
        if not name or field.get("type") in ("submit", "button", "file"):
            continue
        if field.get("type") in ("checkbox", "radio") and not field.has_attr("checked"):
            continue
        if field.name == "select":
            chosen = field.find("option", selected=True)
            data[name] = chosen["value"] if chosen else ""
        elif field.name == "textarea":
            data[name] = field.get_text()
        else:
            data[name] = field.get("value", "")
    return data


def edit_cell_in_admin(client, cell, **changes):
    url = f"/admin/platforms/cell/{cell.pk}/change/"
    soup = BeautifulSoup(client.get(url).content, "lxml")
    data = {**form_data(soup.find("form", id="cell_form")), **changes}
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]


def partial_cell(permalink="/Personalized-Engagement/"):
    return (
        Cell.objects.filter(level="partial", capability__table__page__permalink=permalink)
        .select_related("row__platform", "capability")
        .first()
    )


def change_titles(client, url):
    soup = BeautifulSoup(client.get(url).content, "lxml")
    return [li.get_text(" ", strip=True) for li in soup.select(".change-log li")]


def feed(client, url):
    parsed = feedparser.parse(client.get(url).content)
    assert parsed.version == "atom10" and not parsed.bozo, parsed.get("bozo_exception")
    return parsed


def test_an_admin_change_shows_in_the_log_and_both_feeds(client, staff_client, seeded):
    cell = partial_cell()
    old_note = cell.note
    edit_cell_in_admin(staff_client, cell, level="full", note=NEW_NOTE)
    title = f"{cell.row.platform.name} · {cell.capability.name}: Partial → Full; note changed"

    [entry] = [text for text in change_titles(client, "/changes/") if title in text]
    assert NEW_NOTE in entry and old_note.replace("**", "") in entry
    soup = BeautifulSoup(client.get("/changes/").content, "lxml")
    link = soup.find("a", string=title)["href"]
    assert link.startswith("/Personalized-Engagement/#cell-")
    page = BeautifulSoup(client.get("/Personalized-Engagement/").content, "lxml")
    assert NEW_NOTE in page.find(id=link.split("#")[1]).get_text()

    for url in ("/changes/feed/", f"/changes/{cell.row.platform.slug}/feed/"):
        [item] = [e for e in feed(client, url).entries if e.title == title]
        assert item.link.endswith(link)
        assert f"→ after: {NEW_NOTE}" in item.summary
        assert "Note before: " in item.summary
    assert title in change_titles(client, f"/changes/{cell.row.platform.slug}/")[0]


def test_changes_to_drafts_and_staff_only_fields_never_show(client, staff_client, seeded):
    draft_cell = partial_cell("/Personalized-Engagement/")
    ComparisonPage.objects.filter(pk=draft_cell.capability.table.page_id).update(status="draft")
    edit_cell_in_admin(staff_client, draft_cell, level="full", note=NEW_NOTE)
    other = Cell.objects.filter(capability__table__page__permalink="/Partnerships/").first()
    edit_cell_in_admin(staff_client, other, last_reviewed="2026-01-05")

    for url in ("/changes/", f"/changes/{draft_cell.row.platform.slug}/"):
        text = " ".join(change_titles(client, url))
        assert NEW_NOTE not in text and draft_cell.capability.name not in text
        assert other.capability.name not in text
    for url in ("/changes/feed/", f"/changes/{draft_cell.row.platform.slug}/feed/"):
        text = " ".join(entry.title + entry.summary for entry in feed(client, url).entries)
        assert NEW_NOTE not in text and draft_cell.capability.name not in text


def test_new_pages_and_articles_are_in_the_log(client, seeded):
    texts = " ".join(change_titles(client, "/changes/"))
    for page in ComparisonPage.objects.published():
        assert f"New comparison page: {page.title}" in texts
    assert "New article: " in texts


def test_the_log_costs_the_same_queries_whatever_the_history_length(client, seeded):
    cells = list(
        Cell.objects.filter(capability__table__page__permalink="/Partnerships/").order_by("pk")
    )

    def queries_for_log():
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/changes/?page=1").status_code == 200
        return len(queries)

    for cell in cells[:3]:
        cell.note += " (updated)"
        cell.save()
    few = queries_for_log()
    for cell in cells[3:80]:
        cell.note += " (updated)"
        cell.save()
    many = queries_for_log()
    # At most one query per kind of entry on the page: never more as the history grows.
    assert many <= few <= 8
    soup = BeautifulSoup(client.get("/changes/").content, "lxml")
    assert len(soup.select(".change-log li")) == 30
    older = soup.find("a", rel="next")["href"]
    assert client.get(f"/changes/{older}").status_code == 200
    assert client.get("/changes/?page=9999").status_code == 200  # the last page, not an error
    assert client.get("/changes/no-such-platform/").status_code == 404
