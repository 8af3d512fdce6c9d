from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from .grid import GridEditor
from .models import (
    STALE_AFTER_DAYS,
    Capability,
    Cell,
    CellSource,
    ComparisonPage,
    ComparisonTable,
    Platform,
    PlatformAlias,
    TableRow,
)


class PlatformAliasInline(admin.TabularInline):
    model = PlatformAlias
    fields = ["name"]
    extra = 1


@admin.register(Platform)
class PlatformAdmin(SimpleHistoryAdmin):
    inlines = [PlatformAliasInline]
    list_display = ["name", "parent_company", "slug", "order"]
    list_editable = ["order"]
    search_fields = ["name", "slug", "parent_company"]
    list_filter = ["parent_company"]
    prepopulated_fields = {"slug": ["name"]}


class ComparisonTableInline(admin.TabularInline):
    model = ComparisonTable
    fields = ["order", "title", "slug", "section_heading", "uses_levels", "grid_link"]
    readonly_fields = ["grid_link"]
    prepopulated_fields = {"slug": ["title"]}
    extra = 0
    show_change_link = True

    @admin.display(description="Cells")
    def grid_link(self, table):
        if not table.pk:
            return "Save first"
        url = reverse("admin:platforms_comparisontable_grid", args=[table.pk])
        return format_html('<a href="{}">Edit all cells</a>', url)


@admin.register(ComparisonPage)
class ComparisonPageAdmin(SimpleHistoryAdmin):
    list_display = ["title", "permalink", "status", "publish_at", "updated_at"]
    list_filter = ["status"]
    search_fields = ["title", "permalink", "description"]
    ordering = ["order", "title"]
    date_hierarchy = "publish_at"
    fieldsets = [
        (None, {"fields": ["title", "permalink", "heading", "description", "order"]}),
        ("Publishing", {"fields": ["status", "publish_at"]}),
        ("Text around the tables", {"fields": ["intro", "closing"]}),
    ]
    inlines = [ComparisonTableInline]


class CapabilityInline(admin.TabularInline):
    model = Capability
    fields = ["order", "name", "slug", "description"]
    prepopulated_fields = {"slug": ["name"]}
    extra = 0


class TableRowInline(admin.TabularInline):
    model = TableRow
    fields = ["order", "platform", "label"]
    extra = 0


@admin.register(ComparisonTable)
class ComparisonTableAdmin(SimpleHistoryAdmin):
    list_display = ["title", "page", "order", "uses_levels", "grid_link"]
    list_filter = ["page", "uses_levels"]
    ordering = ["page__order", "page__title", "order"]
    search_fields = ["title", "section_heading", "intro", "takeaways"]
    list_select_related = ["page"]
    prepopulated_fields = {"slug": ["title"]}
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "page",
                    "order",
                    "title",
                    "slug",
                    "platform_column",
                    "orientation",
                    "uses_levels",
                ]
            },
        ),
        ("Section", {"fields": ["section_heading", "intro"]}),
        ("Takeaways", {"fields": ["takeaways_heading", "takeaways"]}),
    ]
    inlines = [CapabilityInline, TableRowInline]
    change_form_template = "admin/platforms/comparisontable/change_form.html"

    grid_link = ComparisonTableInline.grid_link

    def get_urls(self):
        grid = self.admin_site.admin_view(self.grid_view)
        return [
            path("<int:table_id>/grid/", grid, name="platforms_comparisontable_grid"),
            *super().get_urls(),
        ]

    def grid_view(self, request, table_id):
        table = get_object_or_404(
            ComparisonTable.objects.with_cells().select_related("page"), pk=table_id
        )
        if not (self.has_change_permission(request, table) and request.user.has_perm(
            "platforms.change_cell"
        )):  # fmt: skip
            raise PermissionDenied
        editor = GridEditor(table, request.POST if request.method == "POST" else None)
        if request.method == "POST":
            if editor.is_valid():
                changed = editor.save()
                messages.success(request, f"Saved. {changed} cell(s) changed.")
                return redirect("admin:platforms_comparisontable_grid", table.pk)
            messages.error(
                request,
                f"Nothing was saved: {editor.error_count} problem(s) are marked below.",
            )
        context = {
            **self.admin_site.each_context(request),
            "title": f"Edit all cells: {table.title}",
            "opts": self.model._meta,
            "original": table,
            "table": table,
            "editor": editor,
            "has_view_permission": True,
        }
        return TemplateResponse(request, "admin/platforms/comparisontable/grid.html", context)


class CellSourceInline(admin.TabularInline):
    model = CellSource
    fields = ["order", "title", "url", "accessed"]
    extra = 1


class StaleFilter(admin.SimpleListFilter):
    title = "review"
    parameter_name = "review"

    def lookups(self, request, model_admin):
        return [
            ("stale", f"Reviewed over {STALE_AFTER_DAYS // 365} year ago (possibly outdated)"),
            ("never", "Never reviewed"),
            ("recent", "Reviewed recently"),
        ]

    def queryset(self, request, queryset):
        if self.value() == "stale":
            return queryset.stale()
        if self.value() == "never":
            return queryset.filter(last_reviewed__isnull=True)
        if self.value() == "recent":
            return queryset.exclude(pk__in=queryset.stale()).filter(last_reviewed__isnull=False)
        return queryset


@admin.register(Cell)
class CellAdmin(SimpleHistoryAdmin):
    list_display = ["platform", "capability", "table", "level", "note", "last_reviewed"]
    list_filter = [
        ("capability__table__page", admin.RelatedOnlyFieldListFilter),
        ("capability__table", admin.RelatedOnlyFieldListFilter),
        "row__platform",
        "level",
        StaleFilter,
    ]
    search_fields = ["note", "row__platform__name", "capability__name"]
    list_select_related = ["row__platform", "capability__table__page"]
    fields = ["capability", "row", "level", "note", "last_reviewed"]
    inlines = [CellSourceInline]
    ordering = ["capability__table__page", "capability__table__order", "row__order"]

    @admin.display(ordering="capability__table__title")
    def table(self, cell):
        return cell.capability.table


class CellInline(admin.TabularInline):
    model = Cell
    fields = ["row", "level", "note", "last_reviewed"]
    extra = 0


@admin.register(Capability)
class CapabilityAdmin(SimpleHistoryAdmin):
    list_display = ["name", "table", "order"]
    ordering = ["table__page__title", "table__order", "order"]
    list_filter = [("table__page", admin.RelatedOnlyFieldListFilter), "table"]
    search_fields = ["name", "description"]
    list_select_related = ["table__page"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [CellInline]


@admin.register(TableRow)
class TableRowAdmin(SimpleHistoryAdmin):
    list_display = ["display_label", "platform", "table", "order"]
    ordering = ["table__page__title", "table__order", "order"]
    list_filter = ["platform", ("table__page", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["label", "platform__name"]
    list_select_related = ["platform", "table__page"]


from . import admin_reports  # noqa: E402, F401  (the claim-report queue, issue 11)
