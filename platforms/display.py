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

from dataclasses import dataclass, field
from datetime import timedelta
from functools import cache

from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from .models import (
    STALE_AFTER_DAYS,
    Capability,
    Cell,
    CellSource,
    Level,
    Orientation,
    TableRow,
    cell_anchor,
)
from .text import hide_emoji_html, linkable_html, page_key, plain_text


def claim_view(level, note_html, anchor="", label="", footnote=None, is_stale=False,
               empty_text="No data"):  # fmt: skip
    """What the claim include (templates/platforms/includes/claim.html) reads: a dict, the
    cheapest thing for a template to look into, with every key given."""
    level, css = Level.of_claim(level, note_html)
    return {
        "level": level, "css": css, "note_html": note_html, "anchor": anchor, "label": label,
        "footnote": footnote, "is_stale": is_stale, "empty_text": empty_text,
    }  # fmt: skip


def grouped(values, make=tuple):
    """{first value: [make(the rest)]} of value tuples, in their order."""
    groups = {}
    for first, *rest in values:
        groups.setdefault(first, []).append(make(rest))
    return groups


def sources_by_cell(**filters):
    """{cell id: [(url, title, accessed)]} of the matching sources, in order: one query."""
    found = CellSource.objects.filter(**filters).order_by("cell_id", "order", "id")
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


def page_tables(page):
    """[TableDisplay] for every table of the page, in order, in five queries."""
    tables = list(page.tables.all())
    displays = {table.id: TableDisplay(table) for table in tables}
    platform_prefix, capability_prefix = _url_prefixes()
    key = page_key(page.permalink)
    table_ids = list(displays)  # filters by table: fewer joins than by page

    capabilities = {}  # table id -> [Header]
    found = (
        Capability.objects.filter(table__in=table_ids)
        .order_by("table_id", "order", "id")
        .values_list("id", "table_id", "name", "name_html", "slug", "description")
    )
    for cap_id, table_id, name, name_html, slug, description in found:
        table_slug = displays[table_id].table.slug
        header = Header(
            cap_id, slug, linkable_html(name_html, name), f"{table_slug}-{slug}",
            f"{capability_prefix}{key}/{table_slug}/{slug}/", description,
        )  # fmt: skip
        capabilities.setdefault(table_id, []).append(header)

    sources = sources_by_cell(cell__capability__table__in=table_ids)

    cells, latest_cell = {}, None
    found = Cell.objects.filter(capability__table__in=table_ids).values_list(
        "id", "capability_id", "row_id", "level", "note_html", "last_reviewed", "updated_at"
    )
    for cell_id, capability_id, row_id, level, note_html, reviewed, updated in found:
        cells[(capability_id, row_id)] = (cell_id, level, note_html, reviewed)
        latest_cell = updated if latest_cell is None or updated > latest_cell else latest_cell
    page.content_changed = max(filter(None, [page.updated_at, latest_cell]))
    stale_before = timezone.localdate() - timedelta(days=STALE_AFTER_DAYS)
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
        TableRow.objects.filter(table__in=table_ids)
        .order_by("table_id", "order", "id")
        .values_list("id", "table_id", "label_html", "platform__name", "platform__slug")
    )
    for row_id, table_id, label_html, platform_name, platform_slug in found:
        table_slug = displays[table_id].table.slug
        header = Header(
            row_id, platform_slug, linkable_html(label_html, platform_name),
            row_anchor(table_slug, platform_slug), f"{platform_prefix}{platform_slug}/",
        )  # fmt: skip
        rows.setdefault(table_id, []).append(header)

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
                claims[(row.id, cap.id)] = _claim(
                    display, cells.get((cap.id, row.id)), sources, stale_before,
                    label, cap_name, cell_anchor(table.slug, row.slug, cap.slug),
                    label if as_columns else cap_name,
                )  # fmt: skip
        for header in display.rows:
            header.cells = [
                claims[(header.id, other.id) if not as_columns else (other.id, header.id)]
                for other in display.columns
            ]
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
