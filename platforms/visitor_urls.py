"""Addresses of the visitors' tools; included before the comparison pages' catch-all."""

from django.urls import path

from sitecontent.page_cache import cacheable

from . import visitor_views
from .feeds import ChangesFeed, PlatformChangesFeed

urlpatterns = [
    path("report/", visitor_views.report_claim, name="report-claim"),
    path("report/thanks/", visitor_views.report_thanks, name="report-thanks"),
    path("data/", visitor_views.data_index, name="open-data"),
    path("data/datapackage.json", visitor_views.data_package, name="data-package"),
    path("data/all.json", visitor_views.data_all, name="data-all"),
    path("data/pages/<path:permalink>.json", visitor_views.data_page, name="data-page"),
    path(
        "data/tables/<path:permalink>/<slug:slug>.csv", visitor_views.data_table, name="data-table"
    ),  # fmt: skip
    # The row's pattern first: the table's <path:permalink> would swallow ".../row/<platform>".
    path(
        "embed/<path:permalink>/<slug:slug>/row/<slug:platform>/",
        visitor_views.embed_table,
        name="embed-row",
    ),
    path("embed/<path:permalink>/<slug:slug>/", visitor_views.embed_table, name="embed-table"),
    path("changes/", visitor_views.change_log, name="changes"),
    path("changes/feed/", cacheable(ChangesFeed()), name="changes-feed"),
    path("changes/<slug:slug>/", visitor_views.platform_change_log, name="platform-changes"),
    path(
        "changes/<slug:slug>/feed/",
        cacheable(PlatformChangesFeed()),
        name="platform-changes-feed",
    ),
]
