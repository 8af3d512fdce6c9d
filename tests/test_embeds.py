"""Embeds: other sites may frame a table's (or one row's) embed view, and no other page; the
embed shows the data, the latest review date and a link back; each table offers its snippet."""

import datetime
import html

import pytest
from bs4 import BeautifulSoup

from platforms.models import Cell, ComparisonPage, ComparisonTable
from tests.seed_documents import normalise, note_text

pytestmark = pytest.mark.django_db

TABLE = "/embed/Personalized-Engagement/personal-engagement-across-social-networks/"


def frame_ancestors(response):
    policy = response["Content-Security-Policy"]
    return next(d for d in policy.split(";") if d.strip().startswith("frame-ancestors")).split()[1:]


def rows_of(table):
    """[(row header, [each cell's level label and note])] as a reader sees them."""

    def cell(td):
        return normalise(td.select_one(".level-label").get_text()), note_text(td)

    return [(normalise(tr.th.get_text()), [cell(td) for td in tr("td")]) for tr in table("tr")[1:]]


@pytest.mark.parametrize("url", [TABLE, f"{TABLE}row/tiktok/"])
def test_embeds_may_be_framed_by_any_site(client, seeded, url):
    for _ in range(2):  # uncached, then again: embeds never come from the page cache
        response = client.get(url)
        assert response.status_code == 200
        assert frame_ancestors(response) == ["*"]
        assert "X-Frame-Options" not in response


@pytest.mark.parametrize(
    "url",
    ["/", "/Partnerships/", "/search/?q=chat", "/data/", "/changes/", "/report/", "/sitemap/"],
)
def test_no_other_page_may_be_framed(client, seeded, url):
    for _ in range(2):  # the cached copy too
        response = client.get(url)
        assert frame_ancestors(response) == ["'none'"], url
        assert response["X-Frame-Options"] == "DENY"


def test_the_embed_shows_the_table_verified_on_and_a_link_back(client, seeded):
    table = ComparisonTable.objects.get(slug="personal-engagement-across-social-networks")
    Cell.objects.filter(capability__table=table).update(last_reviewed=datetime.date(2026, 3, 1))
    Cell.objects.filter(capability__table=table, level="full").update(
        last_reviewed=datetime.date(2026, 4, 2)
    )
    soup = BeautifulSoup(client.get(TABLE).content, "lxml")
    page = BeautifulSoup(client.get("/Personalized-Engagement/").content, "lxml")
    original = page.find(id=table.slug).table
    assert [normalise(th.get_text()) for th in soup.select("thead th")] == [
        normalise(th.get_text()) for th in original.select("thead th")
    ]
    assert rows_of(soup) == rows_of(original)
    assert "Verified on 2 April 2026" in normalise(soup.get_text())
    back = soup.select_one(".embed-credit a")
    assert back["href"].endswith(f"/Personalized-Engagement/#{table.slug}")


def test_a_row_embed_shows_only_that_platform(client, seeded):
    soup = BeautifulSoup(client.get(f"{TABLE}row/tiktok/").content, "lxml")
    labels = [normalise(tr.th.get_text()) for tr in soup.select("tbody tr")]
    assert len(labels) == 1 and labels[0].startswith("TikTok")
    assert client.get(f"{TABLE}row/no-such-platform/").status_code == 404


def test_embeds_of_drafts_and_unknown_tables_are_not_found(client, seeded):
    assert client.get("/embed/Personalized-Engagement/no-such-table/").status_code == 404
    ComparisonPage.objects.filter(permalink="/Personalized-Engagement/").update(status="draft")
    assert client.get(TABLE).status_code == 404


def test_each_table_offers_its_snippet_to_copy(client, seeded):
    soup = BeautifulSoup(client.get("/Partnerships/").content, "lxml")
    snippets = soup.select(".embed-snippet code")
    assert len(snippets) == len(soup.select("main table"))
    frame = BeautifulSoup(html.unescape(snippets[0].get_text()), "lxml").iframe
    assert frame["src"].startswith("http://testserver/embed/Partnerships/")
    assert client.get(frame["src"]).status_code == 200
