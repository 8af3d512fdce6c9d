"""A page's comparison tables, ready to print, from a few flat queries.

The public page is the hot path: /Partnerships/ has 290 cells. They are read as plain values
(not model instances) and each becomes a claim_view() dict for the claim include, the
cheapest thing for a template to read. The grid editor and the exporter use the models
(ComparisonTable.grid) instead.

Every cell has a stable anchor, cell-<table>-<platform>-<capability> (search and shared links
point at it), every row header links to the platform's profile and every column header to the
capability's page. A table is shown as its document lays it out: platforms down the side
(rows) or across the top (columns).
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cache

from django.db.models import Exists, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from sitecontent.publishing import Status

from .models import (
    STALE_AFTER_DAYS,
    Capability,
    Cell,
    CellSource,
    ComparisonPage,
    ComparisonTable,
    Level,
    Orientation,
    Platform,
    TableRow,
    cell_anchor,
)
from .text import hide_emoji_html, linkable_html, page_key, plain_text


def claim_view(level, note_html, anchor="", label="", footnote=None, is_stale=False,
               empty_text="No data", change=""):  # fmt: skip
    """What the claim include (templates/platforms/includes/claim.html) reads: a dict, the
    cheapest thing for a template to look into, with every key given."""
    level, css = Level.of_claim(level, note_html)
    return {
        "level": level, "css": css, "note_html": note_html, "anchor": anchor, "label": label,
        "footnote": footnote, "is_stale": is_stale, "empty_text": empty_text, "change": change,
    }  # fmt: skip


# --- The past: rows as they stood at a moment, from the history every content model keeps ----


class BadDate(ValueError):
    pass


def end_of_day(text):
    """(the day, the moment it ended) for a ?as_of= or ?since= "YYYY-MM-DD": days end at midnight
    in settings.TIME_ZONE (UTC). Today ends now, so what is scheduled later today stays hidden.
    Raises BadDate for anything else, or a day still to come."""
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise BadDate(f"“{text}” is not a date: write it as YYYY-MM-DD, e.g. 2026-03-01.") from None
    if day > timezone.localdate():
        raise BadDate(f"{day:%-d %B %Y} has not happened yet: choose today or an earlier day.")
    midnight = datetime.combine(day + timedelta(days=1), time(), timezone.get_current_timezone())
    return day, min(midnight - timedelta(microseconds=1), timezone.now())


def as_of(model, moment=None):
    """The model's rows as they stood at `moment` (each one's latest version then, deleted ones
    left out), read from its history; today's rows without a moment."""
    return model.history.as_of(moment) if moment else model.objects


def pages_public_at(moment):
    """Comparison pages published and live at `moment`, as they stood then."""
    return as_of(ComparisonPage, moment).filter(status=Status.PUBLISHED, publish_at__lte=moment)


def rows_with_platform(moment):
    """TableRows at `moment` with their platform's name and slug as they were then, in a
    subquery; today's for a platform with no history (the launch platforms were created by a
    migration, which records none)."""
    platform = as_of(Platform, moment).filter(id=OuterRef("platform_id"))
    then = {f"platform_{name}": Coalesce(Subquery(platform.values(name)[:1]), f"platform__{name}")
            for name in ("name", "slug")}  # fmt: skip
    return as_of(TableRow, moment).annotate(**then)


def claims_at(moment, *conditions, page=None, **filters):
    """{cell id: (level, note_html)} of the matching cells at `moment`, on pages live then
    (`page`'s, or each cell's own)."""
    live = pages_public_at(moment).filter(id=page or OuterRef("capability__table__page"))
    found = as_of(Cell, moment).filter(Exists(live), *conditions, **filters)
    return {cell_id: claim for cell_id, *claim in found.values_list("id", "level", "note_html")}


# How a claim changed since a day, as the mark beside it says it, in the summary's order.
IMPROVED, DECLINED, NEW, NOTE_CHANGED, REMOVED = CHANGES = (
    "Improved", "Declined", "New", "Note changed", "Removed"
)  # fmt: skip


def change_of(before, now):
    """What happened to a claim, (level, note_html) before (None: no cell) and now: one of
    CHANGES, or "". A level that moved is told rather than a note that changed with it."""
    said, says = bool(before and any(before)), any(now)
    if not said or not says:
        return NEW if says else REMOVED if said else ""
    if before[0] != now[0]:
        return IMPROVED if Level.rank(now[0]) < Level.rank(before[0]) else DECLINED
    return NOTE_CHANGED if before[1] != now[1] else ""


