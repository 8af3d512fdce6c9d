"""The base of every content admin: versioned change forms and history in editors' words."""

from simple_history.admin import SimpleHistoryAdmin
from simple_history.template_utils import HistoricalRecordContextHelper

from .admin_locking import VERSION_FIELD, VersionedModelForm


def readable_value(field, value):
    """A stored value as an editor would say it: choice labels, names, '(empty)'."""
    if value is None or value == "" or value == []:
        return "(empty)"
    if field.choices:
        return dict(field.flatchoices).get(value, value)
    if isinstance(value, bool):
        return "Yes" if value else "No"
    return value


class ReadableHistory(HistoricalRecordContextHelper):
    """History deltas with labels instead of stored codes ("Full support → Partial support")."""

    def prepare_delta_change_value(self, change, value):
        field = self.model._meta.get_field(change.field)
        return readable_value(field, super().prepare_delta_change_value(change, value))


class EditorAdmin(SimpleHistoryAdmin):
    """Change forms that refuse lost updates; history pages without internal values."""

    form = VersionedModelForm
    object_history_template = "admin/editor_history.html"
    object_history_list_template = "admin/editor_history_list.html"
    object_history_form_template = "admin/editor_history_form.html"

    def get_fields(self, request, obj=None):
        # The version is a hidden input the change form template places itself.
        return [name for name in super().get_fields(request, obj) if name != VERSION_FIELD]

    def get_historical_record_context_helper(self, request, historical_record):
        return ReadableHistory(self.model, historical_record)

    def history_view(self, request, object_id, extra_context=None):
        records = self.model.history.filter(**{self.model._meta.pk.attname: object_id})
        context = {
            "history_subject": self.history_subject(request, object_id),
            # The reason column shows only when someone gave a reason.
            "history_has_reasons": records.exclude(history_change_reason__isnull=True)
            .exclude(history_change_reason="")
            .exists(),
        }
        return super().history_view(request, object_id, {**context, **(extra_context or {})})

    def history_subject(self, request, object_id):
        """A line under the history title saying where the object lives (override)."""
        return ""
