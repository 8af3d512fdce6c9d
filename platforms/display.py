"""A page's comparison tables, ready to print, from a few flat queries.

The public page is the hot path: /Partnerships/ has 290 cells. Building each cell's <td> here
from plain tuples (its note is already sanitized HTML, rendered once on save) keeps an uncached
render to a few milliseconds; model instances and a template variable per cell cost ten times
that. The grid editor and the exporter use the models (ComparisonTable.grid) instead.

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
from django.utils.safestring import mark_safe

from sitecontent.compiled_queries import CompiledQuery, as_date, as_datetime

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

# The opening of a level cell's content: the mark (hidden from screen readers) and a short text
# label (read out, and printed), so that a level never depends on colour alone.
LEVEL_CONTENT = {
    level.value: (
        f'<span class="mark" aria-hidden="true">{level.mark}</span> '
        f'<span class="level-label">{level.short_label}:</span> '
    )
    for level in Level
}
MISSING_CONTENT = '<span class="level-label">No data</span>'
STALE_MARK = ' <span class="stale">(possibly outdated)</span>'


def row_anchor(table_slug, platform_slug):
    return f"row-{table_slug}-{platform_slug}"


def cell_td(anchor, level, note_html, extra="", label_attribute=""):
    """A cell's <td>: its anchor, level tint, mark and label, note, and a "link to this"
    link (keyboard and touch reach it; its name is read out, the # is drawn by CSS, so the
    cell's text stays the claim's own)."""
    if level:
        attributes, content = f' class="level-{level}"', LEVEL_CONTENT[level]
    elif note_html:
        attributes, content = "", ""
    else:
        attributes, content = ' class="level-missing"', MISSING_CONTENT
    # label_attribute: data-label="column name", shown beside the cell when tables become cards
    attributes += label_attribute
    return (
        f'<td id="{anchor}"{attributes}>'
        f"{content}{note_html}{extra}"
        f'<a class="claim-link" href="#{anchor}" aria-label="Link to this claim"></a></td>'
    )


@dataclass
class Footnote:
    number: int
    anchor: str
    row_label: str
    column_name: str
    sources: list  # [(url, title, accessed)]
    last_reviewed: object


@dataclass
class Column:
    """A column header: a capability, or (platforms as columns) a platform."""

    name: str
    anchor: str
    url: str
    description: str = ""


@dataclass
class TableDisplay:
    table: object
    columns: list = field(default_factory=list)  # [Column]
    rows: list = field(default_factory=list)  # HTML of each <tr>
    footnotes: list = field(default_factory=list)
    last_change: object = None

    @property
    def head_html(self):
        """The column headers' <th>s (names are sanitized inline HTML; descriptions escaped)."""
        return mark_safe(  # noqa: S308
            "".join(
                f'<th scope="col" id="{escape(column.anchor)}"><a href="{escape(column.url)}">'
                f"{column.name}</a>"
                + (
                    f' <span class="definition">{escape(column.description)}</span>'
                    if column.description
                    else ""
                )
                + "</th>"
                for column in self.columns
            )
        )

    @property
    def body_html(self):
        # Labels are escaped and notes were sanitized when saved.
        return mark_safe("\n".join(self.rows))  # noqa: S308

    # Headings are inline Markdown, sanitized when saved; their emoji are decoration.
    @property
    def title_html(self):
        return hide_emoji_html(self.table.title_html)

    @property
    def section_heading_html(self):
        return hide_emoji_html(self.table.section_heading_html)

    @property
    def takeaways_heading_html(self):
        return hide_emoji_html(self.table.takeaways_heading_html)

    @property
    def platform_column_html(self):
        table = self.table
        return hide_emoji_html(table.platform_column_html or escape(table.platform_column))


# The queries behind a page's tables, each filtered by the page alone.
PAGE_QUERIES = {
    "columns": CompiledQuery(
        lambda page: (
            Capability.objects.filter(table__page=page)
            .order_by("table_id", "order", "id")
            .values_list("id", "table_id", "name", "name_html", "slug", "description")
        )
    ),
    "sources": CompiledQuery(
        lambda page: (
            CellSource.objects.filter(cell__capability__table__page=page)
            .order_by("cell_id", "order", "id")
            .values_list("cell_id", "url", "title", "accessed")
        )
    ),
    "cells": CompiledQuery(
        lambda page: Cell.objects.filter(capability__table__page=page).values_list(
            "id", "capability_id", "row_id", "level", "note_html", "last_reviewed", "updated_at"
        )
    ),
    "rows": CompiledQuery(
        lambda page: (
            TableRow.objects.filter(table__page=page)
            .order_by("table_id", "order", "id")
            .values_list("id", "table_id", "label_html", "platform__name", "platform__slug")
        )
    ),
}


@cache
def _url_prefixes():
    platform = reverse("platform-profile", args=["x"])[:-2]
    capability = reverse("capability", args=["p", "t", "c"])[:-6]
    return platform, capability


