"""Open data: every table as CSV, every page and the whole dataset as JSON, described by a
Frictionless Data Package (datapackage.json, one Table Schema per CSV resource).

Addresses are stable: they are made of the page's permalink and the table's slug, which editors
are told to keep. Everything is read with flat values() queries (seven for the whole dataset),
so the largest document costs the same number of queries at any size.

CSV layout, one row per platform, in the table's own order:
    <platform column>, then for each capability: "<name> (level)" (levelled tables only, a code
    from LEVEL_CODES or empty) and "<name>" (the note, inline Markdown as editors wrote it).
"""

import csv
import io
import re
from datetime import date
from typing import NamedTuple

from django.conf import settings
from django.db.models import Value
from django.urls import reverse
from django.utils import timezone

from sitecontent.markdown import plain_text_of_html

from .display import as_of, grouped, pages_public_at, rows_with_platform, sources_by_cell
from .models import (
    Capability,
    Cell,
    ComparisonPage,
    ComparisonTable,
    Level,
    TableRow,
    cell_anchor,
)

LEVEL_CODES = list(Level.values)  # full, partial, none, unknown
PACKAGE_NAME = "platform-compare"


def page_path(page):
    """The permalink without its slashes: /Partnerships/ → Partnerships."""
    return page.permalink.strip("/")


# Spreadsheets run a cell that starts with one of these as a formula (OWASP "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value):
    """A CSV cell a spreadsheet shows as text: a leading ' before what it would run."""
    return f"'{value}" if isinstance(value, str) and value.startswith(FORMULA_STARTS) else value


def csv_path(page, table):
    return f"/data/tables/{page_path(page)}/{table.slug}.csv"


def resource_name(page, table):
    """A Data Package resource name: lower case letters, digits, '-', '_' and '.' only."""
    return re.sub(r"[^a-z0-9._-]+", "-", f"{page_path(page)}.{table.slug}".lower()).strip("-")


def column_headers(table, capabilities):
    """[(capability or None, kind, header)]: the CSV's columns, unique header names."""
    columns = [(None, "platform", table.platform_column or "Platform")]
    seen = {columns[0][2]}
    for cap in capabilities:
        name = cap.plain_name if cap.plain_name not in seen else f"{cap.plain_name} ({cap.slug})"
        seen.add(name)
        if table.uses_levels:
            columns.append((cap, "level", f"{name} (level)"))
        columns.append((cap, "note", name))
    return columns


class CapabilityData(NamedTuple):
    pk: int
    name: str
    name_html: str
    slug: str
    description: str

    @property
    def plain_name(self):
        """The header as readers see it (the name is inline Markdown)."""
        return plain_text_of_html(self.name_html) if self.name_html else self.name


class RowData(NamedTuple):
    pk: int
    label: str
    platform_slug: str
    platform_name: str
    platform_order: int
    parent_company: str

    fields = (
        "id", "label", "platform__slug", "platform__name", "platform__order",
        "platform__parent_company",
    )  # fmt: skip

    @property
    def display_label(self):
        return self.label or self.platform_name


class CellData(NamedTuple):
    pk: int
    level: str
    note: str
    note_html: str
    last_reviewed: date | None

    fields = ("id", "level", "note")  # then note_html (or ""), last_reviewed


