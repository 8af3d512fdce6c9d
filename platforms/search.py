"""Site search over articles, comparison pages, platforms, capabilities and cell notes.

On PostgreSQL: full-text search (english stemming) ranked with ts_rank, excerpts from
ts_headline; cells' and articles' vectors are stored columns (migrations 0006 and 0007), the
other kinds have GIN indexes on their expressions (0006). On SQLite: every word
must appear (case-insensitive substring), which finds the same results for single words.
Excerpts are escaped text with the matching words in <mark>: what editors wrote is Markdown
source, never trusted as HTML here.
"""

import re
import unicodedata
from dataclasses import dataclass

from django.db import connection
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe

from sitecontent.markdown import plain_text_of_html
from sitecontent.models import Article
from sitecontent.publishing import Status

from .models import Capability, Cell, ComparisonPage, Platform, TableRow, cell_anchor
from .text import page_key

MAX_QUERY_LENGTH = 100
MAX_WORDS = 8
MIN_WORD_LENGTH = 2
PER_KIND = 20
EXCERPT_CHARS = 200
HEADLINE_CHARS = 4000  # of an article body without a summary: excerpts cost per character
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
#
# Each kind is read in one query giving the same keys on both databases: PostgreSQL ranks and
# excerpts in SQL (below), SQLite filters with the ORM and excerpts in Python (sqlite_rows).


def plain_of(row, field):
    """models.plain() for a row of values: a name's rendered HTML stripped, else the name."""
    html = row.get(f"{field}_html")
    return plain_text_of_html(html) if html else row[field]


def excerpt(row, words, source):
    """The hit's excerpt: PostgreSQL's headline, or `source(row)` highlighted here (SQLite)."""
    if uses_full_text():
        return marked(plain_markdown(row["excerpt"] or ""))
    return highlight(plain_markdown(source(row)), words)


# PostgreSQL: the statements are written out rather than built with the ORM: building and
# compiling five querysets took 15-19 ms of CPU per search, three times what PostgreSQL spends
# on them (search median 31.5 -> 14.6 ms, CPU 23 -> 9 ms a search, at the launch content x 10:
# tests/bench/visitor_tools.py --markdown).
# Each ranks every match but excerpts only the shown ones: PostgreSQL computes the select
# list's costly ts_headline after the sort and the LIMIT (EXPLAIN VERBOSE shows it above Limit).

QUERY = f"plainto_tsquery('{CONFIG}'::regconfig, %(words)s)"
LIVE = "{0}.status = %(published)s AND {0}.publish_at <= %(now)s"
HEADLINE_OPTIONS = (
    f"StartSel='{START}', StopSel='{STOP}', MaxWords=35, MinWords=15, MaxFragments=2, "
    "FragmentDelimiter=' … '"
)


def vector(*columns):
    """The expression of migration 0006's GIN indexes (exactly, so the planner can use them)."""
    joined = " || ' ' || ".join(f"COALESCE({column}, '')" for column in columns)
    return f"to_tsvector('{CONFIG}'::regconfig, {joined})"


def headline(text):
    return f"ts_headline('{CONFIG}'::regconfig, {text}, {QUERY}, %(options)s) AS excerpt"


def ranked(select, tables, where, rank_vector, order_pk):
    return (
        f"SELECT {select} FROM {tables} WHERE {where} "
        f"ORDER BY ts_rank({rank_vector}, {QUERY}) DESC, {order_pk} LIMIT {PER_KIND}"
    )


PAGE_JOINS = (
    "JOIN platforms_comparisontable t ON t.id = c.table_id "
    "JOIN platforms_comparisonpage pg ON pg.id = t.page_id"
)
SQL = {
    "platform": ranked(
        f"p.name, p.slug, {headline('p.name')}",
        "platforms_platform p",
        f"{vector('p.name', 'p.parent_company')} @@ {QUERY} AND p.id IN ("
        "SELECT r.platform_id FROM platforms_tablerow r JOIN platforms_comparisontable t "
        "ON t.id = r.table_id JOIN platforms_comparisonpage pg ON pg.id = t.page_id "
        f"WHERE {LIVE.format('pg')})",
        vector("p.name", "p.parent_company"),
        "p.id",
    ),
    "capability": ranked(
        "c.name, c.name_html, c.slug, t.slug AS table_slug, t.title AS table_title, "
        "t.title_html AS table_title_html, t.section_heading AS table_section_heading, "
        "t.section_heading_html AS table_section_heading_html, pg.title AS page_title, "
        f"pg.permalink, {headline('c.name')}",
        f"platforms_capability c {PAGE_JOINS}",
        f"{LIVE.format('pg')} AND {vector('c.name', 'c.description')} @@ {QUERY}",
        vector("c.name", "c.description"),
        "c.id",
    ),
    # The cells' vector is the column migration 0006 keeps with a trigger: nothing is parsed.
    "cell": ranked(
        "cell.id, pl.name AS platform_name, pl.slug AS platform_slug, c.name, c.name_html, "
        f"c.slug, t.slug AS table_slug, pg.permalink, {headline('cell.note')}",
        f"platforms_cell cell JOIN platforms_capability c ON c.id = cell.capability_id "
        f"{PAGE_JOINS} JOIN platforms_tablerow r ON r.id = cell.row_id "
        "JOIN platforms_platform pl ON pl.id = r.platform_id",
        f"{LIVE.format('pg')} AND cell.note_search @@ {QUERY}",
        "cell.note_search",
        "cell.id",
    ),
    "page": ranked(
        f"pg.title, pg.permalink, {headline('pg.intro')}",
        "platforms_comparisonpage pg",
        f"{LIVE.format('pg')} AND "
        f"{vector('pg.title', 'pg.heading', 'pg.description', 'pg.intro')} @@ {QUERY}",
        vector("pg.title", "pg.heading", "pg.description", "pg.intro"),
        "pg.id",
    ),
    # Articles match on the vector migration 0007 stores, and rank on their short fields only
    # (ranking parses the text again); excerpts come from the summary when there is one, as
    # ts_headline over a whole body is slow.
    "article": ranked(
        "a.title, a.slug, "
        + headline(f"COALESCE(NULLIF(a.description, ''), SUBSTRING(a.body, 1, {HEADLINE_CHARS}))"),
        "sitecontent_article a",
        f"{LIVE.format('a')} AND a.search_vector @@ {QUERY}",
        vector("a.title", "a.subtitle", "a.description"),
        "a.id",
    ),
}


