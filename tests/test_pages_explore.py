"""Exploring the data: platform profiles, capability pages, compare and the chooser, checked
against the seed documents themselves (parsed by tests/seed_documents.py)."""

import re

import pytest
from bs4 import BeautifulSoup

from platforms.models import Platform
from tests.seed_documents import (
    POINTS,
    SEED_CLAIMS,
    SEED_PAGES,
    needs_by_name,
    normalise,
    platform_slug,
)

VALID_TIME = re.compile(
    r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:?\d{2}))?$"
)


PLATFORM_SLUGS = sorted({claim[2] for claim in SEED_CLAIMS})


def soup_of(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return BeautifulSoup(response.content, "lxml")


def claim_text(element):
    element = BeautifulSoup(str(element), "lxml")
    for extra in element.select(".mark, .level-label, .stale"):
        extra.decompose()
    return normalise(element.get_text())


def claim_level(element):
    match = re.search(r"level-(full|partial|none|unknown)", " ".join(element.get("class", [])))
    return match[1] if match else ""


@pytest.fixture
def site(client, seeded):
    return client


# --- platform profiles ---------------------------------------------------------------------


def test_the_index_links_every_platform_to_its_profile(site):
    soup = soup_of(site, "/platforms/")
    links = {a["href"] for a in soup.main.select(".platform-list a")}
    assert links == {
        f"/platforms/{slug}/" for slug in Platform.objects.values_list("slug", flat=True)
    }
    assert set(PLATFORM_SLUGS) <= {href.split("/")[2] for href in links}


@pytest.mark.parametrize("slug", PLATFORM_SLUGS)
def test_a_profile_shows_exactly_that_platforms_cells_from_every_table(site, slug):
    soup = soup_of(site, f"/platforms/{slug}/")
    shown = []
    for table in soup.main.select("table.claims"):
        heading = normalise(table.find_previous("h3").get_text())
        for tr in table.select("tbody tr"):
            claim = tr.select_one(".claim")
            shown.append(
                (heading, normalise(tr.th.get_text()), claim_level(claim), claim_text(claim))
            )
    expected = [
        (caption, capability, level, text or "No data")
        for caption, _levelled, platform, _label, capability, level, text in SEED_CLAIMS
        if platform == slug
    ]
    assert sorted(shown) == sorted(expected)


@pytest.mark.parametrize("slug", PLATFORM_SLUGS)
def test_a_profile_summarises_its_levels(site, slug):
    soup = soup_of(site, f"/platforms/{slug}/")
    summary = normalise(soup.main.select_one(".summary").get_text())
    levels = [claim[5] for claim in SEED_CLAIMS if claim[2] == slug]
    for level in ("full", "partial", "none", "unknown"):
        assert f"{levels.count(level)} {level}" in summary


def test_an_unknown_platform_is_not_found_and_case_redirects(site):
    assert site.get("/platforms/myspace/").status_code == 404
    response = site.get("/platforms/TikTok/")
    assert response.status_code == 301 and response["Location"] == "/platforms/tiktok/"


def test_a_scheduled_page_joins_the_explore_pages_when_its_time_comes(site):
    """Each request compares publication times with its own "now": the explore pages and the
    open data show a scheduled page once its time has come, not before."""
    from datetime import timedelta

    import time_machine
    from django.utils import timezone

    from platforms.models import ComparisonPage

    page = ComparisonPage.objects.get(permalink="/Partnerships/")
    page.publish_at = timezone.now() + timedelta(days=2)
    page.save()
    urls = ["/platforms/tiktok/", "/compare/instagram-vs-tiktok/", "/capabilities/"]
    for url in urls:
        assert "Partnership" not in soup_of(site, url).main.get_text(), url
    data = site.get("/data/all.json").json()
    assert "/Partnerships/" not in [shown["url"] for shown in data["pages"]]
    with time_machine.travel(timezone.now() + timedelta(days=3)):
        for url in urls:
            assert "Partnership" in soup_of(site, url).main.get_text(), url
        data = site.get("/data/all.json").json()
        assert "/Partnerships/" in [shown["url"] for shown in data["pages"]]


# --- every table links rows, columns and cells ---------------------------------------------


@pytest.mark.parametrize("permalink", [page.meta["permalink"] for page in SEED_PAGES])
def test_row_headers_link_to_profiles_and_every_cell_has_an_anchor(site, permalink):
    soup = soup_of(site, permalink)
    tables = soup.main.select("table.comparison-table")
    assert tables
    for table in tables:
        section = table.find_parent("section")["id"]
        columns = [th for th in table.select("thead th")][1:]
        assert all(th.a and th.a["href"].startswith("/capabilities/") for th in columns)
        for tr in table.select("tbody tr"):
            slug = platform_slug(normalise(tr.th.get_text()))
            assert tr.th.a["href"] == f"/platforms/{slug}/"
            assert tr["id"] == f"row-{section}-{slug}"
            for th, td in zip(columns, tr.find_all("td"), strict=True):
                capability = th.a["href"].rstrip("/").rsplit("/", 1)[1]
                assert td["id"] == f"cell-{section}-{slug}-{capability}"
                assert td.select_one(f'a.claim-link[href="#{td["id"]}"]')


# --- capability pages ----------------------------------------------------------------------


def capability_links(site):
    """{(table caption, capability name): url} from the comparison pages' column headers."""
    links = {}
    for page in SEED_PAGES:
        soup = soup_of(site, page.meta["permalink"])
        for table in soup.main.select("table.comparison-table"):
            caption = normalise(table.caption.get_text())
            for th in table.select("thead th a"):
                links[(caption, normalise(th.get_text()))] = th["href"]
    return links


def test_a_capability_page_lists_every_platforms_cell_best_first(site):
    links = capability_links(site)
    checked = 0
    for (caption, capability), url in links.items():
        soup = soup_of(site, url)
        assert normalise(soup.h1.get_text()) == capability
        rows = soup.main.select("table.claims tbody tr")
        shown = [
            (normalise(tr.th.get_text()), claim_level(tr.select_one(".claim")),
             claim_text(tr.select_one(".claim")))
            for tr in rows
        ]  # fmt: skip
        expected = [
            (label, level, text or "No data")
            for table, _l, _p, label, cap, level, text in SEED_CLAIMS
            if table == caption and cap == capability
        ]
        assert sorted(shown) == sorted(expected), url
        rank = ["full", "partial", "none", "unknown", ""]
        assert [rank.index(level) for _label, level, _text in shown] == sorted(
            rank.index(level) for _label, level, _text in shown
        )
        checked += 1
    assert checked == sum(len(t.header) - 1 for page in SEED_PAGES for t in page.tables)


def test_an_unknown_capability_is_not_found(site):
    assert site.get("/capabilities/partnerships/nothing/here/").status_code == 404


# --- compare -------------------------------------------------------------------------------


def compare_rows(soup):
    """{(table heading, capability): [(level, text) per platform]}, and the differing keys."""
    rows, differing = {}, set()
    for table in soup.main.select("table.compare-table"):
        heading = normalise(table.find_previous("h2").get_text())
        for tr in table.select("tbody tr"):
            capability = normalise(tr.th.a.get_text())
            rows[(heading, capability)] = [
                (claim_level(td), claim_text(td)) for td in tr.find_all("td")
            ]
            if "differs" in tr.get("class", []):
                differing.add((heading, capability))
    return rows, differing


def expected_comparison(slugs):
    rows = {}
    for caption, levelled, platform, _label, capability, level, text in SEED_CLAIMS:
        if platform in slugs:
            cells = rows.setdefault((caption, capability), {"levelled": levelled, "cells": {}})
            cells["cells"][platform] = (level, text or "No data")
    result, differing = {}, set()
    for key, row in rows.items():
        cells = [row["cells"].get(slug, ("", "Not in this table")) for slug in slugs]
        result[key] = cells
        # Only levels are compared; notes in words are shown side by side, never "differ".
        if row["levelled"] and len({cell[0] for cell in cells}) > 1:
            differing.add(key)
    return result, differing


@pytest.mark.parametrize(
    "slugs", [["instagram", "tiktok"], ["facebook", "telegram", "slack", "tiktok"]]
)
def test_compare_shows_each_platforms_cell_for_every_capability(site, slugs):
    url = "/compare/" + "-vs-".join(slugs) + "/"
    rows, differing = compare_rows(soup_of(site, url))
    expected, expected_differing = expected_comparison(slugs)
    assert rows == expected
    assert differing == expected_differing
    only_soup = soup_of(site, url + "differences/")
    only, only_differing = compare_rows(only_soup)
    assert set(only) == expected_differing == only_differing
    assert len(expected_differing) < len(expected)
    if not expected_differing:
        assert "do not differ in any published table" in only_soup.main.get_text()


@pytest.mark.parametrize(
    ("url", "status", "location"),
    [
        ("/compare/tiktok-vs-instagram/", 301, "/compare/instagram-vs-tiktok/"),
        ("/compare/TikTok-vs-Instagram/", 301, "/compare/instagram-vs-tiktok/"),
        ("/compare/tiktok-vs-tiktok-vs-instagram/", 301, "/compare/instagram-vs-tiktok/"),
        (
            "/compare/tiktok-vs-instagram/differences/",
            301,
            "/compare/instagram-vs-tiktok/differences/",
        ),
        ("/compare/tiktok-vs-tiktok/", 404, None),
        ("/compare/tiktok/", 404, None),
        ("/compare/tiktok-vs-myspace/", 404, None),
        ("/compare/facebook-vs-twitter-vs-google-vs-telegram-vs-slack/", 404, None),
        ("/compare/?p=tiktok&p=instagram", 302, "/compare/instagram-vs-tiktok/"),
        ("/compare/?p=tiktok", 400, None),
        ("/compare/?p=tiktok&p=nope", 400, None),
    ],
)
def test_compare_addresses_are_canonical_and_bad_ones_never_error(site, url, status, location):
    response = site.get(url)
    assert response.status_code == status
    if location:
        assert response["Location"] == location
    if status == 400:
        assert "Choose between 2 and 4 different platforms" in response.content.decode()


def test_the_compare_form_is_on_the_home_page_profiles_and_the_index(site):
    for url in ("/", "/platforms/", "/platforms/tiktok/"):
        form = soup_of(site, url).main.select_one("form.compare-form")
        assert form["action"] == "/compare/" and form["method"] == "get", url
        assert len(form.select("input[name=p]")) == Platform.objects.count()


# --- choose by needs -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "chosen",
    [
        ["Live Engagement (Streaming, Spaces, etc.)", "Monetization for Creators"],
        ["One-on-One Messaging"],
        ["Public Interactions (Comments, Likes, etc.)", "AI/Algorithmic Personalization",
         "Personalized Content Sharing", "Live Engagement (Streaming, Spaces, etc.)"],
    ],
)  # fmt: skip
def test_the_chooser_ranks_platforms_as_the_seeds_say(site, chosen):
    keys = needs_by_name(soup_of(site, "/choose/"))
    query = "&".join(f"need={keys[name]}" for name in chosen)
    soup = soup_of(site, f"/choose/?{query}")
    shown = [normalise(h3.a.get_text()) for h3 in soup.main.select(".ranking .choice h3")]

    site_order = list(Platform.objects.all())
    points, full = {}, {}
    for _t, levelled, slug, _label, capability, level, _text in SEED_CLAIMS:
        if levelled and capability in chosen:
            points[slug] = points.get(slug, 0) + POINTS.get(level, 0)
            full[slug] = full.get(slug, 0) + (level == "full")
    expected = sorted(
        site_order,
        key=lambda p: (-points.get(p.slug, 0), -full.get(p.slug, 0), site_order.index(p)),
    )
    assert shown == [p.name for p in expected]
    # Why: each platform lists every chosen need with its own level.
    first = soup.main.select_one(".ranking .choice")
    assert len(first.select(".reasons li")) == len(chosen)
    # The choice stays ticked, so the address is the whole state.
    assert {i["value"] for i in soup.main.select("input[name=need][checked]")} == {
        keys[name] for name in chosen
    }


