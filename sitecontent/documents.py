"""Shared pieces for reading and writing Markdown documents, whatever app owns the content:
the field-by-field report of an import, the save-only-what-changed sync, front matter out."""

from collections import Counter, defaultdict

import yaml
from django.core.exceptions import ValidationError


class DocumentReport:
    """What one document's import did, object by object and field by field."""

    def __init__(self, label):
        self.label = label
        self.kept = False  # left alone because of keep_existing
        self.counts = defaultdict(Counter)  # action -> kind -> how many
        self.changes = []  # (action, description, {field: (before, after)})
        self.notes = []  # how the document was read (orientation, new platforms…)
        self.problems = []  # what could not be done but did not stop the import

    def record(self, action, kind, obj, changes=None):
        self.counts[action][kind] += 1
        if action != "unchanged":
            self.changes.append((action, f"{kind} {obj}", changes or {}))

    def summary(self):
        if self.kept:
            return f"{self.label}: already in the database, left as it is"
        if not self.changes:
            return f"{self.label}: unchanged"
        parts = []
        for action in ("created", "updated", "deleted"):
            if kinds := self.counts.get(action):
                parts.append(action + " " + ", ".join(f"{n} {k}" for k, n in kinds.items()))
        return f"{self.label}: " + "; ".join(parts)


class ValueRefused(ValueError):
    pass


def check_values(model, values, kind):
    """Each value held to its model field's own rules, as the admin and the grid hold it: text
    whole (blank, length, URL syntax…), other values (some still None) by their validators."""
    for name, value in values.items():
        field = model._meta.get_field(name)
        try:
            field.clean(value, None) if isinstance(value, str) else field.run_validators(value)
        except ValidationError as error:
            raise ValueRefused(f"{kind} {name}: {' '.join(error.messages)}") from error


_LOOK_UP = object()


def sync(report, kind, model, lookup, values, existing=_LOOK_UP):
    """Create, update or leave alone the one row matching lookup; save only what changed.
    `existing`: the row (or None) when the caller has already fetched it in bulk."""
    obj = model.objects.filter(**lookup).first() if existing is _LOOK_UP else existing
    if obj is None:
        obj = model.objects.create(**lookup, **values)
        report.record("created", kind, obj)
        return obj
    changes = {}
    for name, value in values.items():
        if getattr(obj, name) != value:
            changes[name] = (getattr(obj, name), value)
            setattr(obj, name, value)
    if changes:
        obj.save()
    report.record("updated" if changes else "unchanged", kind, obj, changes)
    return obj


def front_matter_text(fields):
    """YAML front matter between `---` lines, empty values left out."""
    fields = {key: value for key, value in fields.items() if value is not None and value != ""}
    return f"---\n{yaml.safe_dump(fields, allow_unicode=True, sort_keys=False, width=1000)}---\n"


def publication_fields(item):
    return {"published": item.status == "published", "publish_date": item.publish_at.isoformat()}
