from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from . import explore
from .models import ComparisonPage, Platform


class ComparisonPageSitemap(Sitemap):
    changefreq = "monthly"
    priority = 0.8

    def items(self):
        # A list: the sitemap then needs no separate count query.
        return list(ComparisonPage.objects.published())

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


class ExploreSitemap(Sitemap):
    """The ways into the data: indexes, compare and the chooser."""

    changefreq = "weekly"
    priority = 0.7

    def items(self):
        return ["platform-index", "capability-index", "compare", "choose", "about"]

    def location(self, name):
        return reverse(name)


class PlatformSitemap(Sitemap):
    changefreq = "monthly"
    priority = 0.6

    def items(self):
        return list(Platform.objects.all())

    def location(self, platform):
        return reverse("platform-profile", args=[platform.slug])


class CapabilitySitemap(Sitemap):
    changefreq = "monthly"
    priority = 0.5

    def items(self):
        tables = explore.capabilities_of(explore.by_table(explore.claims()))
        return [claim for _first, capabilities in tables for claim in capabilities]

    def location(self, claim):
        return claim.capability_path
