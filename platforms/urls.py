from django.urls import include, path

from . import views, visitor_urls

app_name = "platforms"
urlpatterns = [
    # Visitors' tools (data, changes, reports, embeds) before the pages' catch-all.
    path("", include(visitor_urls.urlpatterns)),
    path("platforms/", views.platform_index, name="platform-index"),
    path("platforms/<str:slug>/", views.platform_profile, name="platform-profile"),
    path("capabilities/", views.capability_index, name="capability-index"),
    path(
        "capabilities/<str:page>/<str:table>/<str:capability>/",
        views.capability,
        name="capability",
    ),
    path("compare/", views.compare_start, name="compare"),
    path("compare/<str:slugs>/", views.compare, name="compare-platforms"),
    path(
        "compare/<str:slugs>/differences/",
        views.compare,
        {"differences": True},
        name="compare-differences",
    ),
    path("choose/", views.choose, name="choose"),
    # Last in the root URLconf: any other path is a comparison page's permalink, or a 404.
    path("<path:permalink>/", views.comparison_page, name="comparison-page"),
]
