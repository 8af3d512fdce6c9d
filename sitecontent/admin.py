from django.contrib import admin
from markdownx.models import MarkdownxField
from markdownx.widgets import AdminMarkdownxWidget
from simple_history.admin import SimpleHistoryAdmin

from .models import AboutPage, Article


@admin.register(Article)
class ArticleAdmin(SimpleHistoryAdmin):
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
    # The admin would otherwise give the body a plain textarea: keep markdownx's live preview.
    formfield_overrides = {MarkdownxField: {"widget": AdminMarkdownxWidget}}


@admin.register(AboutPage)
class AboutPageAdmin(SimpleHistoryAdmin):
    list_display = ["title", "updated_at"]
    fields = ["title", "description", "body"]
    formfield_overrides = {MarkdownxField: {"widget": AdminMarkdownxWidget}}

    def has_add_permission(self, request):
        # One page: the migration creates it; editors change it.
        return not AboutPage.objects.exists()
