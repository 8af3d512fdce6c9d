from django.conf import settings
from django.contrib import admin

# What editors work on most comes first on the admin home page, in this order.
MODEL_ORDER = [
    "platforms.comparisonpage",
    "platforms.platform",
    "sitecontent.article",
    "platforms.comparisontable",
    "platforms.capability",
    "platforms.cell",
]
APP_ORDER = ["platforms", "sitecontent"]


class SiteAdminSite(admin.AdminSite):
    site_header = f"{settings.SITE_NAME} editors"
    site_title = f"{settings.SITE_NAME} admin"
    index_title = "Content"

    def get_app_list(self, request, app_label=None):
        apps = super().get_app_list(request, app_label)

        def model_rank(model):
            key = f"{model['model']._meta.app_label}.{model['object_name'].lower()}"
            return MODEL_ORDER.index(key) if key in MODEL_ORDER else len(MODEL_ORDER)

        for app in apps:
            app["models"].sort(key=lambda m: (model_rank(m), m["name"]))
        apps.sort(
            key=lambda a: APP_ORDER.index(a["app_label"]) if a["app_label"] in APP_ORDER else 99
        )
        return apps
