"""Search: a distinctive word from a seed cell note leads straight to that cell; drafts never
appear; odd or long queries get a clear answer. Runs on SQLite and (DATABASE_URL) PostgreSQL."""

import re
from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.test.utils import CaptureQueriesContext

from platforms.models import Capability, Cell, ComparisonPage, Platform
from sitecontent.models import Article
from tests.seed_documents import distinctive_claim, normalise

pytestmark = pytest.mark.django_db


def results(client, query):
    response = client.get("/search/", {"q": query})
    return response, BeautifulSoup(response.content, "lxml")


def test_a_distinctive_word_from_a_seed_note_leads_to_its_cell(client, seeded):
    word, permalink, label, column = distinctive_claim()
    response, soup = results(client, word)
    assert response.status_code == 200
    claims = [li for li in soup.select(".search-results li") if "Claim" in li.get_text()]
    assert len(claims) == 1, soup.select_one("main").get_text(" ")
    link = claims[0].h2.a
    assert word in claims[0].select_one("mark").get_text().lower()
    url = urlsplit(link["href"])
    assert url.path == permalink and url.fragment
    page = BeautifulSoup(client.get(url.path).content, "lxml")
    cell = page.find(id=url.fragment)
    assert cell.name == "td" and word in cell.get_text().lower()
    assert normalise(cell.find_parent("tr").th.get_text()) == label
    position = cell.find_parent("tr").find_all("td").index(cell)
    headers = cell.find_parent("table").select("thead th")
    assert normalise(headers[position + 1].get_text()) == column


def test_drafts_never_appear(client, seeded):
    word, permalink, _label, _column = distinctive_claim()
    ComparisonPage.objects.filter(permalink=permalink).update(status="draft")
    _response, soup = results(client, word)
    assert not soup.select(".search-results li")
    _response, soup = results(client, ComparisonPage.objects.get(permalink=permalink).title)
    assert permalink not in [a["href"].split("#")[0] for a in soup.select(".search-results a")]


def test_pages_articles_capabilities_and_platforms_are_found(client, seeded):
    _response, soup = results(client, "partnerships")
    kinds = {li.select_one(".hit-kind").get_text() for li in soup.select(".search-results li")}
    assert {"Comparison page", "Capability", "Claim"} <= kinds
    _response, soup = results(client, "telegram")
    assert "Platform" in soup.select_one(".search-results").get_text()


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("x" * 101, "limited to 100 characters"),
        ("one two three four five six seven eight nine", "at most 8 words"),
        ("? ! …", "2 letters or more"),
    ],
)
def test_long_or_odd_queries_get_a_clear_answer(client, seeded, query, message):
    response, soup = results(client, query)
    assert response.status_code == 400
    assert message in soup.select_one("[role=alert]").get_text()


@pytest.mark.parametrize("query", ["\x00\x01 drop", "'; DROP TABLE x; --", "<script>", "a&b|c!"])
def test_hostile_input_never_fails(client, seeded, query):
    response, soup = results(client, query)
    assert response.status_code in (200, 400)
    assert not soup.find("script", string=re.compile("alert"))
    assert "<script>" not in response.content.decode().split("<main", 1)[1]


def test_search_costs_at_most_eight_queries(client, seeded):
    word, *_rest = distinctive_claim()
    client.get("/search/", {"q": word})
    with CaptureQueriesContext(connection) as queries:
        client.get("/search/", {"q": f"{word} chats"})
    assert len(queries) <= 8, [q["sql"][:120] for q in queries]


def test_the_header_has_a_search_box(client, seeded):
    soup = BeautifulSoup(client.get("/").content, "lxml")
    form = soup.select_one("header form[role=search]")
    assert form["action"] == "/search/" and form.find("input", attrs={"name": "q"})


def test_an_edited_note_is_found_by_its_new_words_at_once(client, seeded):
    cell = Cell.objects.filter(capability__table__page__status="published").first()
    cell.note = "Supports holographic telepresence since June"
    cell.save()
    _response, soup = results(client, "holographic")
    [hit] = soup.select(".search-results li")
    assert hit.h2.a["href"].endswith(f"-{cell.capability.slug}")
    assert hit.select_one("mark").get_text().lower() == "holographic"
    cell.note = "Nothing special"
    cell.save()
    _response, soup = results(client, "holographic")
    assert not soup.select(".search-results li")


def claim_links(client, query):
    _response, soup = results(client, query)
    return {li.h2.a["href"] for li in soup.select(".search-results li") if "Claim" in li.get_text()}


def test_every_form_of_a_word_finds_the_same_claims(client, seeded):
    """English stemming on both databases: the seed notes say "encrypted", "encryption"…"""
    found = claim_links(client, "encrypt")
    assert len(found) >= 4
    assert claim_links(client, "encryption") == found
    assert claim_links(client, "encrypted") == found
    _response, soup = results(client, "encryption")
    marks = {m.get_text().lower() for m in soup.select(".search-results li mark")}
    assert marks and all(m.startswith("encrypt") for m in marks), marks


def test_an_article_is_found_by_another_form_of_its_words(client, seeded):
    Article.objects.create(
        title="Reading receipts", slug="receipts", author="Ed", status="published",
        body="Which platforms tell a sender that a message was read.",
    )  # fmt: skip
    _response, soup = results(client, "reads")
    hits = [li for li in soup.select(".search-results li") if "Article" in li.get_text()]
    assert "/blog/receipts/" in [li.h2.a["href"] for li in hits]
    Article.objects.filter(slug="receipts").update(status="draft")
    _response, soup = results(client, "reads")
    assert "/blog/receipts/" not in [a["href"] for a in soup.select(".search-results a")]


def test_every_kind_is_found_by_its_new_words_at_once(client, seeded):
    """Each searched table keeps its index current (SQLite: FTS5 triggers, which a migration
    rebuilding the table would drop; PostgreSQL: generated vectors and expressions)."""
    page = ComparisonPage.objects.published().first()
    capability = Capability.objects.filter(table__page=page).first()
    platform = Platform.objects.filter(table_rows__table__page=page).first()
    article = Article.objects.published().first()
    for obj, field in [(page, "title"), (capability, "name"), (platform, "name"),
                       (article, "title")]:  # fmt: skip
        setattr(obj, field, f"{getattr(obj, field)} Zeppelinish")
        obj.save()
    _response, soup = results(client, "zeppelinish")
    kinds = sorted(
        li.select_one(".hit-kind").get_text() for li in soup.select(".search-results li")
    )
    assert kinds == ["Article", "Capability", "Comparison page", "Platform"]


def test_a_misspelt_name_that_finds_nothing_suggests_the_near_names(client, seeded):
    soup = BeautifulSoup(client.get("/search/", {"q": "tiktk"}).content, "lxml")
    status = soup.select_one("[role=status]")
    assert "Nothing found" in status.get_text() and "Did you mean" in status.get_text()
    link = status.find("a", string="TikTok")
    followed = BeautifulSoup(client.get("/search/" + link["href"]).content, "lxml")
    assert "Nothing found" not in followed.select_one("[role=status]").get_text()


def test_an_empty_search_says_what_can_be_searched_with_examples_that_answer(client, seeded):
    soup = BeautifulSoup(client.get("/search/").content, "lxml")
    text = soup.main.get_text(" ", strip=True)
    assert "platforms" in text and "claim" in text and "articles" in text
    examples = soup.main.select("p a[href^='?q=']")
    assert len(examples) >= 2
    for example in examples:
        answer = BeautifulSoup(client.get("/search/" + example["href"]).content, "lxml")
        assert "result" in answer.select_one("[role=status]").get_text()
