from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class SiteAdminConfig(admin_apps.AdminConfig):
    default = False
    default_site = "sitecontent.admin_site.SiteAdminSite"


class SitecontentConfig(AppConfig):
    default = True
    name = "sitecontent"
    verbose_name = "Articles"

    def ready(self):
        from . import signals  # noqa: F401
