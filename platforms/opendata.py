"""The published comparison data, read in a few flat queries as it is or as it stood at a moment
(from every content model's history), written as open data: each table as CSV (a row per
platform: its name, then per capability "<name> (level)", levelled tables only: a LEVEL_CODES
code or empty, and "<name>": the note, inline Markdown), each page and the whole dataset as
JSON, described by a Frictionless Data Package."""

import csv
import io
import re
from datetime import date
from functools import cache
from itertools import product
from typing import NamedTuple

from django.conf import settings
from django.db.models import F, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from sitecontent.publishing import Status

from .models import (
    Capability,
    Cell,
    CellSource,
    ComparisonPage,
    ComparisonTable,
    Level,
    Platform,
    TableRow,
    cell_anchor,
    plain,
)

LEVEL_CODES = list(Level.values)  # full, partial, none, unknown


@cache
def history_of(model):
    """model.history, made once: simple-history builds a new manager class on each access of
    it (1.5 ms of inspect.getmembers: a third of a page's time as it stood on a day)."""
    return model.history


def recorded(model, field, pk, **when):
    """A subquery: `field` of the newest history record of the model's object `pk` (an
    OuterRef), of those made when given (e.g. history_date__lte=moment)."""
    records = history_of(model).filter(id=pk, **when)
    return Subquery(records.order_by("-history_date", "-history_id").values(field)[:1])


def as_of(model, moment=None):
    """The model's rows as they stood at `moment` (deleted ones left out); today's without."""
    return history_of(model).as_of(moment) if moment else model.objects


def pages_public_at(moment):
    return as_of(ComparisonPage, moment).filter(status=Status.PUBLISHED, publish_at__lte=moment)


def live_pages(moment=None, **filters):
    """Published pages in order; at `moment`, as they stood then if live then and still now."""
    pages = ComparisonPage.objects.published().filter(**filters)
    if moment:
        pages = pages_public_at(moment).filter(id__in=pages.values("id"))
    return pages.order_by("order", "title")


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


# Spreadsheets run a cell that starts with one of these as a formula (OWASP "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value):
    """A CSV cell a spreadsheet shows as text: a leading ' before what it would run."""
    return f"'{value}" if isinstance(value, str) and value.startswith(FORMULA_STARTS) else value


def csv_path(page, table):
    return reverse("platforms:data-table", args=[page.permalink.strip("/"), table.slug])


def columns(table, capabilities):
    """[(capability or None, kind, its Table Schema field)]: the CSV's columns, unique names."""
    name = table.platform_column or "Platform"
    found = [(None, "platform", {"name": name, "type": "string", "title": "Platform",
              "description": "The platform, as this table names it.",
              "constraints": {"required": True}})]  # fmt: skip
    seen = {name}
    for cap in capabilities:
        name = cap.plain_name if cap.plain_name not in seen else f"{cap.plain_name} ({cap.slug})"
        seen.add(name)
        if table.uses_levels:
            found.append((cap, "level", {"name": f"{name} (level)", "type": "string",
                          "description": f"Support level of “{cap.plain_name}”: one of "
                          f"{', '.join(LEVEL_CODES)}; empty when the cell states none.",
                          "constraints": {"enum": LEVEL_CODES}}))  # fmt: skip
        offers = f"What the platform offers for “{cap.plain_name}” (inline Markdown)."
        description = cap.description or f"{offers} Empty: no data."
        found.append((cap, "note", {"name": name, "type": "string", "description": description}))
    return found


class CapabilityData(NamedTuple):
    pk: int
    name: str
    name_html: str
    slug: str
    description: str

    plain_name = property(lambda self: plain(self, "name"))  # the header as readers see it

    @property
    def column_json(self):  # as a table's documents list it
        return {"slug": self.slug, "name": self.plain_name, "description": self.description}


class RowData(NamedTuple):
    pk: int
    label: str
    label_html: str
    platform_id: int
    platform_slug: str
    platform_name: str  # slug and name as they were; order and company today's
    platform_order: int
    parent_company: str

    display_label = property(lambda self: self.label or self.platform_name)


class CellData(NamedTuple):
    pk: int
    level: str
    note: str
    note_html: str
    last_reviewed: date | None


NO_CELL = CellData(None, "", "", "", None)


