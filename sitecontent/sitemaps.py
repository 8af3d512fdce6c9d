from django.contrib.sitemaps import Sitemap
from django.shortcuts import render
from django.urls import reverse

from .models import Article
from .page_cache import cacheable


class PublishedSitemap(Sitemap):
    """The published items of `model`, as a list: the sitemap then needs no separate count."""

    def items(self):
        return list(self.model.objects.published())

    def lastmod(self, item):
        return item.updated_at


class ArticleSitemap(PublishedSitemap):
    section = "Articles"  # the heading of its part of the readable sitemap page
    changefreq = "yearly"
    priority = 0.6
    model = Article


class NamedPagesSitemap(Sitemap):
    """Pages by URL name; `pages` says what the readable sitemap page calls each. Items are
    (URL name, object or None): an object's slug is the URL's argument, its name the title's."""

    pages = {}

    def items(self):
        return [(name, None) for name in self.pages]

    def location(self, item):
        name, obj = item
        return reverse(name, args=[obj.slug] if obj else [])

    def title(self, item):
        name, obj = item
        return self.pages[name].format(obj and obj.name)


class SiteSitemap(NamedPagesSitemap):
    section = "The site"
    priority = 1.0
    changefreq = "weekly"
    pages = {
        "home": "Home",
        "sitecontent:article-list": "Blog",
        "platforms:changes": "What changed",
        "platforms:open-data": "Open data",
        "feeds": "Feeds",
        "site-map": "Sitemap",
    }


@cacheable
def sitemap_page(request, sitemaps):
    """The same list as sitemap.xml, for people: every public page, with its title."""
    sections = []
    for sitemap_class in sitemaps.values():
        sitemap = sitemap_class()
        title = getattr(sitemap, "title", str)  # str(): a page's or an article's title
        links = [(title(item), sitemap.location(item)) for item in sitemap.items()]
        sections.append((sitemap.section, links))
    context = {"sections": sections, "og_title": "Sitemap"}
    return render(request, "sitecontent/sitemap.html", context)
