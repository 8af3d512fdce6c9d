from functools import partial

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.models import CHANGE, LogEntry
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import Truncator

from sitecontent.admin import due_soon
from sitecontent.admin_base import EditorAdmin, LabelledTabularInline, VersionedInlineMixin
from sitecontent.admin_locking import VersionedModelForm
from sitecontent.admin_site import attention_check
from sitecontent.markdown import plain_text_of_html

from . import admin_transfer
from .grid import GridEditor
from .models import (
    STALE_AFTER_DAYS,
    Capability,
    Cell,
    CellQuerySet,
    CellSource,
    ClaimReport,
    ComparisonPage,
    ComparisonTable,
    Platform,
    PlatformAlias,
    ReportStatus,
    TableRow,
    cell_url,
    sources_of_version,
)

YEARS = STALE_AFTER_DAYS // 365


class PlatformAliasInline(LabelledTabularInline):
    model = PlatformAlias
    fields = ["name"]
    extra = 1


@admin.register(Platform)
class PlatformAdmin(EditorAdmin):
    inlines = [PlatformAliasInline]
    list_display = ["name", "parent_company", "slug", "order"]
    list_editable = ["order"]
    search_fields = ["name", "slug", "parent_company"]
    list_filter = ["parent_company"]
    prepopulated_fields = {"slug": ["name"]}


class ComparisonTableInline(LabelledTabularInline):
    model = ComparisonTable
    fields = ["order", "title", "slug", "section_heading", "uses_levels", "grid_link"]
    readonly_fields = ["grid_link"]
    prepopulated_fields = {"slug": ["title"]}
    show_change_link = True

    @admin.display(description="Cells")
    def grid_link(self, table):
        if not table.pk:
            return "Save first"
        url = reverse("admin:platforms_comparisontable_grid", args=[table.pk])
        return format_html('<a href="{}">Edit all cells</a>', url)


@admin.register(ComparisonPage)
class ComparisonPageAdmin(EditorAdmin):
    list_display = ["title", "permalink", "status", "publish_at", "updated_at"]
    list_filter = ["status"]
    search_fields = ["title", "permalink", "description"]
    date_hierarchy = "publish_at"
    fieldsets = [
        (None, {"fields": ["title", "permalink", "heading", "description", "order"]}),
        ("Publishing", {"fields": ["status", "publish_at"]}),
        ("Text around the tables", {"fields": ["intro", "closing"]}),
    ]
    inlines = [ComparisonTableInline]
    markdown_fields = ("intro", "closing")

    def get_urls(self):
        views = [
            ("import/", admin_transfer.import_view, "platforms_comparisonpage_import"),
            ("export/", admin_transfer.export_view, "platforms_comparisonpage_export"),
        ]
        own = [
            path(route, self.admin_site.admin_view(partial(view, model_admin=self)), name=name)
            for route, view, name in views
        ]
        return [*own, *super().get_urls()]


class CapabilityInline(LabelledTabularInline):
    model = Capability
    fields = ["order", "name", "slug", "description"]
    prepopulated_fields = {"slug": ["name"]}


class TableRowInline(LabelledTabularInline):
    model = TableRow
    fields = ["order", "platform", "label"]


