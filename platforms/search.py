"""Site search over articles, comparison pages, platforms, capabilities and cell notes.

On PostgreSQL: full-text search (english stemming) ranked with ts_rank, excerpts from
ts_headline; the cells' note vector has a GIN index (migration 0004). On SQLite: every word
must appear (case-insensitive substring), which finds the same results for single words.
Excerpts are escaped text with the matching words in <mark>: what editors wrote is Markdown
source, never trusted as HTML here.
"""

import re
import unicodedata
from dataclasses import dataclass

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import Q
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe

from sitecontent.markdown import plain_text_of_html
from sitecontent.models import Article

from .models import Capability, Cell, ComparisonPage, Platform, cell_url

MAX_QUERY_LENGTH = 100
MAX_WORDS = 8
MIN_WORD_LENGTH = 2
PER_KIND = 20
EXCERPT_CHARS = 200
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


def matching(queryset, fields, words, headline_field):
    """The queryset narrowed to the words, ranked, with an `excerpt_text` annotation."""
    if uses_full_text():
        vector = SearchVector(*fields, config=CONFIG)
        query = SearchQuery(" ".join(words), config=CONFIG, search_type="plain")
        return (
            queryset.annotate(rank=SearchRank(vector, query))
            .filter(rank__gt=0)
            .annotate(excerpt_text=SearchHeadline(
                headline_field, query, config=CONFIG, start_sel=START, stop_sel=STOP,
                max_words=35, min_words=15, max_fragments=2, fragment_delimiter=" … ",
            ))
            .order_by("-rank")
        )  # fmt: skip
    condition = Q()
    for word in words:
        any_field = Q()
        for name in fields:
            any_field |= Q(**{f"{name}__icontains": word})
        condition &= any_field
    return queryset.filter(condition)


def excerpt(obj, text, words):
    if uses_full_text():
        return marked(plain_markdown(obj.excerpt_text or ""))
    return highlight(plain_markdown(text), words)


def cell_hits(words):
    if uses_full_text():
        # The same expression as the GIN index of migration 0004, so PostgreSQL can use it.
        vector = SearchVector("note", config=CONFIG)
        query = SearchQuery(" ".join(words), config=CONFIG, search_type="plain")
        cells = (
            Cell.objects.annotate(found=vector)
            .filter(found=query)
            .annotate(rank=SearchRank(vector, query), excerpt_text=SearchHeadline(
                "note", query, config=CONFIG, start_sel=START, stop_sel=STOP,
                max_words=35, min_words=15, max_fragments=2, fragment_delimiter=" … ",
            ))
            .order_by("-rank")
        )  # fmt: skip
    else:
        cells = matching(Cell.objects.all(), ["note"], words, "note")
    cells = cells.filter(capability__table__page__in=live_pages()).select_related(
        "row__platform", "capability__table__page"
    )
    return [
        Hit(
            "Claim",
            f"{cell.row.platform.name} · {cell.capability.name}",
            cell_url(cell),
            excerpt(cell, cell.note, words),
            report_url=f"{reverse('report-claim')}?cell={cell.pk}",
        )
        for cell in cells[:PER_KIND]
    ]


def page_hits(words):
    pages = matching(
        ComparisonPage.objects.published(), ["title", "heading", "description", "intro"],
        words, "intro",
    )  # fmt: skip
    return [
        Hit("Comparison page", page.title, page.get_absolute_url(),
            excerpt(page, page.description or plain_text_of_html(page.intro_html), words))
        for page in pages[:PER_KIND]
    ]  # fmt: skip


def article_hits(words):
    articles = matching(
        Article.objects.published().defer("body_html"),
        ["title", "subtitle", "description", "body"], words, "body",
    )  # fmt: skip
    return [
        Hit("Article", article.title, article.get_absolute_url(),
            excerpt(article, article.description or article.body, words))
        for article in articles[:PER_KIND]
    ]  # fmt: skip


def capability_hits(words):
    capabilities = matching(
        Capability.objects.filter(table__page__in=live_pages()), ["name", "description"],
        words, "name",
    ).select_related("table__page")  # fmt: skip
    return [
        Hit("Capability", f"{cap.name} ({cap.table.title or cap.table.page.title})",
            f"{cap.table.page.permalink}#{cap.table.slug}-{cap.slug}",
            excerpt(cap, cap.description or cap.name, words))
        for cap in capabilities[:PER_KIND]
    ]  # fmt: skip


def platform_url(platform):
    # The profile page when the platform has one, else what changed about it.
    if hasattr(platform, "get_absolute_url"):
        return platform.get_absolute_url()
    return reverse("platform-changes", args=[platform.slug])


def platform_hits(words):
    platforms = matching(
        Platform.objects.filter(table_rows__table__page__in=live_pages()).distinct(),
        ["name", "parent_company"], words, "name",
    )  # fmt: skip
    return [
        Hit("Platform", platform.name, platform_url(platform),
            excerpt(platform, platform.name, words))
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
