from django.contrib.sitemaps import Sitemap

from sitecontent.sitemaps import NamedPagesSitemap, PublishedSitemap

from . import explore
from .models import ComparisonPage, Platform


class ComparisonPageSitemap(PublishedSitemap):
    section = "Comparison pages"
    changefreq = "monthly"
    priority = 0.8
    model = ComparisonPage


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


class PlatformSitemap(NamedPagesSitemap):
    section = "Platforms and what changed about them"
    changefreq = "monthly"
    priority = 0.6
    pages = {"platforms:platform-profile": "{}", "platforms:platform-changes": "Changes about {}"}

    def items(self):
        # Each platform's profile and its change log, from one query (the sitemap's budget).
        platforms = list(Platform.objects.public())
        return [(name, platform) for name in self.pages for platform in platforms]


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
