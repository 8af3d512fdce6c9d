from django.conf import settings
from django.contrib import admin
from django.urls import reverse
from django.views.decorators.csp import csp_override

# The admin and the Markdown editor set inline styles (ADMIN_CSP); public pages keep the strict one.
admin_policy = csp_override(settings.ADMIN_CSP)

ATTENTION_CHECKS = []


def attention_check(check):
    """Register check() -> [(label, queryset, query of its model's admin list)] for the admin home
    page's "Needs attention" (each app registers its own, so this module never imports another
    app's models); an item shows its count to those who may view its model."""
    ATTENTION_CHECKS.append(check)
    return check


# What editors work on most comes first on the admin home page, in this order, together.
FIRST_MODELS = ["platforms.comparisonpage", "platforms.platform", "sitecontent.article"]


class SiteAdminSite(admin.AdminSite):
    site_header = f"{settings.SITE_NAME} editors"
    site_title = f"{settings.SITE_NAME} admin"
    index_title = "Content"

    def admin_view(self, view, cacheable=False):
        return admin_policy(super().admin_view(view, cacheable))

    def login(self, request, extra_context=None):
        return admin_policy(super().login)(request, extra_context)

    def index(self, request, extra_context=None):
        items = []
        for label, queryset, query in (item for check in ATTENTION_CHECKS for item in check()):
            opts = queryset.model._meta
            if request.user.has_perm(f"{opts.app_label}.view_{opts.model_name}"):
                url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
                items.append({"label": label, "count": queryset.count(), "url": f"{url}?{query}"})
        return super().index(request, {"needs_attention": items, **(extra_context or {})})

    def get_app_list(self, request, app_label=None):
        apps = super().get_app_list(request, app_label)
        models = {m["model"]._meta.label_lower: m for app in apps for m in app["models"]}
        first = [models[key] for key in FIRST_MODELS if key in models]
        if app_label or not first:
            return apps
        for app in apps:
            app["models"] = [model for model in app["models"] if model not in first]
        apps.insert(0, {
            "name": "Comparison pages, platforms and articles",
            "app_label": "content",
            "app_url": reverse("admin:index", current_app=self.name),
            "has_module_perms": True,
            "models": first,
        })  # fmt: skip
        return [app for app in apps if app["models"]]
