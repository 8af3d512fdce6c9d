from datetime import timedelta
from urllib.parse import urlencode

from django.contrib import admin
from django.utils import timezone

from .admin_base import EditorAdmin
from .admin_site import attention_check
from .models import AboutPage, Article


@admin.register(Article)
class ArticleAdmin(EditorAdmin):
    list_display = ["title", "author", "status", "publish_at", "updated_at"]
    list_filter = ["status", "author"]
    search_fields = ["title", "subtitle", "description", "body", "author"]
    date_hierarchy = "publish_at"
    ordering = ["-publish_at"]
    prepopulated_fields = {"slug": ["title"]}
    fieldsets = [
        (None, {"fields": ["title", "slug", "subtitle", "author", "description"]}),
        ("Publishing", {"fields": ["status", "publish_at", "created_date"]}),
        ("Hero image", {"fields": ["hero_image", "hero_image_url", "hero_image_alt"]}),
        (None, {"fields": ["body", "call_to_action", "reading_time"]}),
    ]
    markdown_fields = ("body", "call_to_action")


def due_soon(model, label):
    """Items dated in the next 7 days: drafts (live only once published) and scheduled items."""
    today = timezone.localdate()
    dates = {"publish_at__date__gte": today, "publish_at__date__lt": today + timedelta(days=8)}
    due = model.objects.filter(**dates).exclude(status="published", publish_at__lte=timezone.now())
    return label, due, urlencode(dates)


@attention_check
def articles_due_soon():
    return [due_soon(Article, "Articles dated in the next 7 days (drafts or scheduled)")]


@admin.register(AboutPage)
class AboutPageAdmin(EditorAdmin):
    list_display = ["title", "updated_at"]
    fields = ["title", "description", "body"]
    markdown_fields = ("body",)

    def has_add_permission(self, request):
        return not AboutPage.objects.exists()  # one page: the migration makes it, editors change it