class Dataset:
    """The comparison data of `pages` (all live pages by default), read in five queries (four
    without sources): as it stood at `moment`, from history, or as it is; with `rows` (filters,
    e.g. platform__slug="tiktok"), only the rows matching them and their cells."""

    def __init__(self, pages=None, with_html=False, moment=None, with_sources=True, rows=None):
        self.pages = list(live_pages(moment) if pages is None else pages)
        self.page_of = {page.pk: page for page in self.pages}
        position = {pk: index for index, pk in enumerate(self.page_of)}
        self.tables = sorted(
            as_of(ComparisonTable, moment).filter(page__in=list(self.page_of)),
            key=lambda table: (position[table.page_id], table.order, table.pk),
        )
        for table in self.tables:  # for ComparisonTable.name, without a query each
            table.page = self.page_of[table.page_id]
        table_ids = [table.pk for table in self.tables]  # fewer joins than by page
        # Plain tuples rather than model instances: several times faster for thousands of cells.
        found = as_of(Capability, moment).filter(table__in=table_ids).order_by("order", "id")
        fields = ("id", "name", "name_html", "slug", "description")  # "pk" is history's own
        self.capabilities = grouped(found.values_list("table_id", *fields), CapabilityData._make)
        # A row's platform name and slug then: its newest record by then, a subquery simpler than
        # as_of()'s latest of each (4-platform compare on a day: rows 2.2 ms CPU not 3.2, ?since=
        # page 22.8 ms not 25.3; tests/bench/benchmark.py --seconds 3 --rounds 4, back to back).
        # Today's for a platform written without history since migration 0014 gave each a record.
        then = {f"platform_{name}": F(f"platform__{name}") for name in ("name", "slug")}
        if moment:
            then = {f"platform_{name}": Coalesce(
                recorded(Platform, name, OuterRef("platform_id"), history_date__lte=moment),
                F(f"platform__{name}"),
            ) for name in ("name", "slug")}  # fmt: skip
        found = as_of(TableRow, moment).annotate(**then).filter(table__in=table_ids, **rows or {})
        self.rows = grouped(found.order_by("order", "id").values_list(
            "table_id", "id", "label", "label_html", "platform_id", "platform_slug",
            "platform_name", "platform__order", "platform__parent_company",
        ), RowData._make)  # fmt: skip
        # By column, not by table: history's cells join today's tables, which lose the deleted.
        capability_ids = [cap.pk for caps in self.capabilities.values() for cap in caps]
        cells = as_of(Cell, moment).filter(capability__in=capability_ids)
        if rows:  # a profile's rows: a tenth of the cells, its claims read in 11 ms, not 14
            cells = cells.filter(row__in=[row.pk for some in self.rows.values() for row in some])
        # By (row, capability). Notes' HTML only for pages that show it: downloads carry Markdown.
        self.cells, changed = {}, [page.updated_at for page in self.pages]
        for pk, level, note, html, reviewed, row, capability, updated in cells.values_list(
            "id", "level", "note", "note_html" if with_html else Value(""), "last_reviewed",
            "row_id", "capability_id", "updated_at",
        ):  # fmt: skip
            self.cells[(row, capability)] = CellData(pk, level, note, html, reviewed)
            changed.append(updated)
        # When the data last changed: the newest cell or page update (else the moment asked for).
        self.as_of = max(changed, default=moment or timezone.now())
        self.sources = sources_by_cell(moment, cell__in=cells.values("id")) if with_sources else {}

    def tables_of(self, page):
        return [table for table in self.tables if table.page_id == page.pk]

    def table_csv(self, table):
        fields = columns(table, self.capabilities.get(table.pk, []))
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow([spreadsheet_safe(field["name"]) for _cap, _kind, field in fields])
        keys = [(cap.pk, kind) for cap, kind, _field in fields[1:]]
        for row in self.rows.get(table.pk, []):
            cells = [getattr(self.cells.get((row.pk, pk)), kind, "") for pk, kind in keys]
            writer.writerow(map(spreadsheet_safe, [row.display_label, *cells]))
        return out.getvalue()

    def cell_json(self, cell):
        """One claim (orjson writes its dates); the hot loop of the whole dataset: plain lookups."""
        sources = self.sources.get(cell.pk)
        return {
            "level": cell.level or None,
            "note": cell.note,
            "last_reviewed": cell.last_reviewed,
            "sources": [{"url": url, "title": title, "accessed": accessed}
                        for url, title, accessed in sources] if sources else [],
        }  # fmt: skip

    def table_summary(self, table):  # without its rows
        page = self.page_of[table.page_id]
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
            "columns": [cap.column_json for cap in self.capabilities.get(table.pk, [])],
        }

    def table_json(self, table):
        capabilities, rows = self.capabilities.get(table.pk, []), []
        for row in self.rows.get(table.pk, []):
            cells = {cap.slug: self.cells.get((row.pk, cap.pk)) for cap in capabilities}
            cells = {slug: cell and self.cell_json(cell) for slug, cell in cells.items()}
            rows.append({"platform": row.platform_slug, "label": row.display_label, "cells": cells})
        return {**self.table_summary(table), "rows": rows}

    def page_summary(self, page):
        return {
            "title": page.title,
            "heading": page.heading or page.title,
            "description": page.meta_description,
            "url": page.permalink,
            "json": reverse("platforms:data-page", args=[page.permalink.strip("/")]),
            "published": page.publish_at,
            "updated": page.updated_at,
        }

    def page_json(self, page):
        tables = [self.table_json(table) for table in self.tables_of(page)]
        return {**self.page_summary(page), "tables": tables}

    def header(self):
        return {
            "licence": settings.DATA_LICENSE,
            "as_of": self.as_of,
            "levels": dict(Level.choices),
        }

    def platforms_json(self):
        """The platforms with a row in these tables, in the site's order."""
        shown = {row.platform_slug: row for rows in self.rows.values() for row in rows}
        in_order = sorted(shown.values(), key=lambda row: (row.platform_order, row.platform_name))
        return [
            dict(slug=row.platform_slug, name=row.platform_name, parent_company=row.parent_company)
            for row in in_order
        ]

    def capabilities_json(self):
        return [
            {"page": self.page_of[table.page_id].permalink, "table": table.slug} | cap.column_json
            for table in self.tables
            for cap in self.capabilities.get(table.pk, [])
        ]

    def claims_json(self, **asked):
        """Every claim on its own, in order, with where it is: only those of the table,
        capability and platform slugs asked (None: any)."""
        found = []
        for each in self.tables:
            page = self.page_of[each.page_id].permalink
            for row, cap in product(self.rows.get(each.pk, []), self.capabilities.get(each.pk, [])):
                where = dict(
                    page=page, table=each.slug, capability=cap.slug, platform=row.platform_slug
                )
                cell = self.cells.get((row.pk, cap.pk))
                if cell and all(slug in (None, where[name]) for name, slug in asked.items()):
                    anchor = cell_anchor(each.slug, row.platform_slug, cap.slug)
                    found.append(where | {"url": f"{page}#{anchor}"} | self.cell_json(cell))
        return found

    def whole_json(self):
        pages = [self.page_json(page) for page in self.pages]
        return {**self.header(), "platforms": self.platforms_json(), "pages": pages}

    def package(self, base_url):
        """The datapackage.json document. Resource paths are relative to /data/, where it is
        served, so a downloaded copy of the folder validates offline too."""
        resources = []
        for table in self.tables:
            page = self.page_of[table.page_id]
            # A resource name holds lower case letters, digits, '-', '_' and '.' only.
            name = f"{page.permalink.strip('/')}.{table.slug}".lower()
            name = re.sub(r"[^a-z0-9._-]+", "-", name)
            fields = [field for *_, field in columns(table, self.capabilities.get(table.pk, []))]
            schema = {"fields": fields, "missingValues": [""]}
            resources.append({
                "name": name.strip("-"), "title": f"{page.title}: {table.name}",
                "path": csv_path(page, table).removeprefix("/data/"),
                "format": "csv", "mediatype": "text/csv", "encoding": "utf-8",
                "profile": "tabular-data-resource", "schema": schema,
            })  # fmt: skip
        return {
            "profile": "tabular-data-package",
            "name": "platform-compare",
            "title": f"{settings.SITE_NAME}: comparison data",
            "description": "How social platforms compare, claim by claim: every published "
            "comparison table, one CSV each. The whole dataset with sources and review dates is "
            f"at {base_url}/data/all.json.",
            "homepage": f"{base_url}/data/",
            "version": self.as_of.strftime("%Y.%m.%d"),
            "created": self.as_of,
            "licenses": [settings.DATA_LICENSE],
            "resources": resources,
        }

    def json_ld(self, base_url):
        """A schema.org Dataset for the open data page (search engines' dataset search)."""
        files = [
            ("application/json", "The whole dataset (JSON)", reverse("platforms:data-all")),
            ("application/json", "Data Package descriptor", reverse("platforms:data-package")),
        ]
        for csv_file in self.package(base_url)["resources"]:
            files.append(("text/csv", csv_file["title"], f"/data/{csv_file['path']}"))
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
                {"@type": "DataDownload", "encodingFormat": kind, "name": name}
                | {"contentUrl": base_url + path}
                for kind, name, path in files
            ],
        }
