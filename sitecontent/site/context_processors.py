from functools import cache

from django.conf import settings
from django.urls import get_script_prefix, reverse

from platforms.models import ComparisonPage

# The pages every header and footer links to, by URL name.
SITE_URL_NAMES = (
    "home", "sitecontent:feed", "sitecontent:article-feed-atom", "sitecontent:article-list",
    "sitecontent:about", "platforms:platform-index", "platforms:capability-index",
    "platforms:compare", "platforms:choose", "platforms:changes", "platforms:open-data",
    "site-map", "search", "feeds",
)  # fmt: skip


@cache
def site_urls(script_prefix):
    """{url_name with underscores: path}, reversed once per process: 18 {% url %} tags on
    every page cost 0.7 ms of a 9 ms uncached render (tests/bench/benchmark.py, 2026-12-03)."""
    return {name.split(":")[-1].replace("-", "_"): reverse(name) for name in SITE_URL_NAMES}


def site(request):
    # A lazy queryset: pages that do not show the navigation (the admin) never run it.
    return {
        "site_name": settings.SITE_NAME,
        "site_tagline": settings.SITE_TAGLINE,
        "site_urls": site_urls(get_script_prefix()),
        "nav_pages": ComparisonPage.objects.published().values_list("title", "permalink"),
    }
