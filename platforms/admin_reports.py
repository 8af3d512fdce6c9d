"""The moderation queue of visitors' claim reports (imported by admin.py)."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from sitecontent.admin_locking import VersionedModelForm
from sitecontent.markdown import plain_text_of_html

from .models import ClaimReport, ReportStatus, cell_url


@admin.register(ClaimReport)
class ClaimReportAdmin(admin.ModelAdmin):
    form = VersionedModelForm  # no lost updates when two editors moderate the same report
    list_display = ["created_at", "status", "claim", "short_message", "links"]
    list_filter = ["status", "created_at"]
    list_select_related = ["cell__row__platform", "cell__capability__table__page"]
    search_fields = ["message", "source_url", "email"]
    date_hierarchy = "created_at"
    fields = ["status", "editor_note", "claim", "claim_now", "links", "message", "source_url",
              "email", "created_at"]  # fmt: skip
    # What the visitor sent is evidence: editors decide on it, they do not rewrite it.
    readonly_fields = ["claim", "claim_now", "links", "message", "source_url", "email",
                       "created_at"]  # fmt: skip
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
        return report.message if len(report.message) <= 80 else f"{report.message[:79]}…"

    @admin.display(description="open")
    def links(self, report):
        grid = reverse(
            "admin:platforms_comparisontable_grid", args=[report.cell.capability.table_id]
        )
        cell = reverse("admin:platforms_cell_change", args=[report.cell_id])
        return format_html(
            '<a href="{}">the claim on its page</a> · <a href="{}">the cell</a> · '
            '<a href="{}">its table’s grid</a>',
            cell_url(report.cell), cell, grid,
        )  # fmt: skip

    @admin.action(description="Mark the selected reports accepted")
    def mark_accepted(self, request, queryset):
        queryset.update(status=ReportStatus.ACCEPTED)

    @admin.action(description="Mark the selected reports rejected")
    def mark_rejected(self, request, queryset):
        queryset.update(status=ReportStatus.REJECTED)