def test_the_chooser_ignores_unknown_needs_and_refuses_too_many(site):
    keys = list(needs_by_name(soup_of(site, "/choose/")).values())
    response = site.get(f"/choose/?need={keys[0]}&need=no.such.thing&colour=blue")
    assert response.status_code == 200
    text = response.content.decode()
    assert "Ignored 1 need(s)" in text and "no.such.thing" in text
    response = site.get("/choose/?" + "&".join(f"need=x{n}" for n in range(41)))
    assert response.status_code == 400
    assert "at most 40" in response.content.decode()


# --- defects --------------------------------------------------------------------------------


@pytest.mark.parametrize("permalink", [page.meta["permalink"] for page in SEED_PAGES])
def test_permalinks_that_differ_only_in_case_redirect(site, permalink):
    for variant in (permalink.lower(), permalink.upper()):
        response = site.get(variant)
        assert response.status_code == 301, variant
        assert response["Location"] == permalink


EXPLORE_PAGES = [
    "/", "/about/", "/platforms/", "/platforms/tiktok/", "/capabilities/", "/compare/",
    "/compare/instagram-vs-tiktok/",
    "/compare/facebook-vs-telegram-vs-slack-vs-tiktok/differences/",
    "/choose/", *[page.meta["permalink"] for page in SEED_PAGES],
]  # fmt: skip


