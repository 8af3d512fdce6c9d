from django.conf import settings
from django.core.cache import cache
from django.utils.functional import SimpleLazyObject


def navigation(request):
    """[(title, permalink)] of the published comparison pages, kept per content generation."""
    from platforms.models import ComparisonPage

    def load():
        return list(ComparisonPage.objects.published().values_list("title", "permalink"))

    generation = getattr(request, "content_generation", None)
    if generation is None:
        return load()
    return cache.get_or_set(f"navigation:{generation}", load)


def site(request):
    # Lazy: pages that do not show the navigation (the admin) never load it.
    return {
        "site_name": settings.SITE_NAME,
        "site_tagline": settings.SITE_TAGLINE,
        "nav_pages": SimpleLazyObject(lambda: navigation(request)),
    }
