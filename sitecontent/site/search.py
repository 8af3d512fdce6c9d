"""Search of platforms, capabilities, claims (cell notes), comparison pages, articles: a query each,
English-stemmed on both databases (text_search); excerpts: escaped Markdown, matches in <mark>."""

import re
import unicodedata
from dataclasses import dataclass
from difflib import get_close_matches

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import F, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce, NullIf, Substr
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe

from platforms.models import Capability, Cell, ComparisonPage, Platform, cell_anchor, plain
from platforms.text import page_key
from sitecontent.markdown import plain_text_of_html
from sitecontent.models import Article
from sitecontent.text_search import CONFIG

MAX_QUERY_LENGTH = 100
MAX_WORDS = 8
MIN_WORD_LENGTH = 2
PER_KIND = 20
HEADLINE_CHARS = 4000  # of an article body without a summary: excerpts cost per character
# Matches are marked with these; they cannot occur in text (control characters are stripped
# from queries and never typed by editors), and are turned into <mark> after escaping.
START, STOP = "\x02", "\x03"


class QueryProblem(ValueError):
    """A query this search cannot answer, with the sentence to show the visitor."""


@dataclass
class Hit:
    kind: str  # "Claim", "Comparison page", "Article", "Platform", "Capability"
    title: str
    url: str
    excerpt: str  # safe HTML: escaped text with <mark> around matches
    report_url: str = ""


def clean_query(raw):
    """The words to search for, or QueryProblem with a clear reason."""
    text = "".join(ch if unicodedata.category(ch)[0] not in "CZ" else " " for ch in raw or "")
    if len(text) > MAX_QUERY_LENGTH:
        raise QueryProblem(f"Searches are limited to {MAX_QUERY_LENGTH} characters.")
    words = [w for w in re.findall(r"[\w][\w'’.+-]*", text) if len(w) >= MIN_WORD_LENGTH]
    if len(words) > MAX_WORDS:
        raise QueryProblem(f"Search for at most {MAX_WORDS} words at a time.")
    if text.strip() and not words:
        raise QueryProblem(
            f"Search for words of {MIN_WORD_LENGTH} letters or more, like “encryption”."
        )
    return words