@pytest.mark.parametrize("url", EXPLORE_PAGES)
def test_every_time_element_has_a_valid_datetime(site, url):
    for time in soup_of(site, url).find_all("time"):
        assert VALID_TIME.match(time["datetime"]), (url, time["datetime"])


@pytest.mark.parametrize("url", EXPLORE_PAGES)
def test_each_page_has_its_own_title_description_and_canonical_link(site, url):
    soup = soup_of(site, url)
    assert len(soup.find_all("h1")) == 1
    assert soup.title.get_text(strip=True)
    assert soup.find("meta", attrs={"name": "description"})["content"].strip()
    assert soup.find("link", rel="canonical")["href"].endswith(url.split("?")[0])


def test_titles_differ_between_pages(site):
    titles = [soup_of(site, url).title.get_text(strip=True) for url in EXPLORE_PAGES]
    assert len(set(titles)) == len(titles)


def test_the_legend_reads_level_then_meaning(site):
    legend = soup_of(site, "/Personalized-Engagement/").main.select_one(".legend")
    text = normalise(legend.get_text())
    assert "✅ Yes — full support" in text
    assert "❔ Unknown — unknown" in text
    assert all(mark["aria-hidden"] == "true" for mark in legend.select(".mark"))


@pytest.mark.parametrize(
    "url",
    ["/Partnerships/", "/platforms/tiktok/", "/compare/instagram-vs-tiktok/", "/capabilities/"],
)
def test_emoji_in_headings_and_captions_are_hidden_from_screen_readers(site, url):
    soup = soup_of(site, url)
    with_emoji = [
        element
        for element in soup.main.select("h2, h3, caption")
        if any(ord(ch) > 0x2600 for ch in element.get_text())
    ]
    assert with_emoji
    for element in with_emoji:
        spoken = BeautifulSoup(str(element), "lxml")
        for hidden in spoken.select("[aria-hidden=true]"):
            hidden.decompose()
        assert not [ch for ch in spoken.get_text() if ord(ch) > 0x2600 and ch not in "’–—"]


