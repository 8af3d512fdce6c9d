"""Sharing and discovery: Open Graph and Twitter cards with absolute URLs, JSON-LD of the
expected types, robots.txt and both sitemaps listing every public page, the article feeds in
RSS and Atom, both advertised, and the /feeds/ page listing every feed."""

import json
import xml.etree.ElementTree as ET
from urllib.parse import urlsplit

import feedparser
import pytest
from bs4 import BeautifulSoup

from platforms.models import ComparisonPage, Platform
from sitecontent.models import Article

pytestmark = pytest.mark.django_db

SITEMAP_NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}
NEW_PAGES = ["/changes/", "/data/", "/sitemap/"]


def soup_of(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return BeautifulSoup(response.content, "lxml")


def json_ld(soup):
    return [json.loads(s.string) for s in soup.find_all("script", type="application/ld+json")]


def types(documents):
    return {doc["@type"] for doc in documents}


def public_pages():
    article = Article.objects.get().get_absolute_url()
    pages = [p.permalink for p in ComparisonPage.objects.published()]
    return ["/", "/blog/", article, *pages, *NEW_PAGES, "/changes/tiktok/", "/search/?q=chat"]


def test_every_page_has_open_graph_and_twitter_tags_with_absolute_urls(client, seeded):
    for url in public_pages():
        soup = soup_of(client, url)
        og = {m["property"]: m["content"] for m in soup.find_all("meta", property=True)}
        twitter = {m["name"]: m["content"] for m in soup.find_all("meta", attrs={"name": True})}
        assert og["og:title"] and og["og:description"] and twitter["twitter:card"], url
        assert og["og:url"].startswith("http://testserver/")
        assert urlsplit(og["og:url"]).path == urlsplit(url).path
        assert urlsplit(og["og:image"]).scheme in ("http", "https"), url
        if og["og:type"] == "article":
            continue  # the article's own hero image
        assert og["og:image"].startswith("http://testserver/static/"), url
        image = client.get(urlsplit(og["og:image"]).path)
        assert image.status_code == 200 and image["Content-Type"] == "image/png"


def test_json_ld_parses_with_the_expected_types(client, seeded):
    article = Article.objects.get()
    documents = json_ld(soup_of(client, article.get_absolute_url()))
    assert types(documents) == {"Article", "BreadcrumbList"}
    [doc] = [d for d in documents if d["@type"] == "Article"]
    assert doc["headline"] == article.title and doc["author"]["name"] == article.author
    crumbs = next(d for d in documents if d["@type"] == "BreadcrumbList")["itemListElement"]
    assert [c["name"] for c in crumbs][-1] == article.title

    documents = json_ld(soup_of(client, "/data/"))
    assert types(documents) == {"Dataset", "BreadcrumbList"}
    [dataset] = [d for d in documents if d["@type"] == "Dataset"]
    assert dataset["license"] == "https://creativecommons.org/licenses/by/4.0/"
    downloads = [d["contentUrl"] for d in dataset["distribution"]]
    assert all(client.get(urlsplit(u).path).status_code == 200 for u in downloads)

    for url in ("/", "/Partnerships/", "/changes/"):
        assert "BreadcrumbList" in types(json_ld(soup_of(client, url)))


def test_json_ld_cannot_be_broken_out_of(client, seeded):
    Article.objects.update(title="Closing </script><script>alert(1)</script> tags")
    soup = soup_of(client, Article.objects.get().get_absolute_url())
    assert not soup.find("script", string=lambda s: s and s.startswith("alert"))
    assert any(d.get("headline", "").startswith("Closing </script>") for d in json_ld(soup))


def test_robots_txt_points_at_the_sitemap(client, seeded):
    lines = client.get("/robots.txt").content.decode().splitlines()
    assert "Sitemap: http://testserver/sitemap.xml" in lines


def test_both_sitemaps_list_every_public_page_and_no_draft(client, seeded):
    ComparisonPage.objects.filter(permalink="/Partnerships/").update(status="draft")
    root = ET.fromstring(client.get("/sitemap.xml").content)
    listed = {urlsplit(loc.text).path for loc in root.findall("sm:url/sm:loc", SITEMAP_NS)}
    readable = soup_of(client, "/sitemap/")
    linked = {a["href"] for a in readable.select("main a") if a["href"] != "/sitemap.xml"}
    expected = {u for u in public_pages() if "?" not in u and u != "/Partnerships/"}
    assert expected <= listed and "/Partnerships/" not in listed
    assert linked == listed
    for path in listed:
        assert client.get(path).status_code == 200, path
    shown = {Platform.objects.get(slug=p.split("/")[2]).slug for p in listed if "/changes/" in p
             and p != "/changes/"}  # fmt: skip
    assert "tiktok" in shown


def test_the_footer_sitemap_link_goes_to_the_readable_page(client, seeded):
    footer = soup_of(client, "/").select_one("footer")
    assert footer.find("a", string="Sitemap")["href"] == "/sitemap/"


@pytest.mark.parametrize(
    ("kind", "version"), [("application/rss+xml", "rss20"), ("application/atom+xml", "atom10")]
)
def test_both_article_feeds_are_advertised_and_parse(client, seeded, kind, version):
    soup = soup_of(client, "/blog/")
    [link] = [
        link for link in soup.find_all("link", rel="alternate", type=kind) if "articles" in
        link["title"]
    ]  # fmt: skip
    parsed = feedparser.parse(client.get(link["href"]).content)
    assert parsed.version == version and not parsed.bozo
    assert [e.title for e in parsed.entries] == [Article.objects.get().title]


def test_the_feeds_page_lists_every_feed_each_a_standard_feed(client, seeded):
    footer = soup_of(client, "/").select_one("footer")
    page = soup_of(client, footer.find("a", string="Feeds (RSS and Atom)")["href"])
    assert "feed reader" in page.select_one(".lead").get_text()
    listed = {a["href"] for a in page.select("main .feed-list a") if "/feed" in a["href"]}
    slugs = Platform.objects.values_list("slug", flat=True)
    platforms = {f"/changes/{slug}/feed/" for slug in slugs}
    assert listed == {"/feed/", "/feed/atom/", "/changes/feed/"} | platforms
    assert "/changes/tiktok/feed/" in listed
    for url in listed:
        response = client.get(url)
        # Standard feed types, which readers and browsers recognise, and no XSLT stylesheet.
        kind = response["Content-Type"].split(";")[0]
        assert kind in {"application/rss+xml", "application/atom+xml"}, url
        assert b"xml-stylesheet" not in response.content, url
        parsed = feedparser.parse(response.content)
        assert not parsed.bozo and parsed.version in {"rss20", "atom10"}, url
        assert parsed.feed.title, url
