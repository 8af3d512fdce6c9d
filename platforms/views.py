from django.shortcuts import render
from django.utils.cache import add_never_cache_headers

from sitecontent.page_cache import cacheable
from sitecontent.publishing import get_visible_or_404

from .display import page_tables
from .models import ComparisonPage, Level


@cacheable
def comparison_page(request, permalink):
    page, is_preview = get_visible_or_404(
        request, ComparisonPage.objects.all(), permalink=request.path_info
    )
    tables = page_tables(page)
    legend_table = next((d.table for d in tables if d.table.uses_levels), None)
    context = {
        "page": page,
        "tables": tables,
        "legend_table": legend_table,
        "levels": list(Level),
        "preview": is_preview,
    }
    response = render(request, "platforms/comparison_page.html", context)
    if is_preview:
        add_never_cache_headers(response)
    return response