def test_home_page_says_what_the_site_covers_and_offers_the_ways_in(site):
    soup = soup_of(site, "/")
    main = soup.main
    assert main.select_one("form.compare-form")
    assert main.select(".platform-list a")
    assert main.select(".card-list a[href^='/blog/']")
    for page in SEED_PAGES:
        card = main.find("a", href=page.meta["permalink"]).find_parent("li")
        for table in page.tables:
            assert table.caption in normalise(card.get_text())


def test_about_page_is_linked_from_every_footer(site):
    for url in EXPLORE_PAGES:
        assert soup_of(site, url).select_one("footer a[href='/about/']"), url
    text = normalise(soup_of(site, "/about/").main.get_text())
    for words in ("What the levels mean", "sourced and reviewed", "report a mistake"):
        assert words in text


def test_the_sitemap_lists_the_new_pages(site):
    xml = site.get("/sitemap.xml").content.decode()
    for path in (
        "/platforms/",
        "/platforms/tiktok/",
        "/capabilities/",
        "/compare/",
        "/choose/",
        "/about/",
    ):
        assert f"{path}</loc>" in xml, path
    assert re.search(r"/capabilities/[^<]+/[^<]+/[^<]+/</loc>", xml)


# --- query budget ---------------------------------------------------------------------------


def test_compare_marks_only_level_differences_and_shows_word_tables_side_by_side(site):
    url = "/compare/facebook-vs-telegram-vs-slack-vs-tiktok/"
    soup = soup_of(site, url)
    word_tables = [
        t for t in soup.main.select("table.compare-table") if "levelled" not in t["class"]
    ]
    assert word_tables, "the launch content has tables without levels"
    for table in word_tables:
        assert table.select("tbody tr") and not table.select("tr.differs")
        assert "not compared" in table.find_previous("p", class_="meta").get_text()
    assert soup.main.select("table.levelled tr.differs"), "these four differ in some levels"
    differences = soup_of(site, url + "differences/")
    assert all("levelled" in t["class"] for t in differences.main.select("table.compare-table"))


def test_a_capability_page_says_what_it_is_and_leads_back_home(site):
    url = (
        "/capabilities/personalized-engagement/personal-engagement-across-social-networks/"
        "monetization-for-creators/"
    )
    soup = soup_of(site, url)
    crumbs = soup.select_one('nav[aria-label="Breadcrumb"]')
    assert [a["href"] for a in crumbs.select("a")][:2] == ["/", "/capabilities/"]
    assert "/Personalized-Engagement/" in crumbs.select("a")[-1]["href"]
    # The seeds define no column: the page still says what the column is and where it stands.
    definition = normalise(soup.select_one("p.definition").get_text())
    assert "Monetization for Creators" in definition and "Personalized" in definition
