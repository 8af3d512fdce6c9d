"""A page's comparison tables, ready to print, from five flat queries.

The public page is the hot path: /Partnerships/ has 290 cells. Building each cell's <td> here
from plain tuples (its note is already sanitized HTML, rendered once on save) keeps an uncached
render to a few milliseconds; model instances and a template variable per cell cost ten times
that. The grid editor and the exporter use the models (ComparisonTable.grid) instead.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache

from django.db import DEFAULT_DB_ALIAS, connections
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe

from sitecontent.markdown import plain_text_of_html

from .models import STALE_AFTER_DAYS, Capability, Cell, CellSource, Level, TableRow

# The opening of a level cell: tint class, the mark (hidden from screen readers) and a short
# text label (read out, and printed), so that a level never depends on colour alone.
LEVEL_OPENINGS = {
    level.value: (
        f'<td class="level-{level.value}"><span class="mark" aria-hidden="true">{level.mark}'
        f'</span> <span class="level-label">{level.short_label}:</span> '
    )
    for level in Level
}
PLAIN_OPENING = "<td>"
MISSING_CELL = '<td class="level-missing"><span class="level-label">No data</span></td>'
STALE_MARK = ' <span class="stale">(possibly outdated)</span>'


@dataclass
class Footnote:
    number: int
    anchor: str
    row_label: str
    column_name: str
    sources: list  # [(url, title, accessed)]
    last_reviewed: object


@dataclass
class TableDisplay:
    table: object
    columns: list = field(default_factory=list)  # [(name_html, slug)]
    rows: list = field(default_factory=list)  # HTML of each <tr>

    footnotes: list = field(default_factory=list)

    @property
    def body_html(self):
        # Labels are escaped and notes were sanitized when saved.
        return mark_safe("\n".join(self.rows))  # noqa: S308


def _queries(page_id):
    """The five queries behind a page's tables, each filtered by the page alone."""
    return {
        "columns": Capability.objects.filter(table__page=page_id)
        .order_by("table_id", "order", "id")
        .values_list("id", "table_id", "name_html", "slug"),
        "sources": CellSource.objects.filter(cell__capability__table__page=page_id)
        .order_by("cell_id", "order", "id")
        .values_list("cell_id", "url", "title", "accessed"),
        "cells": Cell.objects.filter(capability__table__page=page_id).values_list(
            "id", "capability_id", "row_id", "level", "note_html", "last_reviewed"
        ),
        "rows": TableRow.objects.filter(table__page=page_id)
        .order_by("table_id", "order", "id")
        .values_list("id", "table_id", "label_html", "platform__name"),
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


def page_tables(page):
    """[TableDisplay] for every table of the page, in order."""
    tables = list(page.tables.all())
    displays = {table.id: TableDisplay(table) for table in tables}
    found = _fetch(page.id)

    column_ids = {}
    for cap_id, table_id, name, slug in found["columns"]:
        displays[table_id].columns.append((name, slug))
        column_ids.setdefault(table_id, []).append(cap_id)

    sources = {}
    for cell_id, url, title, accessed in found["sources"]:
        sources.setdefault(cell_id, []).append((url, title, _date(accessed)))

    cells = {
        (capability_id, row_id): (cell_id, level, note_html, reviewed)
        for cell_id, capability_id, row_id, level, note_html, reviewed in found["cells"]
    }
    stale_before = timezone.localdate() - timedelta(days=STALE_AFTER_DAYS)

    for row_id, table_id, label_html, platform_name in found["rows"]:
        display = displays[table_id]
        # Labels and headers are inline Markdown, sanitized when saved.
        label_html = label_html or escape(platform_name)
        label = plain_text_of_html(label_html)
        parts = []
        for (column_name, _slug), cap_id in zip(
            display.columns, column_ids.get(table_id, []), strict=True
        ):
            cell = cells.get((cap_id, row_id))
            if cell is None or not (cell[1] or cell[2]):
                parts.append(MISSING_CELL)
                continue
            cell_id, level, note_html, reviewed = cell
            reviewed = _date(reviewed)
            parts.append(LEVEL_OPENINGS[level] if level else PLAIN_OPENING)
            parts.append(note_html)
            if cell_id in sources or reviewed is not None:
                number = len(display.footnotes) + 1
                anchor = escape(f"{display.table.slug}-source-{number}")
                display.footnotes.append(
                    Footnote(
                        number,
                        anchor,
                        label,
                        plain_text_of_html(column_name),
                        sources.get(cell_id, []),
                        reviewed,
                    )
                )
                parts.append(
                    f'<sup class="fn"><a href="#{anchor}" aria-label="Note {number}">'
                    f"[{number}]</a></sup>"
                )
            if reviewed is not None and reviewed < stale_before:
                parts.append(STALE_MARK)
            parts.append("</td>")
        display.rows.append(f'<tr><th scope="row">{label_html}</th>{"".join(parts)}</tr>')
    return [displays[table.id] for table in tables]
