from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from sitecontent.sitemaps import NamedPagesSitemap

from . import explore
from .models import ComparisonPage, Platform


class ComparisonPageSitemap(Sitemap):
    section = "Comparison pages"  # the heading of its part of the readable sitemap page
    changefreq = "monthly"
    priority = 0.8

    def items(self):
        # A list: the sitemap then needs no separate count query.
        return list(ComparisonPage.objects.published())

    def lastmod(self, page):
        return page.updated_at


class ExploreSitemap(NamedPagesSitemap):
    """The ways into the data: indexes, compare and the chooser."""

    section = "Explore the data"
    changefreq = "weekly"
    priority = 0.7
    pages = {
        "platforms:platform-index": "Platforms",
        "platforms:capability-index": "Capabilities",
        "platforms:compare": "Compare platforms",
        "platforms:choose": "Choose a platform",
        "sitecontent:about": "About",
    }


class PlatformSitemap(Sitemap):
    section = "Platforms and what changed about them"
    changefreq = "monthly"
    priority = 0.6

    titles = {"platforms:platform-profile": "{}", "platforms:platform-changes": "Changes about {}"}

    def items(self):
        # Each platform's profile and its change log, from one query (the sitemap's budget).
        platforms = list(Platform.objects.public())
        return [(platform, name) for name in self.titles for platform in platforms]

    def location(self, item):
        platform, name = item
        return reverse(name, args=[platform.slug])

    def title(self, item):
        platform, name = item
        return self.titles[name].format(platform.name)


class CapabilitySitemap(Sitemap):
    section = "Capabilities"
    changefreq = "monthly"
    priority = 0.5

    def items(self):
        return [entry for _first, entries in explore.capability_index() for entry in entries]

    def location(self, claim):
        return claim.capability_path

    def title(self, claim):
        return f"{claim.capability_name} ({claim.table_heading})"