class Dataset:
    """The published comparison data (all live pages, or some), read in six queries; with a
    moment, as it stood then, from history (pages live then and still live now)."""

    def __init__(self, pages=None, with_html=False, moment=None):
        pages = pages if pages is not None else ComparisonPage.objects.published()
        if moment:
            pages = pages_public_at(moment).filter(id__in=pages.values("id"))
        self.pages = list(pages.order_by("order", "title"))
        page_ids = [page.pk for page in self.pages]
        position = {pk: index for index, pk in enumerate(page_ids)}
        self.tables = sorted(
            as_of(ComparisonTable, moment).filter(page__in=page_ids),
            key=lambda table: (position[table.page_id], table.order, table.pk),
        )
        table_ids = [table.pk for table in self.tables]  # fewer joins than by page
        # Plain tuples rather than model instances: several times faster for thousands of cells.
        found = as_of(Capability, moment).filter(table__in=table_ids).order_by("order", "id")
        self.capabilities = grouped(
            found.values_list("table_id", *CapabilityData._fields), CapabilityData._make
        )
        # A platform's name and slug as they were then (today's without a moment).
        rows, fields = TableRow.objects, RowData.fields
        if moment:
            rows, fields = rows_with_platform(moment), ("id", "label", "platform_slug",
                                                        "platform_name", *fields[4:])  # fmt: skip
        found = rows.filter(table__in=table_ids).order_by("order", "id")
        self.rows = grouped(found.values_list("table_id", *fields), RowData._make)
        # Keyed by (row, capability). Notes' HTML only for pages that show it (embeds):
        # downloads carry the Markdown.
        found = as_of(Cell, moment).filter(capability__table__in=table_ids).values_list(
            *CellData.fields, "note_html" if with_html else Value(""), "last_reviewed",
            "row_id", "capability_id", "updated_at",
        )  # fmt: skip
        self.cells, changed = {}, [page.updated_at for page in self.pages]
        for pk, level, note, html, reviewed, row, capability, updated in found:
            self.cells[(row, capability)] = CellData(pk, level, note, html, reviewed)
            changed.append(updated)
        # When the data last changed: the newest cell or page update (now if there is none).
        self.as_of = max(changed, default=timezone.now())
        self.sources = sources_by_cell(moment, cell__capability__table__in=table_ids)
        self.page_of = {page.pk: page for page in self.pages}

    def tables_of(self, page):
        return [table for table in self.tables if table.page_id == page.pk]

    # --- CSV ----------------------------------------------------------------------------------

    def table_csv(self, table):
        columns = column_headers(table, self.capabilities.get(table.pk, []))
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow([spreadsheet_safe(header) for _cap, _kind, header in columns])
        for row in self.rows.get(table.pk, []):
            values = []
            for cap, kind, _header in columns:
                if cap is None:
                    values.append(row.display_label)
                    continue
                cell = self.cells.get((row.pk, cap.pk))
                values.append(getattr(cell, kind, "") if cell else "")
            writer.writerow(map(spreadsheet_safe, values))
        return out.getvalue()

    # --- JSON ---------------------------------------------------------------------------------

    def cell_json(self, cell):
        """One claim; the hot loop of the whole dataset, so plain lookups only."""
        reviewed = cell.last_reviewed
        sources = self.sources.get(cell.pk)
        return {
            "level": cell.level or None,
            "note": cell.note,
            "last_reviewed": reviewed.isoformat() if reviewed else None,
            "sources": [
                {"url": url, "title": title, "accessed": accessed.isoformat() if accessed else None}
                for url, title, accessed in sources
            ] if sources else [],
        }  # fmt: skip

    def row_cells(self, row, capabilities):
        cells, cell_json, row_pk, found = self.cells, self.cell_json, row.pk, {}
        for cap in capabilities:
            cell = cells.get((row_pk, cap.pk))
            found[cap.slug] = None if cell is None else cell_json(cell)
        return found

    def table_summary(self, page, table):
        """A table without its rows, and the page it is on."""
        return {
            "page": page.permalink,
            "slug": table.slug,
            "title": table.title,
            "section_heading": table.section_heading,
            "platform_column": table.platform_column,
            "uses_levels": table.uses_levels,
            "url": f"{page.permalink}#{table.slug}",
            # A claim's own address: its page's URL + "#" + this prefix + platform-column slugs.
            "cell_anchor": cell_anchor(table.slug, "{platform}", "{column}"),
            "csv": csv_path(page, table),
            "columns": [
                {"slug": cap.slug, "name": cap.plain_name, "description": cap.description}
                for cap in self.capabilities.get(table.pk, [])
            ],
        }

    def table_json(self, page, table):
        capabilities = self.capabilities.get(table.pk, [])
        return {
            **self.table_summary(page, table),
            "rows": [
                {
                    "platform": row.platform_slug,
                    "label": row.display_label,
                    "cells": self.row_cells(row, capabilities),
                }
                for row in self.rows.get(table.pk, [])
            ],
        }

    def page_summary(self, page):
        return {
            "title": page.title,
            "heading": page.display_heading,
            "description": page.meta_description,
            "url": page.permalink,
            "json": f"/data/pages/{page_path(page)}.json",
            "published": page.publish_at.isoformat(),
            "updated": page.updated_at.isoformat(),
        }

    def page_json(self, page):
        tables = [self.table_json(page, table) for table in self.tables_of(page)]
        return {**self.page_summary(page), "tables": tables}

    def header(self):
        return {
            "licence": settings.DATA_LICENSE,
            "as_of": self.as_of.isoformat(),
            "levels": {level.value: level.label for level in Level},
        }

    def platforms_json(self):
        """The platforms with a row in these tables: Platform.objects.public() for the live
        pages, in the site's order."""
        shown = {row.platform_slug: row for rows in self.rows.values() for row in rows}
        in_order = sorted(shown.values(), key=lambda row: (row.platform_order, row.platform_name))
        return [
            {"slug": row.platform_slug, "name": row.platform_name,
             "parent_company": row.parent_company}
            for row in in_order
        ]  # fmt: skip

    def capabilities_json(self):
        return [
            {"page": table_page.permalink, "table": table.slug, "slug": cap.slug,
             "name": cap.plain_name, "description": cap.description}
            for table in self.tables for table_page in [self.page_of[table.page_id]]
            for cap in self.capabilities.get(table.pk, [])
        ]  # fmt: skip

    def claims_json(self, table=None, capability=None, platform=None):
        """Every claim (a cell) on its own, in page, table, row and column order: where it is
        and its address, then what cell_json() says; only those matching the slugs given."""
        found = []
        for each in self.tables:
            page = self.page_of[each.page_id]
            capabilities = [cap for cap in self.capabilities.get(each.pk, [])
                            if capability in (None, cap.slug)]  # fmt: skip
            if table not in (None, each.slug) or not capabilities:
                continue
            for row in self.rows.get(each.pk, []):
                if platform not in (None, row.platform_slug):
                    continue
                for cap in capabilities:
                    cell = self.cells.get((row.pk, cap.pk))
                    if cell is None:
                        continue
                    anchor = cell_anchor(each.slug, row.platform_slug, cap.slug)
                    found.append({
                        "page": page.permalink, "table": each.slug, "capability": cap.slug,
                        "platform": row.platform_slug, "url": f"{page.permalink}#{anchor}",
                        **self.cell_json(cell),
                    })  # fmt: skip
        return found

    def whole_json(self):
        pages = [self.page_json(page) for page in self.pages]
        return {**self.header(), "platforms": self.platforms_json(), "pages": pages}

    # --- Data Package -------------------------------------------------------------------------

    def table_schema(self, table):
        fields = []
        for cap, kind, header in column_headers(table, self.capabilities.get(table.pk, [])):
            if cap is None:
                fields.append({"name": header, "type": "string", "title": "Platform",
                               "description": "The platform, as this table names it.",
                               "constraints": {"required": True}})  # fmt: skip
            elif kind == "level":
                fields.append({"name": header, "type": "string",
                               "description": f"Support level of “{cap.plain_name}”: one of "
                               f"{', '.join(LEVEL_CODES)}; empty when the cell states none.",
                               "constraints": {"enum": LEVEL_CODES}})  # fmt: skip
            else:
                offers = f"What the platform offers for “{cap.plain_name}” (inline Markdown)."
                description = cap.description or f"{offers} Empty: no data."
                fields.append({"name": header, "type": "string", "description": description})
        return {"fields": fields, "missingValues": [""]}

    def package(self, base_url):
        """The datapackage.json document. Resource paths are relative to /data/, where it is
        served, so a downloaded copy of the folder validates offline too."""
        licence = settings.DATA_LICENSE
        resources = []
        for table in self.tables:
            page = self.page_of[table.page_id]
            resources.append({
                "name": resource_name(page, table),
                "title": f"{page.title}: {table.title or table.section_heading or table.slug}",
                "path": csv_path(page, table).removeprefix("/data/"),
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "profile": "tabular-data-resource",
                "schema": self.table_schema(table),
            })  # fmt: skip
        return {
            "profile": "tabular-data-package",
            "name": PACKAGE_NAME,
            "title": f"{settings.SITE_NAME}: comparison data",
            "description": "How social platforms compare, claim by claim: every published "
            "comparison table, one CSV each. The whole dataset with sources and review dates is "
            f"at {base_url}/data/all.json.",
            "homepage": f"{base_url}/data/",
            "version": self.as_of.strftime("%Y.%m.%d"),
            "created": self.as_of.isoformat(),
            "licenses": [licence],
            "resources": resources,
        }

    def json_ld(self, base_url):
        """A schema.org Dataset for the open data page (search engines' dataset search)."""
        files = [
            ("application/json", "The whole dataset (JSON)", reverse("platforms:data-all")),
            ("application/json", "Data Package descriptor", reverse("platforms:data-package")),
        ]
        for table in self.tables:
            page = self.page_of[table.page_id]
            path = reverse("platforms:data-table", args=[page_path(page), table.slug])
            files.append(("text/csv", f"{page.title}: {table.title or table.slug}", path))
        return {
            "@context": "https://schema.org",
            "@type": "Dataset",
            "name": f"{settings.SITE_NAME}: comparison data",
            "description": "How social platforms compare, claim by claim: support levels, notes, "
            "sources and review dates of every published comparison table.",
            "url": base_url + reverse("platforms:open-data"),
            "license": settings.DATA_LICENSE["path"],
            "dateModified": self.as_of.isoformat(),
            "isAccessibleForFree": True,
            "creator": {"@type": "Organization", "name": settings.SITE_NAME},
            "distribution": [
                {
                    "@type": "DataDownload",
                    "encodingFormat": kind,
                    "name": name,
                    "contentUrl": base_url + path,
                }
                for kind, name, path in files
            ],  # fmt: skip
        }
