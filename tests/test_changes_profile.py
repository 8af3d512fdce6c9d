"""A platform's profile shows the timeline of its published claims (the whole of it on a page of
its own) and the way to report one of its claims."""

import datetime

import pytest
from bs4 import BeautifulSoup

from platforms.models import (
    Cell,
    ClaimReport,
    Level,
)
from tests.conftest import cell_of, draft_edit_and_scheduled_page, edit, on

pytestmark = pytest.mark.django_db

PE, PARTNERSHIPS, TIKTOK = "/Personalized-Engagement/", "/Partnerships/", "/platforms/tiktok/"


def soup_of(response):
    assert response.status_code == 200, response.content[:300]
    return BeautifulSoup(response.content, "lxml")


def timeline(soup):
    """{date shown: (its summary, [each page's title, then its claims' (name, change, link) or
    the sentence saying it came or went whole])}, newest first."""
    days = {}
    for item in soup.select(".timeline > li"):
        date, *headings = item.find_all(["h2", "h3", "h4"])  # the day's, then its pages'
        pages = []
        for heading in headings:
            claims = heading.find_next_sibling(["ul", "p"])
            pages.append(heading.get_text())
            listed = [(li.a.get_text(), li.strong.get_text(), li.a["href"]) for li in claims("li")]
            pages += listed if claims.name == "ul" else [claims.get_text()]
        days[date.get_text()] = (item.p.get_text(" ", strip=True), pages)
    return days


def test_a_profile_shows_the_timeline_of_its_claims_and_links(client, seeded):
    declined = cell_of(PE, "tiktok", level=Level.FULL)
    noted = cell_of(PARTNERSHIPS, "tiktok")
    with on(2):
        edit(declined, level=Level.NONE, note="Withdrawn in a test")
        edit(cell_of(PE, "facebook"), note="Another platform's claim")
    with on(3):
        edit(noted, note="Reworded in a test")
        edit(declined, last_reviewed=datetime.date(2027, 1, 3))  # no change of the claim
    with on(4):
        soup = soup_of(client.get(TIKTOK)).select_one(".platform-changes")
        days = timeline(soup)
        name = BeautifulSoup(noted.capability.name_html, "lxml").get_text()
        anchor = f"cell-{noted.capability.table.slug}-tiktok-{noted.capability.slug}"
        assert list(days)[:2] == ["3 January 2027", "2 January 2027"]
        assert days["3 January 2027"] == (
            "1 claim changed: 1 note changed. See them marked on the profile",
            ["Partnerships", (name, "Note changed", f"{PARTNERSHIPS}?as_of=2027-01-03#{anchor}")],
        )
        summary, (page, (capability, change, _url)) = days["2 January 2027"]
        assert summary.startswith("1 claim changed: 1 declined.")
        assert (page, capability, change) == ("Personalized Engagement", declined.capability.name,
                                              "Declined")  # fmt: skip
        # The launch: each page came whole, its claims counted rather than listed.
        summary, pages = list(days.values())[-1]
        launched = Cell.objects.filter(row__platform__slug="tiktok").exclude(level="", note="")
        assert summary.startswith(f"{launched.count()} claims changed: {launched.count()} new.")
        assert pages[1].startswith("Published, with ")

        # A date opens the profile as it stood that day; its changes marked as ?since= marks them.
        day_two = soup.select(".timeline > li")[1]
        assert day_two.h3.a["href"] == f"{TIKTOK}?as_of=2027-01-02"  # under the section's h2
        marked = soup_of(client.get(day_two.p.a["href"]))
        marks = [(mark.find_parent("tr").th.get_text(), mark.get_text())
                 for mark in marked.select("main table .change")]  # fmt: skip
        assert marks == [(declined.capability.name, "Declined")]
        assert (
            marked.select_one(".as-of-banner").get_text().startswith("This page as it stood on 2")
        )

    top = soup_of(client.get(TIKTOK)).select_one("main .meta a")  # the way down to the timeline
    assert top.get_text() == "What changed, day by day" and top["href"] == "#changes-tiktok"
    links = {a.get_text(): a["href"] for a in soup.find_all("a", href=True)}
    assert links["The whole timeline"] == "/platforms/tiktok/timeline/"
    assert links["All changes about TikTok"] == "/changes/tiktok/"
    assert links["Atom feed"] == "/changes/tiktok/feed/"
    report = links["Report an outdated or wrong claim about TikTok"]
    form = BeautifulSoup(client.get(report).content, "lxml")
    options = [o for o in form.select("#id_cell option") if o.get("value")]
    published = Cell.objects.filter(
        row__platform__slug="tiktok", capability__table__page__status="published"
    )
    assert len(options) == published.count()
    assert all(o.get_text().startswith("TikTok · ") for o in options)
    response = client.post(
        report,
        {"cell": options[0]["value"], "message": "The monetisation rules changed in May."},
    )
    assert (
        response.status_code == 302 and ClaimReport.objects.get().cell.row.platform.slug == "tiktok"
    )


def test_the_timeline_never_shows_drafts_or_scheduled_content(client, seeded):
    cell = cell_of(PE, "tiktok")
    draft_edit_and_scheduled_page(cell)  # taken back to draft on the 2nd, edited meanwhile
    with on(4):
        soup = soup_of(client.get(f"{TIKTOK}timeline/"))
        days = timeline(soup)
        # The visitor saw the page go and come back whole, never the edit made in between.
        assert days["2 January 2027"][1][0] == "Personalized Engagement"
        assert days["2 January 2027"][1][1].startswith("Withdrawn, with ")
        assert days["3 January 2027"][1][1].startswith("Published, with ")
        text = soup.select_one("main").get_text()
        assert "Draft wording" not in text and "Soon" not in text and "Scheduled" not in text


def test_the_whole_timeline_is_paginated_by_days(client, seeded):
    cell = cell_of(PE, "tiktok")
    for number in range(2, 23):
        with on(number):
            edit(cell, note=f"Reworded on day {number}")
    with on(23):
        first = soup_of(client.get(f"{TIKTOK}timeline/"))
        assert list(timeline(first))[0] == "22 January 2027"
        assert len(timeline(first)) == 20
        assert first.select_one('a[rel="next"]')["href"] == "?page=2"
        second = soup_of(client.get(f"{TIKTOK}timeline/?page=2"))
        assert list(timeline(second))[0] == "2 January 2027"  # then the launch
        assert second.select_one('a[rel="prev"]')["href"] == "?page=1"
        # The profile shows the latest days, and leads to the rest.
        profile = timeline(soup_of(client.get(TIKTOK)))
        assert list(profile) == [f"{n} January 2027" for n in range(22, 17, -1)]
