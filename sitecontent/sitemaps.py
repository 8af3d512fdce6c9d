from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from .models import Article


class ArticleSitemap(Sitemap):
    changefreq = "yearly"
    priority = 0.6

    def items(self):
        return Article.objects.published()

    def lastmod(self, article):
        return article.updated_at


class SiteSitemap(Sitemap):
    priority = 1.0
    changefreq = "weekly"

    def items(self):
        return ["home", "article-list"]

    def location(self, name):
        return reverse(name)
