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
from datetime import date, timedelta
from functools import cache

from django.db import DEFAULT_DB_ALIAS, connections
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe

from sitecontent.markdown import plain_text_of_html

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
from .text import hide_emoji_html, linkable_html, page_key

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


def cell_td(anchor, level, note_html, extra="", label=""):
    """A cell's <td>: its anchor, level tint, mark and label, note, and a "link to this"
    link (keyboard and touch reach it; its text is read out, the # is drawn by CSS)."""
    if level:
        attributes, content = f' class="level-{level}"', LEVEL_CONTENT[level]
    elif note_html:
        attributes, content = "", ""
    else:
        attributes, content = ' class="level-missing"', MISSING_CONTENT
    if label:  # the column's name, shown beside the cell when the table becomes cards
        attributes += f' data-label="{escape(label)}"'
    return (
        f'<td id="{anchor}"{attributes}>'
        f"{content}{note_html}{extra}"
        f'<a class="claim-link" href="#{anchor}"><span class="level-label">Link to this claim'
        f"</span></a></td>"
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


def _queries(page_id):
    """The queries behind a page's tables, each filtered by the page alone."""
    return {
        "columns": Capability.objects.filter(table__page=page_id)
        .order_by("table_id", "order", "id")
        .values_list("id", "table_id", "name", "name_html", "slug", "description"),
        "sources": CellSource.objects.filter(cell__capability__table__page=page_id)
        .order_by("cell_id", "order", "id")
        .values_list("cell_id", "url", "title", "accessed"),
        "cells": Cell.objects.filter(capability__table__page=page_id).values_list(
            "id", "capability_id", "row_id", "level", "note_html", "last_reviewed", "updated_at"
        ),
        "rows": TableRow.objects.filter(table__page=page_id)
        .order_by("table_id", "order", "id")
        .values_list("id", "table_id", "label_html", "platform__name", "platform__slug"),
    }


@cache
def _compiled(alias):
    """SQL of each query, compiled once per process: compiling costs more than running them."""
    return {name: queryset.query.sql_with_params()[0] for name, queryset in _queries(0).items()}


def _fetch(page_id):
    connection = connections[DEFAULT_DB_ALIAS]
    with connection.cursor() as cursor:
        results = {}
        for name, sql in _compiled(connection.alias).items():
            cursor.execute(sql, [page_id])
            results[name] = cursor.fetchall()
    return results


def _date(value):
    # SQLite hands dates back as text when the ORM's converters are not involved.
    return date.fromisoformat(value) if isinstance(value, str) else value


def _datetime(value):
    if isinstance(value, str):
        from django.utils.dateparse import parse_datetime

        value = parse_datetime(value)
    if value is not None and timezone.is_naive(value):
        value = timezone.make_aware(value, timezone.UTC)
    return value


@cache
def _url_prefixes():
    platform = reverse("platform-profile", args=["x"])[:-2]
    capability = reverse("capability", args=["p", "t", "c"])[:-6]
    return platform, capability


def page_tables(page):
    """[TableDisplay] for every table of the page, in order."""
    tables = list(page.tables.all())
    displays = {table.id: TableDisplay(table) for table in tables}
    found = _fetch(page.id)
    platform_prefix, capability_prefix = _url_prefixes()
    key = page_key(page.permalink)

    capabilities = {}  # table id -> [(id, name html, slug, url, description)]
    for cap_id, table_id, name, name_html, slug, description in found["columns"]:
        url = f"{capability_prefix}{key}/{displays[table_id].table.slug}/{slug}/"
        name_html = linkable_html(name_html, name)
        capabilities.setdefault(table_id, []).append((cap_id, name_html, slug, url, description))

    sources = {}
    for cell_id, url, title, accessed in found["sources"]:
        sources.setdefault(cell_id, []).append((url, title, _date(accessed)))

    page.content_changed = page.updated_at
    cells = {}
    for cell_id, capability_id, row_id, level, note_html, reviewed, updated in found["cells"]:
        cells[(capability_id, row_id)] = (cell_id, level, note_html, _date(reviewed))
        updated = _datetime(updated)
        if updated and updated > page.content_changed:
            page.content_changed = updated
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
        for row_id, label_html, platform_slug, _profile in table_rows:
            label = plain_text_of_html(label_html)
            for cap_id, cap_html, cap_slug, _url, _description in table_caps:
                cap_name = plain_text_of_html(cap_html)
                rendered[(row_id, cap_id)] = _render_cell(
                    display, cells.get((cap_id, row_id)), sources, stale_before,
                    label, cap_name, cell_anchor(table.slug, platform_slug, cap_slug),
                    card_label=label if as_columns else cap_name,
                )  # fmt: skip
        if as_columns:
            _platforms_as_columns(display, table_rows, table_caps, rendered)
        else:
            _platforms_as_rows(display, table_rows, table_caps, rendered)
    return [displays[table.id] for table in tables]


def _render_cell(display, cell, sources, stale_before, row_label, column_name, anchor, card_label):
    if cell is None:
        return cell_td(anchor, "", "", label=card_label)
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
    return cell_td(anchor, level, note_html, "".join(extra), label=card_label)


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
