from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class SiteAdminConfig(admin_apps.AdminConfig):
    default = False
    default_site = "sitecontent.admin_site.SiteAdminSite"


class SitecontentConfig(AppConfig):
    name = "sitecontent"
    verbose_name = "Articles"

    def ready(self):
        from django.db.models.signals import post_migrate, pre_save

        from .markdown import strip_control_characters
        from .models import AboutPage, Article
        from .page_cache import retire_on_change
        from .roles import sync_editors_group

        retire_on_change(Article, AboutPage)
        # Every model's text, from any way in (admin, grid, import): none can break a feed.
        pre_save.connect(strip_control_characters, dispatch_uid="strip-control-characters")
        # After the last app's permissions exist, so the group gets all of them.
        post_migrate.connect(sync_editors_group, dispatch_uid="sync-editors-group")
