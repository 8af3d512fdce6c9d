from django.urls import path

from sitecontent.page_cache import cacheable

from . import api, views
from .feeds import ChangesFeed

app_name = "platforms"
EMBED = "embed/<path:permalink>/<slug:slug>/"
urlpatterns = [
    path("report/", views.report_claim, name="report-claim"),
    path("report/thanks/", views.report_thanks, name="report-thanks"),
    path("data/", views.data_index, name="open-data"),
    path("data/datapackage.json", views.data_package, name="data-package"),
    path("data/all.json", views.data_all, name="data-all"),
    path("data/pages/<path:permalink>.json", views.data_page, name="data-page"),
    path("data/tables/<path:permalink>/<slug:slug>.csv", views.data_table, name="data-table"),
    # The row's pattern first: the table's <path:permalink> would swallow ".../row/<platform>".
    path(f"{EMBED}row/<slug:platform>/", views.embed_table, name="embed-row"),
    path(EMBED, views.embed_table, name="embed-table"),
    path(
        "badge/<slug:slug>/<slug:page>/<slug:table>/<slug:capability>.svg",
        views.badge,
        name="badge",
    ),
    path("api/v1/", api.api.urls),
    path("api/<path:rest>", api.not_found),
    path("changes/", views.change_log, name="changes"),
    path("changes/feed/", cacheable(ChangesFeed()), name="changes-feed"),
    path("changes/<slug:slug>/", views.change_log, name="platform-changes"),
    path("changes/<slug:slug>/feed/", cacheable(ChangesFeed()), name="platform-changes-feed"),
    path("platforms/", views.platform_index, name="platform-index"),
    path("platforms/<str:slug>/", views.platform_profile, name="platform-profile"),
    path("platforms/<str:slug>/timeline/", views.platform_timeline, name="platform-timeline"),
    path("capabilities/", views.capability_index, name="capability-index"),
    path("capabilities/<page>/<table>/<capability>/", views.capability, name="capability"),
    path("compare/", views.compare_start, name="compare"),
    path("compare/<slugs>/", views.compare, name="compare-platforms"),
    path(
        "compare/<slugs>/differences/",
        views.compare,
        {"differences": True},
        name="compare-differences",
    ),
    path("choose/", views.choose, name="choose"),
    # Last in the root URLconf: any other path is a comparison page's permalink, or a 404.
    path("<path:permalink>/", views.comparison_page, name="comparison-page"),
]
