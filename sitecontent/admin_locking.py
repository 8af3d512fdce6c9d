"""No lost updates: every admin change form, inline row and grid unit (platforms.grid) carries the
version it was loaded from, signed, and one rule, `decide`, compares each unit (a field, a grid cell
or header) as base (loaded), mine (submitted) and now (stored, read again and locked): what only
someone else changed stays theirs; what both changed differently (deleting included), or what the
page did not know, is a conflict, left unsaved, shown with both versions to keep mine, take theirs
or merge. A main form's conflict stops its save; an inline row's leaves only that row unsaved."""

from django import forms
from django.core import signing
from django.db import models, transaction
from django.utils.formats import localize

VERSION_FIELD = "loaded_version"
SALT = "admin-loaded-version"
RESOLVE_PREFIX, MERGE_PREFIX = "_resolve_", "_merge_"
KEEP_MINE, TAKE_THEIRS, MERGE = "mine", "theirs", "merge"
RESOLVE_CHOICES = [(KEEP_MINE, "Keep mine"), (TAKE_THEIRS, "Take theirs"), (MERGE, "Merge")]
SAVE_MINE, KEEP_THEIRS, CONFLICT = "save mine", "keep theirs", "conflict"  # `decide`'s answers
UNKNOWN = object()  # a unit the loaded version does not hold
DELETED = object()  # `mine` for a unit the editor deletes: allowed only as it was loaded


def sign(values, salt=SALT):
    return signing.dumps(values, salt=salt, compress=True)


def decide(base, mine, now, resolution=None):
    """The one locking rule: what to do with a unit loaded as `base`, submitted as `mine` and
    stored as `now` (any comparable values; `base` is UNKNOWN when the page did not have it)."""
    if mine == now or (resolution == TAKE_THEIRS and base == now):
        return KEEP_THEIRS  # already as wanted, or their version chosen after a conflict
    if base is UNKNOWN or (base != now and mine != base):
        return CONFLICT
    return KEEP_THEIRS if mine == base else SAVE_MINE


def locked(manager):
    """The manager, locking what it reads until the transaction ends (where one is open)."""
    if transaction.get_connection(manager.db).in_atomic_block:
        return manager.select_for_update()
    return manager


def stored_values(obj, names):
    """{field: its value as text}, comparable whatever the field type."""
    return {name: obj._meta.get_field(name).value_to_string(obj) for name in names}


def readable_value(field, value):
    """A stored value as an editor would say it: choice labels, names, '(empty)'."""
    if value is None or value == "" or value == []:
        return "(empty)"
    if field.choices:
        return dict(field.flatchoices).get(value, value)
    if isinstance(value, bool):
        return "Yes" if value else "No"
    return localize(value)


def last_editor(obj):
    """'name, date' of the last saved change, from the object's history when it has one."""
    history = getattr(obj, "history", None)
    record = history.select_related("history_user").first() if history is not None else None
    if record is None:
        return "someone else"
    who = record.history_user.get_username() if record.history_user else "an import or script"
    return f"{who}, {localize(record.history_date)}"


