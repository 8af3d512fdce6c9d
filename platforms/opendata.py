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
from datetime import datetime

from django.conf import settings
from django.db.models import Max
from django.utils import timezone

from .models import (
    Capability,
    Cell,
    CellSource,
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


def csv_path(page, table):
    return f"/data/tables/{page_path(page)}/{table.slug}.csv"


def json_path(page):
    return f"/data/pages/{page_path(page)}.json"


def resource_name(page, table):
    """A Data Package resource name: lower case letters, digits, '-', '_' and '.' only."""
    return re.sub(r"[^a-z0-9._-]+", "-", f"{page_path(page)}.{table.slug}".lower()).strip("-")


def column_headers(table, capabilities):
    """[(capability or None, kind, header)]: the CSV's columns, unique header names."""
    columns = [(None, "platform", table.platform_column or "Platform")]
    seen = {columns[0][2]}
    for cap in capabilities:
        name = cap.name if cap.name not in seen else f"{cap.name} ({cap.slug})"
        seen.add(name)
        if table.uses_levels:
            columns.append((cap, "level", f"{name} (level)"))
        columns.append((cap, "note", name))
    return columns


class Dataset:
    """The published comparison data (all live pages, or one), read in seven queries."""

    def __init__(self, pages=None):
        pages = pages if pages is not None else ComparisonPage.objects.published()
        self.pages = list(pages.order_by("order", "title"))
        page_ids = [page.pk for page in self.pages]
        self.tables = list(ComparisonTable.objects.filter(page__in=page_ids).order_by(
            "page__order", "page__title", "order", "id"))  # fmt: skip
        self.capabilities = {}
        for cap in Capability.objects.filter(table__page__in=page_ids).order_by("order", "id"):
            self.capabilities.setdefault(cap.table_id, []).append(cap)
        self.rows = {}
        for row in TableRow.objects.filter(table__page__in=page_ids).select_related("platform"):
            self.rows.setdefault(row.table_id, []).append(row)
        self.cells = {
            (cell.row_id, cell.capability_id): cell
            for cell in Cell.objects.filter(capability__table__page__in=page_ids)
        }
        self.sources = {}
        sources = CellSource.objects.filter(cell__capability__table__page__in=page_ids)
        for source in sources:
            self.sources.setdefault(source.cell_id, []).append(source)
        self.page_of = {page.pk: page for page in self.pages}

    def tables_of(self, page):
        return [table for table in self.tables if table.page_id == page.pk]

    @property
    def as_of(self):
        """When the data last changed: the newest cell or page update (now if empty)."""
        times = [cell.updated_at for cell in self.cells.values()]
        times += [page.updated_at for page in self.pages]
        return max(times) if times else timezone.now()

    # --- CSV ----------------------------------------------------------------------------------

    def table_csv(self, table):
        columns = column_headers(table, self.capabilities.get(table.pk, []))
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow([header for _cap, _kind, header in columns])
        for row in self.rows.get(table.pk, []):
            values = []
            for cap, kind, _header in columns:
                if cap is None:
                    values.append(row.display_label)
                    continue
                cell = self.cells.get((row.pk, cap.pk))
                values.append(getattr(cell, kind, "") if cell else "")
            writer.writerow(values)
        return out.getvalue()

    # --- JSON ---------------------------------------------------------------------------------

    def cell_json(self, page, table, row, cap):
        cell = self.cells.get((row.pk, cap.pk))
        if cell is None:
            return None
        return {
            "level": cell.level or None,
            "note": cell.note,
            "note_html": cell.note_html,
            "last_reviewed": cell.last_reviewed.isoformat() if cell.last_reviewed else None,
            "sources": [
                {
                    "url": s.url,
                    "title": s.title,
                    "accessed": s.accessed.isoformat() if s.accessed else None,
                }
                for s in self.sources.get(cell.pk, [])
            ],  # fmt: skip
            "url": f"{page.permalink}#{cell_anchor(table.slug, row.platform.slug, cap.slug)}",
        }

    def table_json(self, page, table):
        capabilities = self.capabilities.get(table.pk, [])
        return {
            "slug": table.slug,
            "title": table.title,
            "section_heading": table.section_heading,
            "platform_column": table.platform_column,
            "uses_levels": table.uses_levels,
            "url": f"{page.permalink}#{table.slug}",
            "csv": csv_path(page, table),
            "columns": [
                {"slug": cap.slug, "name": cap.name, "description": cap.description}
                for cap in capabilities
            ],
            "rows": [
                {
                    "platform": row.platform.slug,
                    "label": row.display_label,
                    "cells": {
                        cap.slug: self.cell_json(page, table, row, cap) for cap in capabilities
                    },
                }  # fmt: skip
                for row in self.rows.get(table.pk, [])
            ],
        }

    def page_json(self, page):
        return {
            "title": page.title,
            "heading": page.display_heading,
            "description": page.meta_description,
            "url": page.permalink,
            "json": json_path(page),
            "published": page.publish_at.isoformat(),
            "updated": page.updated_at.isoformat(),
            "tables": [self.table_json(page, table) for table in self.tables_of(page)],
        }

    def header(self):
        return {
            "licence": settings.DATA_LICENSE,
            "as_of": self.as_of.isoformat(),
            "levels": {level.value: level.label for level in Level},
        }

    def whole_json(self):
        platforms = {row.platform for rows in self.rows.values() for row in rows}
        return {
            **self.header(),
            "platforms": [
                {"slug": p.slug, "name": p.name, "parent_company": p.parent_company}
                for p in sorted(platforms, key=lambda p: (p.order, p.name))
            ],
            "pages": [self.page_json(page) for page in self.pages],
        }

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
                               "description": f"Support level of “{cap.name}”: one of "
                               f"{', '.join(LEVEL_CODES)}; empty when the cell states none.",
                               "constraints": {"enum": LEVEL_CODES}})  # fmt: skip
            else:
                fields.append({"name": header, "type": "string",
                               "description": cap.description or f"What the platform offers "
                               f"for “{cap.name}” (inline Markdown); empty: no data."})  # fmt: skip
        return {"fields": fields, "missingValues": [""]}

    def package(self, base_url):
        """The datapackage.json document. Resource paths are relative to /data/, where it is
        served, so a downloaded copy of the folder validates offline too."""
        licence = settings.DATA_LICENSE
        as_of = self.as_of
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
            "version": as_of.strftime("%Y.%m.%d"),
            "created": as_of.isoformat(),
            "licenses": [licence],
            "resources": resources,
        }


def latest_update():
    """When the published data last changed, in one query (for the /data/ page)."""
    newest = Cell.objects.filter(
        capability__table__page__in=ComparisonPage.objects.published().values("pk")
    ).aggregate(newest=Max("updated_at"))["newest"]
    return newest if isinstance(newest, datetime) else None