@admin.register(ComparisonTable)
class ComparisonTableAdmin(EditorAdmin):
    list_display = ["title", "page", "order", "uses_levels", "grid_link"]
    list_filter = ["page", "uses_levels"]
    ordering = ["page__order", "page__title", "order"]
    search_fields = ["title", "section_heading", "intro", "takeaways"]
    list_select_related = ["page"]
    prepopulated_fields = {"slug": ["title"]}
    fieldsets = [
        (None, {"fields": ["page", "order", "title", "slug"]}),
        ("Layout", {"fields": ["platform_column", "orientation", "uses_levels", "legend"]}),
        ("Section", {"fields": ["section_heading", "intro"]}),
        ("Takeaways", {"fields": ["takeaways_heading", "takeaways"]}),
    ]
    inlines = [CapabilityInline, TableRowInline]
    markdown_fields = ("intro", "takeaways")

    grid_link = ComparisonTableInline.grid_link

    def get_urls(self):
        grid = self.admin_site.admin_view(self.grid_view)
        grid = path("<int:table_id>/grid/", grid, name="platforms_comparisontable_grid")
        return [grid, *super().get_urls()]

    def grid_view(self, request, table_id):
        table = self._grid_table(table_id)
        may_change_table = self.has_change_permission(request, table)
        if not (may_change_table and request.user.has_perm("platforms.change_cell")):
            raise PermissionDenied
        page, row = request.GET.get("page"), request.GET.get("row", "")
        if request.method != "POST":
            editor = GridEditor(table, page=page, opened=int(row) if row.isdecimal() else None)
            if "cell" in request.GET:  # one cell with all its fields, for the page's script
                return HttpResponse(editor.opened_cell(request.GET["cell"]))
            return self._render_grid(request, editor)
        editor = GridEditor(table, request.POST, page=page)
        if not editor.is_valid():
            problems = f"{editor.error_count} problem(s) are marked below"
            messages.error(request, f"Nothing was saved: {problems}.")
            return self._render_grid(request, editor)
        if editor.deletions and "confirm-delete" not in request.POST:
            return self._render_grid(request, editor, confirm_deletions=True)
        if changed := editor.save(request.user):  # in "Recent actions" on the admin home
            self.log_change(request, table, f"Changed {changed} cell(s) in the grid.")
        if not (editor.conflicts or editor.lost or editor.unseen):
            messages.success(request, f"Saved. {changed} cell(s) changed.")
            return redirect(request.get_full_path())
        warn = partial(messages.warning, request)
        warn(f"Saved {changed} cell(s).")
        if editor.conflicts:
            warn(
                f"{len(editor.conflicts)} change(s) were not saved because someone else saved the "
                "same cell or header after you opened this page: they are marked below with "
                "both versions."
            )
        if editor.lost:
            warn(
                "Not saved, because someone else deleted its row or column after you opened "
                f"this page: {'; '.join(editor.lost)}."
            )
        if editor.unseen:
            added = ", ".join(f"“{obj}”" for obj in editor.unseen)
            warn(f"Someone else added {added} after you opened this page: see below.")
        conflicts = {c["prefix"]: c for c in editor.conflicts}
        fresh = GridEditor(self._grid_table(table_id), conflicts=conflicts, page=page)
        return self._render_grid(request, fresh)

    def _grid_table(self, table_id):
        # Not the cells: the grid reads those of the page it shows.
        rows = Prefetch("rows", queryset=TableRow.objects.select_related("platform"))
        tables = ComparisonTable.objects.prefetch_related("capabilities", rows)
        return get_object_or_404(tables.select_related("page"), pk=table_id)

    def _render_grid(self, request, editor, confirm_deletions=False):
        table = editor.table
        context = {
            **self.admin_site.each_context(request),
            "title": f"Edit all cells: {table.title or table.slug}",
            "subtitle": f"On the page {table.page}",
            "opts": self.model._meta,
            "table": table,
            "editor": editor,
            "confirm_deletions": confirm_deletions,
            "is_nav_sidebar_enabled": False,  # the grid needs the whole width
        }
        return TemplateResponse(request, "admin/platforms/comparisontable/grid.html", context)


class CellSourceInline(VersionedInlineMixin, admin.StackedInline):
    model = CellSource
    fields = ["order", "title", "url", "accessed"]
    extra = 1


class CellCheckFilter(admin.SimpleListFilter):
    """Choices that are checks on cells: {value: (label, the check on a queryset)}."""

    checks = {}

    def lookups(self, request, model_admin):
        return [(value, label) for value, (label, _check) in self.checks.items()]

    def queryset(self, request, queryset):
        _label, check = self.checks.get(self.value(), (None, None))
        return check(queryset) if check else queryset


class AttentionFilter(CellCheckFilter):
    title, parameter_name = "needs attention", "attention"
    checks = {
        "no-source": ("Claims without any source", CellQuerySet.without_sources),
        "partial-no-note": ("Partial support without a note", CellQuerySet.partial_without_note),
    }


