from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path
from django.views.static import serve

from platforms.sitemaps import (
    CapabilitySitemap,
    ComparisonPageSitemap,
    ExploreSitemap,
    PlatformChangesSitemap,
    PlatformSitemap,
)

from . import editor_uploads, views
from .feeds import LatestArticlesAtomFeed, LatestArticlesFeed
from .page_cache import cacheable
from .sitemaps import ArticleSitemap, SiteSitemap, sitemap_page

sitemaps = {"site": SiteSitemap, "pages": ComparisonPageSitemap, "articles": ArticleSitemap}
sitemaps |= {"explore": ExploreSitemap, "platforms": PlatformSitemap}
sitemaps |= {"capabilities": CapabilitySitemap, "platform-changes": PlatformChangesSitemap}

urlpatterns = [
    path("", views.home, name="home"),
    path("about/", views.about, name="about"),
    path("blog/", views.article_list, name="article-list"),
    path("blog/<slug:slug>/", views.article_detail, name="article-detail"),
    path("feed/", cacheable(LatestArticlesFeed()), name="feed"),
    path("feed/atom/", cacheable(LatestArticlesAtomFeed()), name="article-feed-atom"),
    path("sitemap.xml", cacheable(sitemap), {"sitemaps": sitemaps}, name="sitemap"),
    path("sitemap/", sitemap_page, {"sitemaps": sitemaps}, name="site-map"),
    path(".well-known/security.txt", views.security_txt, name="security-txt"),
    path("robots.txt", views.robots_txt, name="robots-txt"),
    path("admin/", admin.site.urls),
    path("markdownx/", include(editor_uploads.urlpatterns)),
    path(
        f"{settings.MEDIA_URL.strip('/')}/<path:path>",
        serve,
        {"document_root": settings.MEDIA_ROOT},
        name="media",
    ),
    # Visitors' tools (search, data, changes, reports, embeds) before the pages' catch-all.
    path("", include("platforms.visitor_urls")),
    path("", include("platforms.urls")),
]
