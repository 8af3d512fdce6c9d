"""Embeddable views of a table or of one platform's row, for other sites' iframes."""

from django.conf import settings
from django.http import Http404

from .display import claim_view


def embed_context(request, page, dataset, table, platform_slug=None):
    capabilities = dataset.capabilities.get(table.pk, [])
    rows = dataset.rows.get(table.pk, [])
    if platform_slug:
        rows = [row for row in rows if row.platform_slug == platform_slug]
        if not rows:
            raise Http404("This platform has no row in the table")
    grid, reviewed = [], []
    for row in rows:
        cells = [dataset.cells.get((row.pk, cap.pk)) for cap in capabilities]
        # Each claim labelled with its capability: the cards of narrow embeds show it.
        grid.append((row, [claim_view(c.level, c.note_html, label=cap.plain_name) if c
                           else claim_view("", "", label=cap.plain_name)
                           for c, cap in zip(cells, capabilities, strict=True)]))  # fmt: skip
        reviewed += [cell.last_reviewed for cell in cells if cell and cell.last_reviewed]
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
