from django.conf import settings

from platforms.models import ComparisonPage


def site(request):
    # A lazy queryset: pages that do not show the navigation (the admin) never run it.
    return {
        "site_name": settings.SITE_NAME,
        "site_tagline": settings.SITE_TAGLINE,
        "nav_pages": ComparisonPage.objects.published().values_list("title", "permalink"),
    }