class StaleFilter(CellCheckFilter):
    title = parameter_name = "review"
    checks = {
        "stale": (f"Reviewed over {YEARS} year ago (possibly outdated)", CellQuerySet.stale),
        "never": ("Never reviewed", CellQuerySet.never_reviewed),
        "recent": (
            "Reviewed recently",
            lambda cells: cells.exclude(pk__in=cells.stale()).filter(last_reviewed__isnull=False),
        ),
    }


class ColumnFilter(admin.SimpleListFilter):
    """The columns of the table chosen in the table filter (none offered before one is)."""

    title, parameter_name = "column", "capability__id__exact"

    def lookups(self, request, model_admin):
        table = request.GET.get("capability__table__id__exact", "")
        columns = Capability.objects.filter(table_id=table) if table.isdecimal() else []
        return [(column.pk, column.name) for column in columns]

    def queryset(self, request, queryset):
        return queryset.filter(capability_id=self.value()) if self.value() else queryset


SourceForm = forms.modelform_factory(CellSource, fields=["url", "title", "accessed"], widgets={
    "url": forms.URLInput(attrs={"class": "vURLField"}),
    "title": forms.TextInput(attrs={"class": "vTextField"}),
    "accessed": forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
})  # fmt: skip


@admin.register(Cell)
class CellAdmin(EditorAdmin):
    """A cell's own page: its claim, sources and review date. Its place in the table is fixed:
    moving a claim is deleting it and adding another, each in the history."""

    list_display = ["platform", "capability", "table", "level", "note", "last_reviewed"]
    list_filter = [
        ("capability__table__page", admin.RelatedOnlyFieldListFilter),
        ("capability__table", admin.RelatedOnlyFieldListFilter),
        ColumnFilter,
        "row__platform",
        "level",
        StaleFilter,
        AttentionFilter,
    ]
    search_fields = ["note", "row__platform__name", "capability__name"]
    list_select_related = ["row__platform", "capability__table__page"]
    fields = ["capability", "row", "level", "note", "last_reviewed"]
    inlines = [CellSourceInline]
    ordering = ["capability__table__page", "capability__table__order", "row__order"]
    actions = ["mark_reviewed_today", "add_source"]

    @admin.action(description="Mark the selected claims reviewed today", permissions=["change"])
    def mark_reviewed_today(self, request, queryset):
        day = timezone.localdate()
        cells = queryset.mark_reviewed(request.user, day)
        # One "Recent actions" entry per claim changed, as the change form writes per save.
        LogEntry.objects.log_actions(request.user.pk, cells, CHANGE, f"Marked reviewed {day}")
        self.message_user(request, f"Marked {len(cells)} claim(s) reviewed today.")

    @admin.action(description="Add a source to the selected claims", permissions=["change"])
    def add_source(self, request, queryset):
        """Asks for the source first (a page of its own), then adds it to every claim."""
        form = SourceForm(request.POST if "apply" in request.POST else None, prefix="source")
        if form.is_valid():
            cells = queryset.add_source(request.user, **form.cleaned_data)
            message = f"Added source {form.cleaned_data['url']}"
            LogEntry.objects.log_actions(request.user.pk, cells, CHANGE, message)
            self.message_user(request, f"Added the source to {len(cells)} claim(s).")
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": "Add a source to the selected claims",
            "opts": self.model._meta,
            "form": form,
            "claims": queryset.claims().count(),
            "selected": request.POST.getlist(ACTION_CHECKBOX_NAME),
            "checkbox_name": ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/platforms/cell/add_source.html", context)

    @admin.display(ordering="capability__table__title")
    def table(self, cell):
        return cell.capability.table

    def get_readonly_fields(self, request, obj=None):
        return ["capability", "row"] if obj is not None and obj.pk else []

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("capability__table__page")

    def render_change_form(self, request, context, *args, obj=None, **kwargs):
        if obj is not None:
            context["title"] = f"Change cell: {obj.place}"
        return super().render_change_form(request, context, *args, obj=obj, **kwargs)

    def history_view_title(self, request, obj):
        return f"History of the cell {obj.place}"

    def history_form_view_title(self, request, obj):
        return f"Revert the cell {obj.place}"

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        record = get_object_or_404(Cell.history, id=object_id, history_id=version_id)
        request.restore_cell_sources = sources_of_version(record)  # by save_model, on revert
        context = {
            "restored_extra": "admin/platforms/cell/sources_then.html",
            "sources_then": request.restore_cell_sources,
            "reviewed_then": record.last_reviewed,
            **(extra_context or {}),
        }
        return super().history_form_view(request, object_id, version_id, context)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if (sources := getattr(request, "restore_cell_sources", None)) is not None:
            obj.replace_sources(sources)


