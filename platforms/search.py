"""Site search over articles, comparison pages, platforms, capabilities and cell notes.

On PostgreSQL: full-text search (english stemming) ranked with ts_rank, excerpts from
ts_headline; the cells' note vector has a GIN index (migration 0006). On SQLite: every word
must appear (case-insensitive substring), which finds the same results for single words.
Excerpts are escaped text with the matching words in <mark>: what editors wrote is Markdown
source, never trusted as HTML here.
"""

import re
import unicodedata
from dataclasses import dataclass

from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
    SearchVector,
    SearchVectorField,
)
from django.db import connection
from django.db.models import Q, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce, NullIf, Substr
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe

from sitecontent.markdown import plain_text_of_html
from sitecontent.models import Article

from .models import Capability, Cell, ComparisonPage, Platform, TableRow, cell_url, plain
from .reports import table_name
from .text import page_key

MAX_QUERY_LENGTH = 100
MAX_WORDS = 8
MIN_WORD_LENGTH = 2
PER_KIND = 20
EXCERPT_CHARS = 200
HEADLINE_SOURCE_CHARS = 4000  # of an article body without a summary: excerpts cost per character
CONFIG = "english"
# ts_headline marks matches with these; they cannot occur in text (control characters are
# stripped from queries and never typed by editors), and are turned into <mark> after escaping.
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


def uses_full_text():
    return connection.vendor == "postgresql"


# --- excerpts ---------------------------------------------------------------------------------


def marked(text):
    """Escape, then turn the headline's sentinels into <mark>."""
    safe = escape(text).replace(START, "<mark>").replace(STOP, "</mark>")
    return mark_safe(safe)  # noqa: S308 - escaped just above


