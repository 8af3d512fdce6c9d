from django.shortcuts import render
from django.utils.cache import add_never_cache_headers

from sitecontent.page_cache import cacheable
from sitecontent.publishing import get_visible_or_404

from .models import ComparisonPage, Level


@cacheable
def comparison_page(request, permalink):
    page, is_preview = get_visible_or_404(
        request, ComparisonPage.objects.with_tables(), permalink=request.path_info
    )
    response = render(
        request,
        "platforms/comparison_page.html",
        {"page": page, "tables": page.tables.all(), "levels": list(Level), "preview": is_preview},
    )
    if is_preview:
        add_never_cache_headers(response)
    return response