class VersionedModelForm(forms.ModelForm):
    """A ModelForm that refuses to overwrite what someone else saved after it was loaded."""

    loaded_version = forms.CharField(widget=forms.HiddenInput, required=False)
    stops_save = True  # a conflict is an error: the whole form is shown again

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.conflicts, self.merged_theirs = [], []
        if self.data:
            self.data = self.data.copy()  # the version is replaced when a conflict is shown
        if self.instance.pk is not None:
            # The base is what the database holds now, not the instance: a history page
            # offers an old version whose save must not count as "unchanged".
            current = type(self.instance)._default_manager.filter(pk=self.instance.pk).first()
            if current is not None:
                self.initial[VERSION_FIELD] = self._sign(current)

    def _tracked(self):
        """The model fields this form edits and this check can compare (files are left out)."""
        model_fields = self._meta.model._meta.concrete_fields
        comparable = {f.name for f in model_fields if not isinstance(f, models.FileField)}
        return [name for name in self.fields if name in comparable]

    def _sign(self, obj, values=None):
        values = values if values is not None else stored_values(obj, self._tracked())
        return sign({"pk": str(obj.pk), "values": values})

    def _choice(self, prefix, name):
        return self.data.get(self.add_prefix(prefix + name))

    def clean(self):
        data = super().clean()
        if self.instance.pk is None:
            return data  # an add form: nothing to compare with
        try:
            loaded = signing.loads(self.data.get(self.add_prefix(VERSION_FIELD), ""), salt=SALT)
        except signing.BadSignature as error:
            message = "This form's version mark is damaged or missing: reload the page."
            raise forms.ValidationError(message) from error
        if loaded.get("pk") != str(self.instance.pk):
            raise forms.ValidationError("This form belongs to another object: reload the page.")
        current = locked(self._meta.model._default_manager).filter(pk=self.instance.pk).first()
        if current is None:
            raise forms.ValidationError("Someone deleted this while you were editing it.")
        base, deleting = loaded["values"], data.get("DELETE")  # an inline row's delete box
        new_base = dict(base)
        for name, theirs in stored_values(current, self._tracked()).items():
            merged = self._choice(MERGE_PREFIX, name)  # after a conflict: saved as merged
            if self._choice(RESOLVE_PREFIX, name) == MERGE and merged is not None:
                try:
                    data[name] = self.fields[name].clean(merged)
                except forms.ValidationError as error:
                    self.add_error(name, error)
            if name not in data or name not in base:
                continue  # not an edited field (a formset adds the row's id and parent later)
            probe = type(current)(pk=current.pk)  # unsaved: my value as it would be stored
            current._meta.get_field(name).save_form_data(probe, data[name])
            mine = DELETED if deleting else stored_values(probe, [name])[name]
            outcome = decide(base[name], mine, theirs, self._choice(RESOLVE_PREFIX, name))
            if outcome == CONFLICT:
                self.conflicts.append(self._conflict(current, probe, name, theirs, deleting))
                new_base[name] = theirs
            elif outcome == KEEP_THEIRS and mine != theirs:
                data[name] = getattr(current, name)
                self.merged_theirs.append(name)
        if self.conflicts:
            self.data[self.add_prefix(VERSION_FIELD)] = self._sign(current, new_base)
            if deleting:
                data["DELETE"] = False  # kept: the formset does not delete it
        if self.stops_save:
            for conflict in self.conflicts:
                self.add_error(
                    conflict["name"],
                    f"Someone else ({conflict['who']}) changed this since you opened it, to: "
                    f"“{conflict['theirs']}”. Save again to keep yours.",
                )
        return data

    def _conflict(self, current, probe, name, theirs, deleting):
        field, model_field = self.fields[name], current._meta.get_field(name)
        mine = getattr(probe, name)
        # Text areas get a merge box pre-filled with both; other fields keep one or the other.
        is_text = isinstance(field.widget, forms.Textarea) and not deleting
        return {
            "name": name,
            **self._input_names(name),
            "label": field.label or name,
            "mine": "(deleted)" if deleting else str(readable_value(model_field, mine)),
            "theirs": str(readable_value(model_field, getattr(current, name))),
            "deleted": deleting,
            "is_text": is_text,
            "merged": f"{self.data.get(self.add_prefix(name), '')}\n\n{theirs}" if is_text else "",
            "who": last_editor(current),
        }

    def _input_names(self, name):
        """The choice's inputs, named as clean() reads them (with an inline row's prefix)."""
        return {
            "resolve_input": self.add_prefix(RESOLVE_PREFIX + name),
            "merge_input": self.add_prefix(MERGE_PREFIX + name),
        }


class VersionedInlineForm(VersionedModelForm):
    """An inline row: a conflict leaves only it unsaved (has_changed() is False), shown again with
    the choice (EditorAdmin). `refused` ({pk: its form whose save was just refused}) shows it as
    this editor sent it, with the version compared (a field only they changed stays theirs on the
    next save, as on a main form), or as they saved it when its deletion was refused."""

    stops_save = False

    def __init__(self, *args, refused=None, **kwargs):
        super().__init__(*args, **kwargs)
        refused = (refused or {}).get(self.instance.pk)
        if refused is not None:
            deleted = any(conflict["deleted"] for conflict in refused.conflicts)
            for name in [VERSION_FIELD] if deleted else [*self._tracked(), VERSION_FIELD]:
                self.initial[name] = refused[name].value()
            self.conflicts = [{**c, **self._input_names(c["name"])} for c in refused.conflicts]
            self.merged_theirs = refused.merged_theirs

    def has_changed(self):
        return not self.conflicts and super().has_changed()
