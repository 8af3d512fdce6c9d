from django.contrib.sitemaps import Sitemap

from .models import ComparisonPage


class ComparisonPageSitemap(Sitemap):
    changefreq = "monthly"
    priority = 0.8

    def items(self):
        return ComparisonPage.objects.published()

    def lastmod(self, page):
        return page.updated_at