def full_text_rows(kind, words):
    params = {
        "words": " ".join(words), "published": Status.PUBLISHED, "now": timezone.now(),
        "options": HEADLINE_OPTIONS,
    }  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(SQL[kind], params)
        names = [column.name for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def live_pages():
    return ComparisonPage.objects.published().values("pk")


def containing(fields, words):
    """Every word in one of the fields (case-insensitive)."""
    condition = Q()
    for word in words:
        any_field = Q()
        for name in fields:
            any_field |= Q(**{f"{name}__icontains": word})
        condition &= any_field
    return condition


def sqlite_rows(kind, words):
    """The same rows as SQL[kind] without ranking (in the models' order), from the ORM."""
    live = {"table__page__in": live_pages()}
    if kind == "platform":
        in_tables = TableRow.objects.filter(**live).values("platform")
        found = Platform.objects.filter(containing(["name", "parent_company"], words))
        rows = found.filter(pk__in=in_tables).values("name", "slug")
    elif kind == "capability":
        found = Capability.objects.filter(containing(["name", "description"], words), **live)
        rows = found.values(
            "name", "name_html", "slug", "description", table_slug=F("table__slug"),
            table_title=F("table__title"), table_title_html=F("table__title_html"),
            table_section_heading=F("table__section_heading"),
            table_section_heading_html=F("table__section_heading_html"),
            page_title=F("table__page__title"), permalink=F("table__page__permalink"),
        )  # fmt: skip
    elif kind == "cell":
        # Cells have no order of their own: the same query as ever, so SQLite returns the same
        # first ones.
        found = Cell.objects.filter(capability__table__page__in=live_pages())
        found = found.filter(containing(["note"], words))
        return [
            {"id": cell.pk, "note": cell.note, "platform_name": cell.row.platform.name,
             "platform_slug": cell.row.platform.slug, "name": cell.capability.name,
             "name_html": cell.capability.name_html, "slug": cell.capability.slug,
             "table_slug": cell.capability.table.slug,
             "permalink": cell.capability.table.page.permalink}
            for cell in found.select_related("row__platform", "capability__table__page")[:PER_KIND]
        ]  # fmt: skip
    elif kind == "page":
        found = ComparisonPage.objects.published().filter(
            containing(["title", "heading", "description", "intro"], words)
        )
        rows = found.values("title", "permalink", "description", "intro_html")
    else:
        found = Article.objects.published().filter(
            containing(["title", "subtitle", "description", "body"], words)
        )
        rows = found.values("title", "slug", "description", "body")
    return list(rows[:PER_KIND])


def best(kind, words):
    """[{column: value}]: the best PER_KIND matches of one kind, best first."""
    return full_text_rows(kind, words) if uses_full_text() else sqlite_rows(kind, words)


def cell_hits(words):
    report = reverse("report-claim")
    return [
        Hit(
            "Claim",
            f"{row['platform_name']} · {plain_of(row, 'name')}",
            row["permalink"]
            + "#"
            + cell_anchor(row["table_slug"], row["platform_slug"], row["slug"]),
            excerpt(row, words, lambda row: row["note"]),
            report_url=f"{report}?cell={row['id']}",
        )
        for row in best("cell", words)
    ]


def page_hits(words):
    return [
        Hit("Comparison page", row["title"], row["permalink"],
            excerpt(row, words,
                    lambda row: row["description"] or plain_text_of_html(row["intro_html"])))
        for row in best("page", words)
    ]  # fmt: skip


def article_hits(words):
    return [
        Hit("Article", row["title"], reverse("article-detail", kwargs={"slug": row["slug"]}),
            excerpt(row, words, lambda row: row["description"] or row["body"]))
        for row in best("article", words)
    ]  # fmt: skip


def table_name(row):
    """reports.table_name() for a capability's row of values."""
    return (
        plain_of(row, "table_title") or plain_of(row, "table_section_heading") or row["page_title"]
    )


def capability_hits(words):
    return [
        Hit("Capability", f"{plain_of(row, 'name')} ({table_name(row)})",
            f"/capabilities/{page_key(row['permalink'])}/{row['table_slug']}/{row['slug']}/",
            excerpt(row, words, lambda row: row["description"] or plain_of(row, "name")))
        for row in best("capability", words)
    ]  # fmt: skip


def platform_hits(words):
    return [
        Hit("Platform", row["name"], reverse("platform-profile", args=[row["slug"]]),
            excerpt(row, words, lambda row: row["name"]))
        for row in best("platform", words)
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
