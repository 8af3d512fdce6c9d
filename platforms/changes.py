"""The public change log, from the history simple-history keeps: claims whose level or note
changed after their page went live, new comparison pages and new articles, never drafts nor
staff-only fields. One UNION query of (kind, id, when) cut to a page in SQL, then one per kind."""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache

from django.core.paginator import Paginator
from django.db.models import CharField, Exists, F, OuterRef, Q, Value
from django.utils import timezone

from sitecontent.markdown import plain_text_of_html
from sitecontent.models import Article
from sitecontent.publishing import Status

from .display import NEW, REMOVED, change_of, change_parts, day_end
from .models import (
    Capability,
    Cell,
    ComparisonPage,
    ComparisonTable,
    TableRow,
    cell_anchor,
    cell_url,
    plain,
)
from .opendata import history_of, recorded

PER_PAGE = 30
KIND_CELL, KIND_PAGE, KIND_ARTICLE = "cell", "page", "article"
# The log's other entries: items newly published, of each kind's model (its title's words).
ADDED = {KIND_PAGE: (ComparisonPage, "New comparison page"), KIND_ARTICLE: (Article, "New article")}


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

    note_changed = property(lambda self: self.note_before != self.note_after)


def cell_changes(platform=None):
    """Historical cells whose level or note changed after their (live) page went live."""
    earlier = {"history_date__lt": OuterRef("history_date")}  # each record's previous one
    fields = ("level", "note", "note_html")
    before = {f"before_{f}": recorded(Cell, f, OuterRef("id"), **earlier) for f in fields}
    changes = (
        history_of(Cell)
        .filter(
            history_type="~",
            capability__table__page__in=ComparisonPage.objects.published().values("pk"),
            history_date__gte=F("capability__table__page__publish_at"),
            row__platform__isnull=False,
        )
        .annotate(**before)
        .filter(~Q(level=F("before_level")) | ~Q(note=F("before_note")))
    )
    return changes if platform is None else changes.filter(row__platform=platform)


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
    published = [
        model.objects.published()
        .filter(**window("publish_at", after, until))
        .values_list(Value(kind, output_field=text), "id", "publish_at")
        .order_by()
        for kind, (model, _what) in ADDED.items()
    ]
    return cells.order_by().union(*published, all=True).order_by("-history_date", "-history_id")


def describe(entries):
    """[Change] for [(kind, id, when)], in the same order, in one query per kind."""
    ids = {kind: [pk for k, pk, _when in entries if k == kind] for kind in (KIND_CELL, *ADDED)}
    found = {}
    records = cell_changes().filter(history_id__in=ids[KIND_CELL])
    for record in records.select_related("row__platform", "capability__table__page"):
        levels = [(name or "no level").capitalize() for name in (record.before_level, record.level)]
        parts = [" → ".join(levels)] if record.level != record.before_level else []
        parts += ["note changed"] if record.note != record.before_note else []
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
    for kind, (model, what) in ADDED.items():
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


# --- A platform's timeline: what the public saw change about it, day by day -----------------


@dataclass
class TimelineDay:
    """One day of a platform's timeline: on each page, its claims' changes since the day before
    (display.CHANGES), or the page coming or going whole (published, withdrawn: `page_change`)."""

    day: date
    pages: dict = field(default_factory=dict)  # {(title, permalink): [(name, change, url)]}
    tally: Counter = field(default_factory=Counter)
    page_change: dict = field(default_factory=dict)  # {(title, permalink): NEW or REMOVED}

    eve = property(lambda self: self.day - timedelta(days=1))

    @property
    def by_page(self):
        """[(title, permalink, NEW/REMOVED if the page came/went whole, [(name, change, url)])]"""
        return [(*page, self.page_change.get(page), claims) for page, claims in self.pages.items()]

    parts = property(lambda self: change_parts(self.tally))
    total = property(lambda self: self.tally.total())


def platform_timeline(platform):
    """[TimelineDay] newest first: each day a published claim about the platform changed as seen
    at the day's end against the day before's end, as ?as_of=&since= marks it (pages live then
    and still today, never drafts or scheduled ones). Two queries, however long the history: the
    platform's cells' records (named by their capability's newest record) and their pages'."""
    cells = (
        history_of(Cell)
        .filter(row_id__in=history_of(TableRow).filter(platform_id=platform.pk).values("id"))
        .annotate(
            table=recorded(Capability, "table_id", OuterRef("capability_id")),
            page=recorded(ComparisonTable, "page_id", OuterRef("table")),
            table_slug=recorded(ComparisonTable, "slug", OuterRef("table")),
            name=recorded(Capability, "name_html", OuterRef("capability_id")),
            slug=recorded(Capability, "slug", OuterRef("capability_id")),
        )
    )
    records = defaultdict(list)  # {cell id: [(when, kind, (level, note_html))]}, oldest first
    about = {}  # {cell id: (page id, capability name, its anchor)}
    fields = ("id", "history_date", "history_type", "level", "note_html", "page", "name")
    for pk, when, kind, level, html, page, name, table_slug, slug in cells.order_by(
        "history_date", "history_id"
    ).values_list(*fields, "table_slug", "slug"):
        records[pk].append((when, kind, (level, html)))
        about[pk] = (page, plain_text_of_html(name), cell_anchor(table_slug, platform.slug, slug))
    # A record's page is live from its publish_at if it is published in it and still today.
    live_record = (
        Q(status=Status.PUBLISHED)
        & ~Q(history_type="-")
        & Exists(ComparisonPage.objects.published().filter(id=OuterRef("id")))
    )
    pages = defaultdict(list)  # {page id: [(when, live from or None, title, permalink)]}
    found = history_of(ComparisonPage).filter(id__in={page for page, *_ in about.values()})
    for pk, when, live, publish_at, title, permalink in found.order_by(
        "history_date", "history_id"
    ).values_list("id", "history_date", live_record, "publish_at", "title", "permalink"):
        pages[pk].append((when, publish_at if live else None, title, permalink))

    def at(history, moment):  # the newest record up to `moment`, or None
        return next((record for record in reversed(history) if record[0] <= moment), None)

    @cache  # asked for each claim of the page at the same few days' ends
    def live(page, moment):
        record = at(pages[page], moment)
        return bool(record and record[1] and record[1] <= moment)

    def seen(history, page, moment):  # (level, note_html) as a visitor saw it, or None
        record = at(history, moment)
        return record[2] if record and record[1] != "-" and live(page, moment) else None

    now, days = timezone.now(), {}
    for pk, history in records.items():
        page, name, anchor = about[pk]
        moments = [when for when, *_ in history]
        moments += [m for when, start, *_ in pages[page] for m in (when, start) if m]
        for day in sorted({timezone.localdate(m) for m in moments if m <= now}):
            end, eve = min(day_end(day), now), day_end(day - timedelta(days=1))
            if not (change := change_of(seen(history, page, eve), seen(history, page, end))):
                continue
            title, permalink = at(pages[page], end)[2:]
            entry = days.setdefault(day, TimelineDay(day))
            entry.tally[change] += 1
            if live(page, eve) != live(page, end):  # the page came or went whole
                entry.page_change[(title, permalink)] = NEW if live(page, end) else REMOVED
            shown = eve if change == REMOVED else end  # where the claim last or now stands
            url = f"{permalink}?as_of={timezone.localdate(shown)}#{anchor}"
            entry.pages.setdefault((title, permalink), []).append((name, change, url))
    return [days[day] for day in sorted(days, reverse=True)]