def highlight(text, words):
    """Plain text cut around the first match, with every matching word marked (SQLite)."""
    if not text:
        return ""
    pattern = re.compile("|".join(re.escape(w) for w in words), re.IGNORECASE)
    first = pattern.search(text)
    start = max(0, (first.start() if first else 0) - EXCERPT_CHARS // 3)
    excerpt = text[start : start + EXCERPT_CHARS]
    excerpt = ("…" if start else "") + excerpt + ("…" if start + EXCERPT_CHARS < len(text) else "")
    return marked(pattern.sub(lambda m: f"{START}{m.group(0)}{STOP}", excerpt))


def plain_markdown(text):
    """Markdown source as readable text: **bold** and [label](url) reduced to their words."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    return re.sub(r"[*_`#>]+", "", text)


# --- per-kind queries ----------------------------------------------------------------------------


def live_pages():
    return ComparisonPage.objects.published().values("pk")


def headline(field, query):
    return SearchHeadline(
        field, query, config=CONFIG, start_sel=START, stop_sel=STOP,
        max_words=35, min_words=15, max_fragments=2, fragment_delimiter=" … ",
    )  # fmt: skip


def stored_vector(table, column):
    """A tsvector column kept by a trigger (migrations 0006, 0007; PostgreSQL only): reading it
    parses nothing. The models do not know these columns, Django never writes them."""
    return RawSQL(f'"{table}"."{column}"', [], output_field=SearchVectorField())


def matching(queryset, fields, words, headline_field, rank_fields=None, stored=None):
    """The queryset narrowed to the words, to be sliced to PER_KIND; on PostgreSQL ranked, best
    first, each with an `excerpt_text` annotation.

    One query per kind: PostgreSQL computes the select list's costly ts_headline after the
    sort and the LIMIT (EXPLAIN VERBOSE shows it above the Limit), so only the shown hits get an
    excerpt."""
    if uses_full_text():
        # `found @@ query` uses the stored vector or the GIN indexes of migration 0006 (same
        # expressions). Long texts (article bodies) rank on their short fields only
        # (rank_fields): ranking parses the text again, for every match.
        found = stored or SearchVector(*fields, config=CONFIG)
        rank_vector = SearchVector(*rank_fields, config=CONFIG) if rank_fields else found
        query = SearchQuery(" ".join(words), config=CONFIG, search_type="plain")
        return (
            queryset.alias(found=found).filter(found=query)
            .annotate(
                rank=SearchRank(rank_vector, query), excerpt_text=headline(headline_field, query)
            )
            .order_by("-rank", "pk")
        )  # fmt: skip
    condition = Q()
    for word in words:
        any_field = Q()
        for name in fields:
            any_field |= Q(**{f"{name}__icontains": word})
        condition &= any_field
    return queryset.filter(condition)


def excerpt(obj, words, source):
    """The hit's excerpt: PostgreSQL's headline, or `source(obj)` highlighted here (SQLite)."""
    if uses_full_text():
        return marked(plain_markdown(obj.excerpt_text or ""))
    return highlight(plain_markdown(source(obj)), words)


def cell_hits(words):
    cells = matching(
        Cell.objects.filter(capability__table__page__in=live_pages()), ["note"], words, "note",
        stored=stored_vector("platforms_cell", "note_search"),
    ).select_related("row__platform", "capability__table__page").only(
        "note", "row__platform__name", "row__platform__slug", "capability__name",
        "capability__name_html", "capability__slug", "capability__table__slug",
        "capability__table__page__permalink",
    )  # fmt: skip
    report = reverse("report-claim")
    return [
        Hit(
            "Claim",
            f"{cell.row.platform.name} · {plain(cell.capability, 'name')}",
            cell_url(cell),
            excerpt(cell, words, lambda cell: cell.note),
            report_url=f"{report}?cell={cell.pk}",
        )
        for cell in cells[:PER_KIND]
    ]


def page_hits(words):
    pages = matching(
        ComparisonPage.objects.published(), ["title", "heading", "description", "intro"],
        words, "intro",
    ).only("title", "permalink", "description", "intro_html")  # fmt: skip
    return [
        Hit("Comparison page", page.title, page.get_absolute_url(),
            excerpt(page, words,
                    lambda page: page.description or plain_text_of_html(page.intro_html)))
        for page in pages[:PER_KIND]
    ]  # fmt: skip


def article_hits(words):
    articles = matching(
        Article.objects.published(),
        # Excerpts from the summary when there is one: ts_headline over a whole body is slow.
        ["title", "subtitle", "description", "body"], words,
        Coalesce(NullIf("description", Value("")), Substr("body", 1, HEADLINE_SOURCE_CHARS)),
        rank_fields=["title", "subtitle", "description"],
        stored=stored_vector("sitecontent_article", "search_vector"),
    ).only("title", "slug", "description", "body")  # fmt: skip
    if uses_full_text():  # the body is only read here for SQLite's excerpts
        articles = articles.defer("body")
    return [
        Hit("Article", article.title, article.get_absolute_url(),
            excerpt(article, words, lambda article: article.description or article.body))
        for article in articles[:PER_KIND]
    ]  # fmt: skip


def capability_hits(words):
    capabilities = matching(
        Capability.objects.filter(table__page__in=live_pages()), ["name", "description"],
        words, "name",
    ).select_related("table__page").only(
        "name", "name_html", "slug", "description", "table__slug", "table__title",
        "table__title_html", "table__section_heading", "table__section_heading_html",
        "table__page__title", "table__page__permalink",
    )  # fmt: skip
    return [
        Hit("Capability", f"{plain(cap, 'name')} ({table_name(cap.table)})",
            f"/capabilities/{page_key(cap.table.page.permalink)}/{cap.table.slug}/{cap.slug}/",
            excerpt(cap, words, lambda cap: cap.description or plain(cap, "name")))
        for cap in capabilities[:PER_KIND]
    ]  # fmt: skip


def platform_url(platform):
    return reverse("platform-profile", args=[platform.slug])


def platform_hits(words):
    platforms = matching(
        Platform.objects.filter(
            pk__in=TableRow.objects.filter(table__page__in=live_pages()).values("platform")
        ),
        ["name", "parent_company"], words, "name",
    ).only("name", "slug")  # fmt: skip
    return [
        Hit("Platform", platform.name, platform_url(platform),
            excerpt(platform, words, lambda platform: platform.name))
        for platform in platforms[:PER_KIND]
    ]  # fmt: skip


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
