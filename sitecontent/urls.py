"""Articles, the about page and the site's fixed files; included by sitecontent.site.urls."""

from django.conf import settings
from django.urls import path

from . import views
from .feeds import LatestArticlesAtomFeed, LatestArticlesFeed
from .page_cache import cacheable

app_name = "sitecontent"
urlpatterns = [
    path("about/", views.about, name="about"),
    path("blog/", views.article_list, name="article-list"),
    path("blog/<slug:slug>/", views.article_detail, name="article-detail"),
    path("feed/", cacheable(LatestArticlesFeed()), name="feed"),
    path("feed/atom/", cacheable(LatestArticlesAtomFeed()), name="article-feed-atom"),
    path(".well-known/security.txt", views.security_txt, name="security-txt"),
    path("robots.txt", views.robots_txt, name="robots-txt"),
    path(f"{settings.MEDIA_URL.strip('/')}/<path:path>", views.media, name="media"),
]