@dataclass
class ChangeSummary:
    """How many claims changed since a day, by kind, for the sentence above a page."""

    counts: Counter = field(default_factory=Counter)  # not a Counter itself: templates read
    # changes.total as changes["total"], which a Counter answers with 0

    @property
    def total(self):
        return sum(self.counts[kind] for kind in CHANGES)

    @property
    def parts(self):
        """["3 improved", "1 note changed"…] in CHANGES' order."""
        return [f"{self.counts[kind]} {kind.lower()}" for kind in CHANGES if self.counts[kind]]


def grouped(values, make=tuple):
    """{first value: [make(the rest)]} of value tuples, in their order."""
    groups = {}
    for first, *rest in values:
        groups.setdefault(first, []).append(make(rest))
    return groups


def sources_by_cell(moment=None, **filters):
    """{cell id: [(url, title, accessed)]} of the matching sources (at `moment`): one query."""
    found = as_of(CellSource, moment).filter(**filters).order_by("cell_id", "order", "id")
    return grouped(found.values_list("cell_id", "url", "title", "accessed"))


def row_anchor(table_slug, platform_slug):
    return f"row-{table_slug}-{platform_slug}"


@dataclass
class Footnote:
    number: int
    anchor: str
    row_label: str
    column_name: str
    sources: list  # [(url, title, accessed)]
    last_reviewed: object


@dataclass
class Header:
    """A row or column header: a capability, or a platform. A row also has its cells."""

    id: int
    slug: str
    html: str  # sanitized inline HTML
    anchor: str
    url: str
    description: str = ""
    cells: list = field(default_factory=list)

    @property
    def text(self):
        return plain_text(self.html)


@dataclass
class TableDisplay:
    table: object
    columns: list = field(default_factory=list)  # [Header]
    rows: list = field(default_factory=list)  # [Header with cells]
    footnotes: list = field(default_factory=list)

    # Headings are inline Markdown, sanitized when saved; their emoji are decoration.
    title_html = property(lambda self: hide_emoji_html(self.table.title_html))
    section_heading_html = property(lambda self: hide_emoji_html(self.table.section_heading_html))
    takeaways_heading_html = property(
        lambda self: hide_emoji_html(self.table.takeaways_heading_html)
    )

    @property
    def platform_column_html(self):
        table = self.table
        return hide_emoji_html(table.platform_column_html or escape(table.platform_column))

    sorted_by = rows_matching = ""

    def arrange(self, query):
        """The rows as a visitor asked, without JavaScript (the script does the same in place):
        ?sort=<a column's anchor>, best level first, then by the note's words; and
        ?table=<slug>&rows=<words> keeps this table's rows whose name holds the words."""
        self.row_count = len(self.rows)
        for index, column in enumerate(self.columns):
            if column.anchor == query.get("sort"):
                self.sorted_by = column.anchor
                self.rows.sort(key=lambda row: claim_order(row.cells[index]))
        if query.get("table") == self.table.slug and query.get("rows", "").strip():
            self.rows_matching = query["rows"].strip()
            words = self.rows_matching.casefold()
            self.rows = [row for row in self.rows if words in plain_text(row.html).casefold()]


def claim_order(claim):
    """Where a claim (claim_view()) stands when a column is sorted: best level first, then its
    words in alphabetical order, claims without either last."""
    text = plain_text(claim["note_html"]).casefold()
    return (Level.rank(claim["level"]), not text, text)


@cache
def _url_prefixes():
    platform = reverse("platforms:platform-profile", args=["x"])[:-2]
    capability = reverse("platforms:capability", args=["p", "t", "c"])[:-6]
    return platform, capability