class CellInline(LabelledTabularInline):
    model = Cell
    fields = ["row", "level", "note", "last_reviewed"]


@admin.register(Capability)
class CapabilityAdmin(EditorAdmin):
    list_display = ["name", "table", "order"]
    ordering = ["table__page__title", "table__order", "order"]
    list_filter = [("table__page", admin.RelatedOnlyFieldListFilter), "table"]
    search_fields = ["name", "description"]
    list_select_related = ["table__page"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [CellInline]


@admin.register(TableRow)
class TableRowAdmin(EditorAdmin):
    list_display = ["display_label", "platform", "table", "order"]
    ordering = ["table__page__title", "table__order", "order"]
    list_filter = ["platform", ("table__page", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["label", "platform__name"]
    list_select_related = ["platform", "table__page"]


@admin.register(ClaimReport)
class ClaimReportAdmin(admin.ModelAdmin):
    form = VersionedModelForm  # no lost updates when two editors moderate the same report
    list_display = ["created_at", "status", "claim", "short_message", "links"]
    list_filter = ["status", "created_at"]
    list_select_related = ["cell__row__platform", "cell__capability__table__page"]
    search_fields = ["message", "source_url", "email"]
    date_hierarchy = "created_at"
    # What the visitor sent is evidence: editors decide on it, they do not rewrite it.
    readonly_fields = "claim", "claim_now", "links", "message", "source_url", "email", "created_at"
    fields = ["status", "editor_note", *readonly_fields]
    actions = ["mark_accepted", "mark_rejected"]

    def has_add_permission(self, request):
        return False  # reports come from visitors only

    @admin.display(description="claim")
    def claim(self, report):
        return f"{report.cell.row.platform.name} · {report.cell.capability.name}"

    @admin.display(description="the claim now")
    def claim_now(self, report):
        """What the page says today, beside what the visitor says about it."""
        cell = report.cell
        reviewed = f"reviewed {cell.last_reviewed}" if cell.last_reviewed else "never reviewed"
        level = cell.get_level_display() or "No level"
        note = plain_text_of_html(cell.note_html) or "(no note)"
        sources = cell.sources.count()
        return format_html("{} — {}<br>{}; {} source(s)", level, note, reviewed, sources)

    @admin.display(description="message")
    def short_message(self, report):
        return Truncator(report.message).chars(80)

    @admin.display(description="open")
    def links(self, report):
        return format_html(
            '<a href="{}">the claim on its page</a> · <a href="{}">the cell</a> · '
            '<a href="{}">its table’s grid</a>',
            cell_url(report.cell), reverse("admin:platforms_cell_change", args=[report.cell_id]),
            reverse("admin:platforms_comparisontable_grid", args=[report.cell.capability.table_id]),
        )  # fmt: skip

    @admin.action(description="Mark the selected reports accepted")
    def mark_accepted(self, request, queryset):
        queryset.update(status=ReportStatus.ACCEPTED)

    @admin.action(description="Mark the selected reports rejected")
    def mark_rejected(self, request, queryset):
        queryset.update(status=ReportStatus.REJECTED)


@attention_check
def needing_attention():
    cells, new = Cell.objects.all(), ReportStatus.NEW
    partial, reports = cells.partial_without_note(), ClaimReport.objects.filter(status=new)
    return [
        ("Claims never reviewed", cells.never_reviewed(), "review=never"),
        (f"Claims last reviewed over {YEARS} year ago", cells.stale(), "review=stale"),
        ("Partial support without a note", partial, "attention=partial-no-note"),
        ("Claims without any source", cells.without_sources(), "attention=no-source"),
        due_soon(ComparisonPage, "Comparison pages dated in the next 7 days"),
        ("New reports from visitors", reports, f"status__exact={new}"),
    ]
