"""Readable everywhere (issue 14), what the HTML itself must say: embeds label every claim with
its capability, long pages link back to their contents, every page that shows levels has the
legend, tied platforms share a place in the chooser, and platforms come in one order everywhere.
How it looks at each width is tests/browser/test_readable.py."""

import pytest
from bs4 import BeautifulSoup

from platforms.models import Level, Platform
from tests.seed_documents import POINTS, SEED_CLAIMS, needs_by_name, normalise

pytestmark = pytest.mark.django_db

LEVELLED_TABLE = "personal-engagement-across-social-networks"
EMBED = f"/embed/Personalized-Engagement/{LEVELLED_TABLE}/"


def soup_of(client, url):
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return BeautifulSoup(response.content, "lxml")


@pytest.mark.parametrize("url", [EMBED, f"{EMBED}row/telegram/"])
def test_every_claim_of_an_embed_is_labelled_with_its_capability(client, seeded, url):
    table = soup_of(client, url).table
    capabilities = [normalise(th.get_text()) for th in table.thead("th")[1:]]
    rows = table.tbody("tr")
    assert rows and capabilities
    for row in rows:
        assert [td.get("data-label") for td in row("td")] == capabilities


def test_a_page_of_several_tables_links_back_to_its_contents_after_each(client, seeded):
    soup = soup_of(client, "/Partnerships/")
    contents = soup.select_one("nav.toc")
    sections = soup.select("section.comparison")
    assert len(sections) > 1
    for section in sections:
        back = section.select(f'a[href="#{contents["id"]}"]')
        assert [normalise(a.get_text()) for a in back] == ["Back to contents"], section["id"]
    # A page of one table has no contents to go back to.
    assert not soup_of(client, "/Personalized-Engagement/").select('a[href="#contents"]')


def legends(soup):
    return [
        [normalise(dt.get_text()) for dt in legend("dt")] for legend in soup.select("dl.legend")
    ]


@pytest.mark.parametrize(
    "url",
    [
        "/Personalized-Engagement/",
        "/compare/instagram-vs-tiktok/",
        "/compare/facebook-vs-telegram-vs-slack-vs-tiktok/differences/",
        f"/capabilities/personalized-engagement/{LEVELLED_TABLE}/one-on-one-messaging/",
        f"/choose/?need=personalized-engagement.{LEVELLED_TABLE}.one-on-one-messaging",
        EMBED,
    ],
)
def test_every_page_that_shows_levels_has_one_legend(client, seeded, url):
    soup = soup_of(client, url)
    assert soup.select(".level-full .mark, .level-partial .mark, .level-none .mark"), url
    assert legends(soup) == [[f"{level.mark} {level.short_label}" for level in Level]], url


def test_a_page_without_levels_has_no_legend(client, seeded):
    url = "/capabilities/partnerships/partnership-comparison-table/ad-partnerships/"
    assert legends(soup_of(client, url)) == []


def test_tied_platforms_share_a_place_in_the_chooser(client, seeded):
    chosen = "One-on-One Messaging"
    key = needs_by_name(soup_of(client, "/choose/"))[chosen]
    soup = soup_of(client, f"/choose/?need={key}")
    shown = {
        normalise(h3.a.get_text()): normalise(h3.select_one(".place [aria-hidden]").get_text())
        for h3 in soup.select(".ranking .choice h3")
    }

    score = {p.name: (0, 0) for p in Platform.objects.all()}
    names = {p.slug: p.name for p in Platform.objects.all()}
    for _t, levelled, slug, _label, capability, level, _text in SEED_CLAIMS:
        if levelled and capability == chosen:
            score[names[slug]] = (POINTS.get(level, 0), int(level == "full"))
    expected = {}
    for name, mine in score.items():
        place = 1 + sum(1 for other in score.values() if other > mine)
        tied = list(score.values()).count(mine) > 1
        expected[name] = f"={place}" if tied else str(place)
    assert "=1" in expected.values()  # the seeds have a tie at the top: the case to show
    assert shown == expected


def test_platforms_come_in_one_order_everywhere(client, seeded):
    site_order = [p.name for p in Platform.objects.public()]
    home, index = soup_of(client, "/"), soup_of(client, "/platforms/")
    lists = {
        "home list": home.select(".platform-list a"),
        "home form": home.select(".compare-form label"),
        "index list": index.select("main .platform-list li > a"),
        "index form": index.select(".compare-form label"),
        "compare form": soup_of(client, "/compare/").select(".compare-form label"),
        "profile form": soup_of(client, "/platforms/tiktok/").select(".compare-form label"),
    }
    for where, found in lists.items():
        assert [normalise(a.get_text()) for a in found] == site_order, where
