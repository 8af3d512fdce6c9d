"""Crawl the public site from the home page, like djangoproject.com's crawl test: every link
answers, and every HTML page has the head a search engine and a browser tab need."""

import datetime
import re
import xml.etree.ElementTree as ET
from urllib.parse import urljoin, urlsplit

import feedparser
import pytest
import yaml
from bs4 import BeautifulSoup
from django.test import Client
from django.utils import timezone
from django.utils.text import slugify

from platforms.models import ComparisonPage
from sitecontent.models import Article
from tests.conftest import SEEDS_DIR

SITEMAP_NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}
NOT_CRAWLED = ("/admin/", "/static/", "/media/", "/markdownx/")
UNKNOWN_URLS = ["/no-such-page/", "/blog/no-such-article/", "/Partnerships/no-such-table/"]


def seed_front_matters():
    metas = []
    for path in sorted(SEEDS_DIR.glob("*.txt")):
        lines = path.read_text("utf-8").split("\n")
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
        metas.append(yaml.safe_load("\n".join(lines[1:end])))
    return metas


SEED_PERMALINKS = [meta["permalink"] for meta in seed_front_matters() if meta.get("permalink")]
SEED_ARTICLE_URLS = [
    f"/blog/{slugify(meta['title'])}/" for meta in seed_front_matters() if meta.get("author")
]
EXPECTED_PAGES = ["/", "/blog/", *SEED_PERMALINKS, *SEED_ARTICLE_URLS]


def is_html(response):
    return response["Content-Type"].startswith("text/html")


def crawl(client, start="/"):
    """{path: response} for every same-site page reachable by links from start; each HTML page
    carries its parsed document as response.soup."""
    responses, queue = {}, [start]
    while queue:
        url = queue.pop(0)
        if url in responses:
            continue
        response = client.get(url)
        responses[url] = response
        if response.status_code != 200 or not is_html(response):
            continue
        soup = response.soup = BeautifulSoup(response.content, "lxml")
        for link in soup.find_all("a", href=True):
            target = urlsplit(urljoin(f"http://testserver{url}", link["href"]))
            if target.scheme not in ("http", "https") or target.netloc != "testserver":
                continue
            path = target.path + (f"?{target.query}" if target.query else "")
            if not path.startswith(NOT_CRAWLED) and path not in responses:
                queue.append(path)
    return responses


def check_head(client, url, response, icons_seen=None):
    """The page's parsed document, once its head is checked; icons_seen: the icon addresses
    fetched already (every page links the same one)."""
    soup = getattr(response, "soup", None) or BeautifulSoup(response.content, "lxml")
    assert len(soup.find_all("h1")) == 1, f"{url}: one <h1>"
    assert soup.h1.get_text(strip=True), url
    assert soup.title and soup.title.get_text(strip=True), f"{url}: <title>"
    description = soup.find("meta", attrs={"name": "description"})
    assert description and description.get("content", "").strip(), f"{url}: meta description"
    canonical = soup.find_all("link", rel="canonical")
    assert len(canonical) == 1 and canonical[0]["href"].startswith("http"), url
    icons = [link for link in soup.find_all("link", href=True) if "icon" in link.get("rel", [])]
    assert icons, f"{url}: favicon link"
    icons_seen = set() if icons_seen is None else icons_seen
    if (href := icons[0]["href"]) not in icons_seen:
        assert client.get(href).status_code == 200, href
        icons_seen.add(href)
    return soup


def test_crawl_reaches_every_public_page_all_answer_and_each_has_a_complete_head(client, seeded):
    responses = crawl(client)  # one crawl for both checks: it is this file's slowest part
    missing = [url for url in [*EXPECTED_PAGES, "/feed/", "/sitemap.xml"] if url not in responses]
    assert not missing, f"no link leads to {missing}"
    broken = {url: r.status_code for url, r in responses.items() if r.status_code != 200}
    assert not broken

    html_pages = {url: r for url, r in responses.items() if is_html(r)}
    assert set(EXPECTED_PAGES) <= set(html_pages)
    titles, icons_seen = {}, set()
    for url, response in html_pages.items():
        soup = check_head(client, url, response, icons_seen)
        canonical = soup.find("link", rel="canonical")["href"]
        assert urlsplit(canonical).path == urlsplit(url).path, f"{url}: canonical {canonical}"
        titles.setdefault(soup.title.get_text(strip=True), []).append(url)
    duplicated = {title: urls for title, urls in titles.items() if len(urls) > 1}
    assert not duplicated, "pages share a <title>"


