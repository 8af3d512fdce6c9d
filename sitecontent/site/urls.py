"""The root URLconf: the site's own pages, then the articles' and the comparison data's."""

from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path

from platforms import sitemaps as data_sitemaps
from sitecontent import editor_uploads
from sitecontent.page_cache import cacheable
from sitecontent.sitemaps import ArticleSitemap, SiteSitemap, sitemap_page

from . import views

sitemaps = {"site": SiteSitemap, "pages": data_sitemaps.ComparisonPageSitemap}
sitemaps |= {"articles": ArticleSitemap, "explore": data_sitemaps.ExploreSitemap}
sitemaps |= {"platforms": data_sitemaps.PlatformSitemap}
sitemaps |= {"capabilities": data_sitemaps.CapabilitySitemap}

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.site_search, name="search"),
    path("feeds/", views.feed_list, name="feeds"),
    path("sitemap.xml", cacheable(sitemap), {"sitemaps": sitemaps}, name="sitemap"),
    path("sitemap/", sitemap_page, {"sitemaps": sitemaps}, name="site-map"),
    path("admin/", admin.site.urls),
    # markdownx's widget finds these by their un-namespaced names.
    path("markdownx/", include(editor_uploads.urlpatterns)),
    path("", include("sitecontent.urls")),
    # Last: the comparison pages' permalinks catch every other path.
    path("", include("platforms.urls")),
]