def marked(text):
    """Markdown source as escaped plain text, with the matches' sentinels turned into <mark>."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text or "")  # [label](url) -> label
    text = re.sub(r"[*_`#>]+", "", text)
    return mark_safe(escape(text).replace(START, "<mark>").replace(STOP, "</mark>"))  # noqa: S308


def best(queryset, words, fields=(), vector=None, excerpt=None):
    """The PER_KIND best rows matching every word in `fields` (or stored `vector`), best first, with
    `excerpt` (default: first field) marked up; SQLite uses FTS5 match, bm25, snippet()."""
    if connection.vendor == "postgresql":
        query = SearchQuery(" ".join(words), config=CONFIG, search_type="websearch")
        document = F(vector) if vector else SearchVector(*fields, config=CONFIG)
        found = queryset.alias(document=document).filter(document=query)
        rank = SearchRank(document, query)
        excerpt = SearchHeadline(
            excerpt or fields[0], query, config=CONFIG, start_sel=START, stop_sel=STOP,
            max_words=35, min_words=15, max_fragments=2, fragment_delimiter=" … ",
        )  # fmt: skip
    else:
        table = queryset.model._meta.db_table
        fts = f"{table}_fts"  # made by text_search.fts5_operation
        terms = " ".join('"{}"'.format(word.replace('"', '""')) for word in words)
        matches = f"FROM {fts} WHERE {fts} MATCH %s"
        # Correlated on the model's table, which Django's queries name by itself (no alias).
        this_row = f'{matches} AND {fts}.rowid = "{table}"."id"'
        found = queryset.filter(pk__in=RawSQL(f"SELECT rowid {matches}", [terms]))
        rank = RawSQL(f"SELECT -rank {this_row}", [terms])  # bm25: lower is better
        snippet = f"snippet({fts}, -1, char(2), char(3), '…', 24)"
        excerpt = RawSQL(f"SELECT {snippet} {this_row}", [terms])
    ranked = found.annotate(rank=rank).order_by("-rank", "pk")
    # PostgreSQL computes the select list's costly headline only for the rows kept by LIMIT.
    return ranked.annotate(excerpt=excerpt)[:PER_KIND]


# All kinds but capabilities read values(), not instances: building and compiling
# select_related() with only() cost twice that (13 vs 30 ms for the claims at 10x content, busy VM).
def platform_hits(words):
    platforms = Platform.objects.public().values("name", "slug")
    for p in best(platforms, words, ["name", "parent_company"]):
        url = reverse("platforms:platform-profile", args=[p["slug"]])
        yield Hit("Platform", p["name"], url, marked(p["excerpt"]))


def capability_hits(words):
    # Instances, which name their table (ComparisonTable.name): at most PER_KIND of them.
    live = Capability.objects.filter(table__page__in=ComparisonPage.objects.published())
    capabilities = live.select_related("table__page")
    for c in best(capabilities, words, ["name", "description"]):
        args = [page_key(c.table.page.permalink), c.table.slug, c.slug]
        url = reverse("platforms:capability", args=args)
        yield Hit("Capability", f"{plain(c, 'name')} ({c.table.name})", url, marked(c.excerpt))


def cell_hits(words):
    live = Cell.objects.filter(capability__table__page__in=ComparisonPage.objects.published())
    rows = live.values(
        "id", platform=F("row__platform__name"), platform_slug=F("row__platform__slug"),
        name=F("capability__name"), name_html=F("capability__name_html"),
        slug=F("capability__slug"), table_slug=F("capability__table__slug"),
        permalink=F("capability__table__page__permalink"),
    )  # fmt: skip
    report = reverse("platforms:report-claim")
    for c in best(rows, words, ["note"], vector="search"):
        url = c["permalink"] + "#" + cell_anchor(c["table_slug"], c["platform_slug"], c["slug"])
        title = f"{c['platform']} · {plain_text_of_html(c['name_html']) or c['name']}"
        yield Hit("Claim", title, url, marked(c["excerpt"]), f"{report}?cell={c['id']}")


def page_hits(words):
    pages = ComparisonPage.objects.published().values("title", "permalink")
    for p in best(pages, words, ["title", "heading", "description", "intro"], excerpt="intro"):
        yield Hit("Comparison page", p["title"], p["permalink"], marked(p["excerpt"]))


def article_hits(words):
    # Excerpts come from the summary when there is one: a headline over a whole body is slow.
    summary = Coalesce(NullIf("description", Value("")), Substr("body", 1, HEADLINE_CHARS))
    articles = Article.objects.published().values("title", "slug")
    for a in best(articles, words, vector="search", excerpt=summary):
        url = reverse("sitecontent:article-detail", args=[a["slug"]])
        yield Hit("Article", a["title"], url, marked(a["excerpt"]))


def search(raw_query):
    """[Hit], best first within each kind: platforms, capabilities, claims, pages, articles."""
    words = clean_query(raw_query)
    if not words:
        return []
    kinds = [platform_hits, capability_hits, cell_hits, page_hits, article_hits]
    return [hit for hits_of_kind in kinds for hit in hits_of_kind(words)]


def suggestions(raw_query):
    """Names of public platforms and pages close to a query that found nothing: "tiktk" → TikTok.
    Only names a search for them finds, so every suggestion is a link that answers."""
    names = [
        *Platform.objects.public().values_list("name", flat=True),
        *ComparisonPage.objects.published().values_list("title", flat=True),
    ]
    by_folded = {name.casefold(): name for name in names}
    close = get_close_matches(" ".join(clean_query(raw_query)).casefold(), by_folded, 3, 0.6)
    return [by_folded[folded] for folded in close]