@pytest.mark.parametrize("url", UNKNOWN_URLS)
def test_unknown_urls_get_the_sites_404_page(client, seeded, url):
    response = client.get(url)
    assert response.status_code == 404
    assert is_html(response)
    soup = check_head(client, url, response)
    home = BeautifulSoup(client.get("/").content, "lxml")
    # In the site's look: the same navigation as every other page.
    nav_links = {a["href"] for a in home.header.find_all("a", href=True)}
    assert nav_links
    assert soup.header is not None
    assert {a["href"] for a in soup.header.find_all("a", href=True)} == nav_links
    assert set(SEED_PERMALINKS) <= nav_links
    stylesheets = [link["href"] for link in home.find_all("link", rel="stylesheet")]
    assert stylesheets == [link["href"] for link in soup.find_all("link", rel="stylesheet")]


def test_feed_answers_as_rss(client, seeded):
    response = client.get("/feed/")
    assert response.status_code == 200
    assert response["Content-Type"].split(";")[0] in ("application/rss+xml", "application/xml")
    assert feedparser.parse(response.content).version == "rss20"


def sitemap_paths(client):
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    assert response["Content-Type"].split(";")[0] in ("application/xml", "text/xml")
    locs = [loc.text for loc in ET.fromstring(response.content).iterfind(".//sm:loc", SITEMAP_NS)]
    assert locs and all(loc.startswith("http") for loc in locs)
    return [urlsplit(loc).path for loc in locs]


def test_sitemap_lists_the_comparison_pages_and_the_article(client, seeded):
    paths = sitemap_paths(client)
    assert set(SEED_PERMALINKS) | set(SEED_ARTICLE_URLS) <= set(paths)
    assert len(paths) == len(set(paths))
    for path in paths:
        assert client.get(path).status_code == 200, path


def test_sitemap_leaves_out_drafts(client, seeded):
    draft_article = Article.objects.create(
        title="Sitemap draft", author="Someone", body="Not yet.", status="draft"
    )
    draft_page = ComparisonPage.objects.create(
        title="Draft comparison", permalink="/Draft-Comparison/", status="draft"
    )
    paths = sitemap_paths(client)
    assert draft_article.get_absolute_url() not in paths
    assert draft_page.permalink not in paths
    assert set(SEED_PERMALINKS) <= set(paths)


def test_a_draft_comparison_page_is_hidden_from_visitors(staff_client, seeded):
    page = ComparisonPage.objects.create(
        title="Draft comparison", permalink="/Draft-Comparison/", status="draft"
    )
    anonymous = Client()  # staff_client is the logged-in `client` itself
    assert anonymous.get(page.permalink).status_code == 404
    home = BeautifulSoup(anonymous.get("/").content, "lxml")
    assert page.permalink not in {a["href"] for a in home.find_all("a", href=True)}
    preview = staff_client.get(page.permalink)
    assert preview.status_code == 200
    assert "Draft preview" in BeautifulSoup(preview.content, "lxml").get_text()


def test_security_txt(client, db):
    response = client.get("/.well-known/security.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    fields = dict(
        line.split(":", 1) for line in response.content.decode().splitlines() if ":" in line
    )
    assert re.match(r"^\s*(mailto:|https://)", fields["Contact"])
    expires = datetime.datetime.fromisoformat(fields["Expires"].strip())
    # RFC 9116: in the future, and less than a year away.
    assert timezone.now() < expires < timezone.now() + datetime.timedelta(days=366)


def test_robots_txt_points_at_the_sitemap(client, db):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    sitemap = re.search(r"^Sitemap:\s*(\S+)", response.content.decode(), re.MULTILINE)
    assert sitemap and sitemap[1].startswith("http")
    assert client.get(urlsplit(sitemap[1]).path).status_code == 200
