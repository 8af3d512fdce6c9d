"""The base of every content admin: versioned change forms and history in editors' words."""

import copy

from django.contrib import admin, messages
from django.db import models, router, transaction
from django.forms import BaseInlineFormSet, CheckboxInput
from django.shortcuts import redirect
from django.utils.html import escape
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import capfirst
from markdownx.widgets import AdminMarkdownxWidget
from simple_history.admin import SimpleHistoryAdmin
from simple_history.template_utils import HistoricalRecordContextHelper

from .admin_locking import VERSION_FIELD, VersionedInlineForm, VersionedModelForm, readable_value


class MarkdownEditor(AdminMarkdownxWidget):
    """markdownx's live preview, labelled, beside the text on wide screens (stacked on narrow),
    drawn with the public site's own stylesheet (admin-markdown.js)."""

    template_name = "admin/widgets/markdown_editor.html"

    class Media:
        js = ["js/admin-markdown.js"]

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["label"] = getattr(self, "preview_label", "")
        return context


def return_to(request):
    """The page to return to from a history page (`next`), when it is one of this site's."""
    url = request.GET.get("next", "")
    safe = url_has_allowed_host_and_scheme(url, {request.get_host()}, request.is_secure())
    return url if safe else ""


def name_input(db_field, formfield):
    """Name the input after its field, for screen readers, where Django draws no <label> for it."""
    if formfield is not None:
        formfield.widget.attrs.setdefault("aria-label", capfirst(db_field.verbose_name))
    return formfield


class VersionedInlineMixin:
    """Inline rows carry their loaded version too, in a hidden input last in the row."""

    form = VersionedInlineForm

    def get_fields(self, request, obj=None):
        fields = [name for name in super().get_fields(request, obj) if name != VERSION_FIELD]
        return [*fields, VERSION_FIELD]


class LabelledInlineFormSet(BaseInlineFormSet):
    deletion_widget = CheckboxInput(attrs={"aria-label": "Delete"})


class LabelledTabularInline(VersionedInlineMixin, admin.TabularInline):
    """Inputs named for screen readers: the tabular layout's column headers do not label them."""

    extra = 0  # rows are added with "Add another"
    formset = LabelledInlineFormSet

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        return name_input(db_field, super().formfield_for_dbfield(db_field, request, **kwargs))


class ReadableHistory(HistoricalRecordContextHelper):
    """History deltas as editors say them: "Full support → Partial support", Yes/No, (empty)."""

    def prepare_delta_change_value(self, change, value):
        value = super().prepare_delta_change_value(change, value)
        return readable_value(self.model._meta.get_field(change.field), value)


class EditorAdmin(SimpleHistoryAdmin):
    """Change forms that refuse lost updates; history pages without internal values."""

    form = VersionedModelForm
    object_history_template = "admin/editor_history.html"
    object_history_list_template = "admin/editor_history_list.html"
    object_history_form_template = "admin/editor_history_form.html"
    markdown_fields = ()  # model fields holding Markdown: the editor with its preview

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name in self.markdown_fields and isinstance(db_field, models.TextField):
            kwargs["widget"] = MarkdownEditor()
            kwargs["widget"].preview_label = capfirst(db_field.verbose_name)
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if formfield is not None and formfield.help_text:
            # The admin prints help texts as HTML: "/blog/<slug>/" must show its <slug>.
            formfield.help_text = escape(formfield.help_text)
        if isinstance(db_field, models.FileField):
            name_input(db_field, formfield)  # Django's fieldset legend does not label the input
        return formfield

    def get_fields(self, request, obj=None):
        # The version is a hidden input the change form template places itself.
        return [name for name in super().get_fields(request, obj) if name != VERSION_FIELD]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # Inline rows left unsaved because someone else changed them meanwhile, by formset
        # prefix and row: response_change shows them again instead of leaving the page.
        request.refused_rows = {
            formset.prefix: {row.instance.pk: row for row in formset.forms if row.conflicts}
            for formset in formsets
        }

    def response_change(self, request, obj):
        count = sum(len(rows) for rows in getattr(request, "refused_rows", {}).values())
        if not count:
            return super().response_change(request, obj)
        messages.warning(
            request,
            f"Saved, except {count} row(s) someone else changed after you opened this page: "
            "choose which version to keep for each, above, then save again.",
        )
        # The page as it is now (rows added a moment ago appear once, with their id), except
        # the refused rows, shown as this editor sent them (get_formset_kwargs).
        fresh = copy.copy(request)
        fresh.method = "GET"
        return self.change_view(fresh, str(obj.pk))

    def get_formset_kwargs(self, request, obj, inline, prefix):
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        refused = getattr(request, "refused_rows", {}).get(prefix)
        if refused and request.method == "GET":
            kwargs["form_kwargs"] = {"refused": refused}
        return kwargs

    def render_change_form(self, request, context, *args, **kwargs):
        inlines = context.get("inline_admin_formsets", [])
        for inline in inlines:
            # A row deleted by someone else after the page was opened is not shown again.
            if any(row.instance.pk is None for row in inline.formset.initial_forms):
                messages.error(
                    request,
                    f"Someone else deleted a {inline.opts.verbose_name} after you opened this "
                    "page, so nothing was saved: reload the page to see the rows as they are.",
                )
        context["inline_conflicts"] = [  # the main form's box, for each inline row in conflict
            {"row": f"{inline.opts.verbose_name} {number} (“{row.instance}”)", "form": row}
            for inline in inlines
            for number, row in enumerate(inline.formset.forms, start=1)
            if row.conflicts
        ]
        return super().render_change_form(request, context, *args, **kwargs)

    def get_historical_record_context_helper(self, request, historical_record):
        return ReadableHistory(self.model, historical_record)

    def history_view(self, request, object_id, extra_context=None):
        records = self.model.history.filter(**{self.model._meta.pk.attname: object_id})
        # The reason column shows only when someone gave a reason (neither NULL nor "").
        has_reasons = records.filter(history_change_reason__gt="").exists()
        context = {"history_has_reasons": has_reasons, "return_to": return_to(request)}
        return super().history_view(request, object_id, {**context, **(extra_context or {})})

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        context = {"return_to": return_to(request), **(extra_context or {})}
        # One transaction, as Django's change view: the version check locks the row it reads.
        with transaction.atomic(using=router.db_for_write(self.model)):
            response = super().history_form_view(request, object_id, version_id, context)
        reverted = request.method == "POST" and response.status_code == 302
        return redirect(context["return_to"]) if reverted and context["return_to"] else response