def page_tables(page, moment=None, since=None):
    """[TableDisplay] for every table of the page, in order, in five queries: as it stood at
    `moment` (from history) or as it is; with since=(day, moment), each claim says how it
    changed since then (one more query), and page.changes counts them."""
    tables = list(as_of(ComparisonTable, moment).filter(page=page.id).order_by("order", "id"))
    displays = {table.id: TableDisplay(table) for table in tables}
    for table in tables:
        table.page = page  # the page as shown (maybe as it stood): no query per table
    platform_prefix, capability_prefix = _url_prefixes()
    key = page_key(page.permalink)
    table_ids = list(displays)  # filters by table: fewer joins than by page

    capabilities = {}  # table id -> [Header]
    found = (
        as_of(Capability, moment).filter(table__in=table_ids)
        .order_by("table_id", "order", "id")
        .values_list("id", "table_id", "name", "name_html", "slug", "description")
    )  # fmt: skip
    for cap_id, table_id, name, name_html, slug, description in found:
        table_slug = displays[table_id].table.slug
        header = Header(
            cap_id, slug, linkable_html(name_html, name), f"{table_slug}-{slug}",
            f"{capability_prefix}{key}/{table_slug}/{slug}/", description,
        )  # fmt: skip
        capabilities.setdefault(table_id, []).append(header)
    cap_ids = [cap.id for headers in capabilities.values() for cap in headers]

    cells, latest_cell = {}, None
    found = as_of(Cell, moment).filter(capability__in=cap_ids).values_list(
        "id", "capability_id", "row_id", "level", "note_html", "last_reviewed", "updated_at"
    )  # fmt: skip
    for cell_id, capability_id, row_id, level, note_html, reviewed, updated in found:
        cells[(capability_id, row_id)] = (cell_id, level, note_html, reviewed)
        latest_cell = updated if latest_cell is None or updated > latest_cell else latest_cell
    page.content_changed = max(filter(None, [page.updated_at, latest_cell]))
    stale_before = timezone.localdate(moment) - timedelta(days=STALE_AFTER_DAYS)
    sources = sources_by_cell(moment, cell__in=[cell[0] for cell in cells.values()])
    # What the page's footer says of its claims (cells with a level or a note).
    claims = [(cell_id, day) for cell_id, level, html, day in cells.values() if level or html]
    page.claim_counts = {
        "claims": len(claims),
        "sourced": sum(1 for cell_id, _day in claims if cell_id in sources),
        "reviewed": sum(1 for _id, day in claims if day),
        "recent": sum(1 for _id, day in claims if day and day >= stale_before),
        "since": stale_before,
    }

    rows = {}  # table id -> [Header]
    found = (
        rows_with_platform(moment).filter(table__in=table_ids)
        .order_by("table_id", "order", "id")
        .values_list("id", "table_id", "label_html", "platform_name", "platform_slug")
    )  # fmt: skip
    for row_id, table_id, label_html, platform_name, platform_slug in found:
        table_slug = displays[table_id].table.slug
        header = Header(
            row_id, platform_slug, linkable_html(label_html, platform_name),
            row_anchor(table_slug, platform_slug), f"{platform_prefix}{platform_slug}/",
        )  # fmt: skip
        rows.setdefault(table_id, []).append(header)

    if since:
        row_ids = [row.id for headers in rows.values() for row in headers]
        before = claims_at(since[1], Q(capability__in=cap_ids) | Q(row__in=row_ids), page=page.id)
        page.changes = ChangeSummary()
    for table in tables:
        display = displays[table.id]
        table_rows, table_caps = rows.get(table.id, []), capabilities.get(table.id, [])
        as_columns = table.orientation == Orientation.PLATFORMS_AS_COLUMNS
        headers = (table_caps, table_rows)
        display.columns, display.rows = reversed(headers) if as_columns else headers
        cap_names = [plain_text(cap.html) for cap in table_caps]
        claims = {}  # (row id, capability id) -> the claim include's dict
        for row in table_rows:
            label = plain_text(row.html)
            for cap, cap_name in zip(table_caps, cap_names, strict=True):
                cell = cells.get((cap.id, row.id))
                claims[(row.id, cap.id)] = claim = _claim(
                    display, cell, sources, stale_before,
                    label, cap_name, cell_anchor(table.slug, row.slug, cap.slug),
                    label if as_columns else cap_name,
                )  # fmt: skip
                if since and cell:
                    claim["change"] = change_of(before.pop(cell[0], None), cell[1:3])
                    page.changes.counts[claim["change"]] += 1
        for header in display.rows:
            header.cells = [
                claims[(header.id, other.id) if not as_columns else (other.id, header.id)]
                for other in display.columns
            ]
    if since:  # claims whose cell, row or column is gone
        page.changes.counts[REMOVED] += sum(1 for claim in before.values() if any(claim))
    return [displays[table.id] for table in tables]


def _claim(display, cell, sources, stale_before, row_label, column_name, anchor, data_label):
    """What the claim include shows of a cell; its sources become the table's next footnote."""
    cell_id, level, note_html, reviewed = cell or (None, "", "", None)
    footnote = None
    if cell_id in sources or reviewed is not None:
        number = len(display.footnotes) + 1
        footnote = Footnote(
            number, f"{display.table.slug}-source-{number}", row_label, column_name,
            sources.get(cell_id, []), reviewed,
        )  # fmt: skip
        display.footnotes.append(footnote)
    is_stale = reviewed is not None and reviewed < stale_before
    return claim_view(level, note_html, anchor, data_label, footnote, is_stale)