def page_tables(page):
    """[TableDisplay] for every table of the page, in order."""
    tables = list(page.tables.all())
    displays = {table.id: TableDisplay(table) for table in tables}
    found = {name: query.rows(page=page.id) for name, query in PAGE_QUERIES.items()}
    platform_prefix, capability_prefix = _url_prefixes()
    key = page_key(page.permalink)

    capabilities = {}  # table id -> [(id, name html, slug, url, description)]
    for cap_id, table_id, name, name_html, slug, description in found["columns"]:
        url = f"{capability_prefix}{key}/{displays[table_id].table.slug}/{slug}/"
        name_html = linkable_html(name_html, name)
        capabilities.setdefault(table_id, []).append((cap_id, name_html, slug, url, description))

    sources = {}
    for cell_id, url, title, accessed in found["sources"]:
        sources.setdefault(cell_id, []).append((url, title, as_date(accessed)))

    cells = {}
    for cell_id, capability_id, row_id, level, note_html, reviewed, _updated in found["cells"]:
        cells[(capability_id, row_id)] = (cell_id, level, note_html, as_date(reviewed))
    # Stored in one time zone and format, so the latest is also the greatest raw value.
    latest_cell = as_datetime(max((c[6] for c in found["cells"] if c[6]), default=None))
    page.content_changed = max(filter(None, [page.updated_at, latest_cell]))
    stale_before = timezone.localdate() - timedelta(days=STALE_AFTER_DAYS)

    rows = {}  # table id -> [(row id, label html, platform slug, profile url)]
    for row_id, table_id, label_html, platform_name, platform_slug in found["rows"]:
        profile = f"{platform_prefix}{platform_slug}/"
        label_html = linkable_html(label_html, platform_name)
        rows.setdefault(table_id, []).append((row_id, label_html, platform_slug, profile))

    for table in tables:
        display = displays[table.id]
        table_rows = rows.get(table.id, [])
        table_caps = capabilities.get(table.id, [])
        as_columns = table.orientation == Orientation.PLATFORMS_AS_COLUMNS
        rendered = {}  # (row id, cap id) -> <td>
        cap_names = [plain_text(cap[1]) for cap in table_caps]
        cap_attributes = [f' data-label="{escape(name)}"' for name in cap_names]
        for row_id, label_html, platform_slug, _profile in table_rows:
            label = plain_text(label_html)
            row_attribute = f' data-label="{escape(label)}"'
            for index, (cap_id, _html, cap_slug, _url, _description) in enumerate(table_caps):
                rendered[(row_id, cap_id)] = _render_cell(
                    display, cells.get((cap_id, row_id)), sources, stale_before,
                    label, cap_names[index], cell_anchor(table.slug, platform_slug, cap_slug),
                    row_attribute if as_columns else cap_attributes[index],
                )  # fmt: skip
        if as_columns:
            _platforms_as_columns(display, table_rows, table_caps, rendered)
        else:
            _platforms_as_rows(display, table_rows, table_caps, rendered)
    return [displays[table.id] for table in tables]


def _render_cell(
    display, cell, sources, stale_before, row_label, column_name, anchor, label_attribute
):
    if cell is None:
        return cell_td(anchor, "", "", label_attribute=label_attribute)
    cell_id, level, note_html, reviewed = cell
    extra = []
    if cell_id in sources or reviewed is not None:
        number = len(display.footnotes) + 1
        note_anchor = escape(f"{display.table.slug}-source-{number}")
        display.footnotes.append(
            Footnote(
                number, note_anchor, row_label, column_name, sources.get(cell_id, []), reviewed
            )
        )
        extra.append(
            f'<sup class="fn"><a href="#{note_anchor}" aria-label="Note {number}">'
            f"[{number}]</a></sup>"
        )
    if reviewed is not None and reviewed < stale_before:
        extra.append(STALE_MARK)
    return cell_td(anchor, level, note_html, "".join(extra), label_attribute=label_attribute)


def _platforms_as_rows(display, table_rows, table_caps, rendered):
    slug = display.table.slug
    for _cap_id, name, cap_slug, url, description in table_caps:
        display.columns.append(Column(name, f"{slug}-{cap_slug}", url, description))
    for row_id, label, platform_slug, profile in table_rows:
        tds = "".join(rendered[(row_id, cap[0])] for cap in table_caps)
        display.rows.append(
            f'<tr id="{row_anchor(slug, platform_slug)}"><th scope="row">'
            f'<a href="{profile}">{label}</a></th>{tds}</tr>'
        )


def _platforms_as_columns(display, table_rows, table_caps, rendered):
    slug = display.table.slug
    for _row_id, label, platform_slug, profile in table_rows:
        display.columns.append(Column(label, row_anchor(slug, platform_slug), profile))
    for cap_id, name, cap_slug, url, description in table_caps:
        tds = "".join(rendered[(row[0], cap_id)] for row in table_rows)
        definition = (
            f' <span class="definition">{escape(description)}</span>' if description else ""
        )
        display.rows.append(
            f'<tr id="{slug}-{cap_slug}"><th scope="row"><a href="{url}">{name}</a>'
            f"{definition}</th>{tds}</tr>"
        )
