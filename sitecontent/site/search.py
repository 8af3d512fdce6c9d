"""Site search over platforms, capabilities, claims (cell notes), comparison pages and articles.

One query per kind, built with the ORM on both databases and filtered by the models' own
published() rules. PostgreSQL: django.contrib.postgres full-text search (English stemming,
websearch syntax) on the stored vectors of cells and articles and on expressions for the small
tables, ranked with SearchRank, excerpts from SearchHeadline. SQLite: the FTS5 tables with the
porter stemmer (sitecontent.text_search), ranked by bm25, excerpts from FTS5's snippet().
Either way "encryption" finds what "encrypt" finds. Excerpts are escaped text with the matching
words in <mark>: what editors wrote is Markdown source, never trusted as HTML here.
"""

import re
import unicodedata
from dataclasses import dataclass

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import F, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce, NullIf, Substr
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe

from platforms.models import Capability, Cell, ComparisonPage, Platform, TableRow, cell_url, plain
from platforms.reports import table_name
from platforms.text import page_key
from sitecontent.models import Article
from sitecontent.text_search import CONFIG, fts_table

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


def best(queryset, words, fields, vector=None, excerpt=None):
    """The PER_KIND best rows of `queryset` matching every word in `fields`, best first, each
    with an `excerpt` of its `excerpt` expression (default: the first field) marked up.

    `vector` names a stored vector field (PostgreSQL); otherwise one is computed from `fields`.
    """
    if connection.vendor != "postgresql":
        return fts5_best(queryset, words)
    query = SearchQuery(" ".join(words), config=CONFIG, search_type="websearch")
    document = F(vector) if vector else SearchVector(*fields, config=CONFIG)
    headline = SearchHeadline(
        excerpt or fields[0], query, config=CONFIG, start_sel=START, stop_sel=STOP,
        max_words=35, min_words=15, max_fragments=2, fragment_delimiter=" … ",
    )  # fmt: skip
    found = queryset.alias(document=document).filter(document=query)
    ranked = found.annotate(rank=SearchRank(document, query)).order_by("-rank", "pk")
    # PostgreSQL computes the select list's costly headline only for the rows kept by LIMIT.
    return ranked.annotate(excerpt=headline)[:PER_KIND]


def fts5_best(queryset, words):
    """best() on SQLite: the rows whose FTS5 entry matches, by bm25, excerpts from snippet()."""
    table = queryset.model._meta.db_table
    fts = fts_table(table)
    terms = " ".join('"{}"'.format(word.replace('"', '""')) for word in words)
    matches = f"FROM {fts} WHERE {fts} MATCH %s"
    # Correlated on the model's table, which Django's queries name by itself (no alias).
    this_row = f'{matches} AND {fts}.rowid = "{table}"."id"'
    snippet = f"snippet({fts}, -1, char(2), char(3), '…', 24)"
    return (
        queryset.filter(pk__in=RawSQL(f"SELECT rowid {matches}", [terms]))
        .annotate(rank=RawSQL(f"SELECT rank {this_row}", [terms]))
        .annotate(excerpt=RawSQL(f"SELECT {snippet} {this_row}", [terms]))
        .order_by("rank", "pk")[:PER_KIND]
    )


def platform_hits(words):
    in_live_tables = TableRow.objects.filter(table__page__in=ComparisonPage.objects.published())
    platforms = Platform.objects.filter(pk__in=in_live_tables.values("platform"))
    platforms = platforms.only("name", "slug")
    return [
        Hit("Platform", p.name, reverse("platform-profile", args=[p.slug]), marked(p.excerpt))
        for p in best(platforms, words, ["name", "parent_company"])
    ]


def capability_hits(words):
    live = Capability.objects.filter(table__page__in=ComparisonPage.objects.published())
    live = live.select_related("table__page").only(
        "name", "name_html", "slug", "table__slug", "table__title", "table__title_html",
        "table__section_heading", "table__section_heading_html", "table__page__title",
        "table__page__permalink",
    )  # fmt: skip
    found = best(live, words, ["name", "description"])
    return [
        Hit(
            "Capability",
            f"{plain(c, 'name')} ({table_name(c.table)})",
            reverse("capability", args=[page_key(c.table.page.permalink), c.table.slug, c.slug]),
            marked(c.excerpt),
        )
        for c in found
    ]


def cell_hits(words):
    live = Cell.objects.filter(capability__table__page__in=ComparisonPage.objects.published())
    live = live.select_related("row__platform", "capability__table__page").only(
        "row__platform__name", "row__platform__slug", "capability__name",
        "capability__name_html", "capability__slug", "capability__table__slug",
        "capability__table__page__permalink",
    )  # fmt: skip
    report = reverse("report-claim")
    return [
        Hit(
            "Claim",
            f"{cell.row.platform.name} · {plain(cell.capability, 'name')}",
            cell_url(cell),
            marked(cell.excerpt),
            report_url=f"{report}?cell={cell.pk}",
        )
        for cell in best(live, words, ["note"], vector="search")
    ]


def page_hits(words):
    fields = ["title", "heading", "description", "intro"]
    pages = ComparisonPage.objects.published().only("title", "permalink")
    found = best(pages, words, fields, excerpt="intro")
    return [Hit("Comparison page", p.title, p.permalink, marked(p.excerpt)) for p in found]


def article_hits(words):
    # Excerpts come from the summary when there is one: a headline over a whole body is slow.
    summary = Coalesce(NullIf("description", Value("")), Substr("body", 1, HEADLINE_CHARS))
    fields = ["title", "subtitle", "description", "body"]
    articles = Article.objects.published().only("title", "slug")
    found = best(articles, words, fields, vector="search", excerpt=summary)
    return [Hit("Article", a.title, a.get_absolute_url(), marked(a.excerpt)) for a in found]


def search(raw_query):
    """[Hit], best first within each kind: platforms, capabilities, claims, pages, articles."""
    words = clean_query(raw_query)
    if not words:
        return []
    return [
        *platform_hits(words),
        *capability_hits(words),
        *cell_hits(words),
        *page_hits(words),
        *article_hits(words),
    ]
