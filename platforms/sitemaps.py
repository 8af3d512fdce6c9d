from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from .models import ComparisonPage, Platform


class ComparisonPageSitemap(Sitemap):
    changefreq = "monthly"
    priority = 0.8

    def items(self):
        return ComparisonPage.objects.published()

    def lastmod(self, page):
        return page.updated_at

    def title(self, page):
        return page.title


class PlatformChangesSitemap(Sitemap):
    """Each platform's change log (platforms shown on a live page only)."""

    changefreq = "weekly"
    priority = 0.4

    def items(self):
        live = ComparisonPage.objects.published().values("pk")
        return Platform.objects.filter(table_rows__table__page__in=live).distinct()

    def location(self, platform):
        return reverse("platform-changes", args=[platform.slug])

    def title(self, platform):
        return f"Changes about {platform.name}"
