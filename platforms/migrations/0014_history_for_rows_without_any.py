"""A first history record for every content row that has none, so that a page shown as it stood
on a day (?as_of=) is true to it rather than silently falling back to today's names.

Rows without history were written by migrations (the launch platforms, 0002) or in bulk without
it. Nothing recorded has changed them since (any save() records one), so the record holds their
current values, dated as far back as anyone can tell they held them: their last save where the
model keeps one (updated_at, which bulk_create sets too), else the start of the site's records
(its oldest history record, or now when there is none). A row is then on a past day exactly as
it is now, from that date; a later rename or edit is recorded as usual and shows from its day,
the old name before it. Nothing is deleted on reverse: the records are true either way.
"""

from django.db import migrations
from django.db.models import Min
from django.utils import timezone

MODELS = ("Platform", "PlatformAlias", "ComparisonPage", "ComparisonTable", "Capability",
          "TableRow", "Cell", "CellSource")  # fmt: skip
REASON = "Recorded when history began for it: its values as they were then"


def record_missing_history(apps, schema_editor=None):
    pairs = [(apps.get_model("platforms", name), apps.get_model("platforms", f"Historical{name}"))
             for name in MODELS]  # fmt: skip
    oldest = [history.objects.aggregate(at=Min("history_date"))["at"] for _m, history in pairs]
    start = min(filter(None, oldest), default=timezone.now())
    for model, history in pairs:
        fields = [f.attname for f in history._meta.fields if not f.name.startswith("history_")]
        missing = model.objects.exclude(id__in=history.objects.values("id")).order_by("id")
        history.objects.bulk_create(
            [
                history(
                    **{name: getattr(row, name) for name in fields},
                    history_date=min(getattr(row, "updated_at", None) or start, timezone.now()),
                    history_type="+",
                    history_change_reason=REASON,
                )
                for row in missing.iterator()
            ],
            batch_size=500,
        )


class Migration(migrations.Migration):
    dependencies = [("platforms", "0013_table_legend")]

    operations = [migrations.RunPython(record_missing_history, migrations.RunPython.noop)]
