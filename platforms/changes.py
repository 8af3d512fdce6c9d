"""The public change log, from the history simple-history keeps: claims whose level or note
changed after their page went live, new comparison pages and new articles, never drafts nor
staff-only fields. One UNION query of (kind, id, when) cut to a page in SQL, then one per kind."""

from dataclasses import dataclass
from datetime import datetime

from django.core.paginator import Paginator
from django.db.models import CharField, F, OuterRef, Q, Subquery, Value

from sitecontent.markdown import plain_text_of_html
from sitecontent.models import Article

from .models import Cell, ComparisonPage, cell_url, plain

PER_PAGE = 30
FEED_LENGTH = 30
KIND_CELL, KIND_PAGE, KIND_ARTICLE = "cell", "page", "article"


@dataclass
class Change:
    """An entry of the log, in the API's words (orjson writes it as it is)."""

    kind: str
    id: str  # stable identity, for feed entry ids
    date: datetime
    title: str  # "TikTok · Live engagement: Partial → Full; note changed"
    url: str
    # A claim's platform (slug), its levels ("": none) and notes (plain text) before and after.
    platform: str = ""
    level_before: str = ""
    level_after: str = ""
    note_before: str = ""
    note_after: str = ""

    @property
    def note_changed(self):
        return self.note_before != self.note_after


def cell_changes(platform=None):
    """Historical cells whose level or note changed after their (live) page went live."""
    history = Cell.history.model
    previous = history.objects.filter(
        id=OuterRef("id"), history_date__lt=OuterRef("history_date")
    ).order_by("-history_date", "-history_id")
    changes = (
        history.objects.filter(
            history_type="~",
            capability__table__page__in=ComparisonPage.objects.published().values("pk"),
            history_date__gte=F("capability__table__page__publish_at"),
            row__platform__isnull=False,
        )
        .annotate(
            before_level=Subquery(previous.values("level")[:1]),
            before_note=Subquery(previous.values("note")[:1]),
            before_note_html=Subquery(previous.values("note_html")[:1]),
        )
        .filter(~Q(level=F("before_level")) | ~Q(note=F("before_note")))
    )
    if platform is not None:
        changes = changes.filter(row__platform=platform)
    return changes


def window(field, after=None, until=None):
    """Filters for moments after `after` and up to `until` (either may be None: no bound)."""
    bounds = {f"{field}__gt": after, f"{field}__lte": until}
    return {name: moment for name, moment in bounds.items() if moment}


def timeline(platform=None, after=None, until=None):
    """(kind, id, when) of every entry after `after` and up to `until`, newest first."""
    text = CharField()
    cells = cell_changes(platform).filter(**window("history_date", after, until))
    cells = cells.values_list(Value(KIND_CELL, output_field=text), "history_id", "history_date")
    if platform is not None:
        return cells.order_by("-history_date", "-history_id")
    pages = ComparisonPage.objects.published().filter(**window("publish_at", after, until))
    pages = pages.values_list(Value(KIND_PAGE, output_field=text), "id", "publish_at")
    articles = Article.objects.published().filter(**window("publish_at", after, until))
    articles = articles.values_list(Value(KIND_ARTICLE, output_field=text), "id", "publish_at")
    return (
        cells.order_by()
        .union(pages.order_by(), articles.order_by(), all=True)
        .order_by("-history_date", "-history_id")
    )


def describe(entries):
    """[Change] for [(kind, id, when)], in the same order, in one query per kind."""
    kinds = (KIND_CELL, KIND_PAGE, KIND_ARTICLE)
    ids = {kind: [pk for k, pk, _when in entries if k == kind] for kind in kinds}
    found = {}
    records = cell_changes().filter(history_id__in=ids[KIND_CELL])
    for record in records.select_related("row__platform", "capability__table__page"):
        parts = []
        if record.level != record.before_level:
            before, after = record.before_level or "no level", record.level or "no level"
            parts.append(f"{before.capitalize()} → {after.capitalize()}")
        if record.note != record.before_note:
            parts.append("note changed")
        found[(KIND_CELL, record.history_id)] = Change(
            KIND_CELL,
            f"cell-change-{record.history_id}",
            record.history_date,
            f"{record.row.platform.name} · {plain(record.capability, 'name')}: {'; '.join(parts)}",
            cell_url(record),
            platform=record.row.platform.slug,
            level_before=record.before_level or "",
            level_after=record.level,
            note_before=plain_text_of_html(record.before_note_html or ""),
            note_after=plain_text_of_html(record.note_html),
        )
    for kind, model, what in (
        (KIND_PAGE, ComparisonPage, "New comparison page"),
        (KIND_ARTICLE, Article, "New article"),
    ):
        for item in model.objects.filter(pk__in=ids[kind]):  # no query when there are none
            found[(kind, item.pk)] = Change(
                kind, f"{kind}-{item.pk}", item.publish_at, f"{what}: {item.title}",
                item.get_absolute_url(),
            )  # fmt: skip
    return [found[(kind, pk)] for kind, pk, _when in entries if (kind, pk) in found]


def change_page(number, platform=None, after=None, until=None):
    """(paginator page, [Change]) for page `number` of the log (as Paginator.get_page reads it)."""
    page = Paginator(timeline(platform, after, until), PER_PAGE).get_page(number)
    return page, describe(list(page.object_list))


def latest_changes(platform=None, count=FEED_LENGTH):
    return describe(list(timeline(platform)[:count]))
