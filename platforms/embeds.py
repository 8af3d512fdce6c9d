"""Embeddable views of a table or of one platform's row, for other sites' iframes."""

from django.conf import settings
from django.http import Http404
from django.urls import reverse

from .models import ComparisonPage, Level
from .opendata import Dataset


def embed_path(page, table, platform_slug=None):
    args = [page.permalink.strip("/"), table.slug] + ([platform_slug] if platform_slug else [])
    return reverse("embed-row" if platform_slug else "embed-table", args=args)


def with_level(cell):
    """(cell, its Level or None): what a cell's <td> shows."""
    return cell, Level(cell.level) if cell is not None and cell.level else None


def embed_context(request, page, slug, platform_slug=None):
    dataset = Dataset(ComparisonPage.objects.filter(pk=page.pk))
    table = next((t for t in dataset.tables if t.slug == slug), None)
    if table is None:
        raise Http404("No such table")
    capabilities = dataset.capabilities.get(table.pk, [])
    rows = dataset.rows.get(table.pk, [])
    if platform_slug:
        rows = [row for row in rows if row.platform.slug == platform_slug]
        if not rows:
            raise Http404("This platform has no row in the table")
    grid = [(row, [with_level(dataset.cells.get((row.pk, cap.pk))) for cap in capabilities])
            for row in rows]  # fmt: skip
    reviewed = [c.last_reviewed for _row, cells in grid for c, _l in cells if c and c.last_reviewed]
    return {
        "page": page,
        "table": table,
        "capabilities": capabilities,
        "grid": grid,
        "licence": settings.DATA_LICENSE,
        "verified_on": max(reviewed) if reviewed else None,
        "source_url": request.build_absolute_uri(f"{page.permalink}#{table.slug}"),
        "single_row": bool(platform_slug),
    }
