"""A page's comparison tables, ready to print, from the open data's few flat queries: the hot path
(/Partnerships/ has 290 cells), each cell a claim_view() dict: the cheapest for a template."""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cache, cached_property

from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from .charts import change_bars, coverage_map
from .models import STALE_AFTER_DAYS, Cell, Level, Orientation, cell_anchor
from .opendata import NO_CELL, Dataset, as_of, pages_public_at
from .text import linkable_html, page_key, plain_text


def claim_view(level, note_html, anchor="", label="", footnote=None, is_stale=False,
               empty_text="No data", change="", note="", legend=()):  # fmt: skip
    """What the claim include (templates/platforms/includes/claim.html) reads, every key given.
    With its table's legend, a claim whose note starts with one of the document's own symbols
    (else whose level's mark the legend lists) shows that symbol and the document's meaning."""
    level = Level(level) if level else ""
    # A claim without level or note says "No data" (level-missing); one with a note has no class.
    css = level.css_class if level else "" if note_html else "level-missing"
    mark, level_label = (level.mark, level.short_label) if level else ("", "")
    if legend and level:
        own = [entry for entry in legend if entry[1] == level]
        starts = next((entry for entry in own if note.startswith(entry[0])), None)
        if entry := starts or next((entry for entry in own if entry[0] == mark), None):
            level_label = entry[2]
        # The symbol moves from the note to the mark; an image or a :shortcode: stays in it.
        if starts and not starts[0].isascii() and note_html.startswith(starts[0]):
            mark, note_html = starts[0], note_html[len(starts[0]) :].strip()
    return {
        "level": level, "css": css, "note_html": note_html, "anchor": anchor, "label": label,
        "footnote": footnote, "is_stale": is_stale, "empty_text": empty_text, "change": change,
        "mark": mark, "level_label": level_label,
    }  # fmt: skip


def end_of_day(text):
    """(the day, the moment it ended) of a ?as_of= or ?since= "YYYY-MM-DD", or a ValueError saying
    what is wrong. Today ends now, so what is scheduled later today stays hidden."""
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise ValueError(
            f"“{text}” is not a date: write it as YYYY-MM-DD, e.g. 2026-03-01."
        ) from None
    if day > timezone.localdate():
        raise ValueError(f"{day:%-d %B %Y} has not happened yet: choose today or an earlier day.")
    return day, min(day_end(day), timezone.now())


def day_end(day):
    """The last moment of a day, in the site's time zone."""
    return datetime.combine(day, time.max, timezone.get_current_timezone())


def claims_at(moment, *conditions, page=None, **filters):
    """{cell id: (level, note_html)} of the matching cells at `moment`, on pages live then
    (`page`'s, or each cell's own)."""
    live = pages_public_at(moment).filter(id=page or OuterRef("capability__table__page"))
    found = as_of(Cell, moment).filter(Exists(live), *conditions, **filters)
    return {cell_id: claim for cell_id, *claim in found.values_list("id", "level", "note_html")}


# How a claim changed since a day, as the mark beside it says it, in the summary's order.
IMPROVED, DECLINED, NEW, NOTE_CHANGED, REMOVED = CHANGES = (
    "Improved", "Declined", "New", "Note changed", "Removed"
)  # fmt: skip


def change_of(before, now):
    """What happened to a claim, (level, note_html) before (None: no cell) and now: one of
    CHANGES, or "". A level that moved is told rather than a note that changed with it."""
    said, says = bool(before and any(before)), bool(now and any(now))
    if not said or not says:
        return NEW if says else REMOVED if said else ""
    if before[0] != now[0]:
        return IMPROVED if Level.rank(now[0]) < Level.rank(before[0]) else DECLINED
    return NOTE_CHANGED if before[1] != now[1] else ""


class ChangeSummary:
    """How claims changed since a day, for a page's sentence and chart: each one shown is marked()
    in its group (`grouped_by`: platform or page); those left in `before` (claims_at()) removed."""

    def __init__(self, before, grouped_by):
        self.before, self.grouped_by, self.groups = before, grouped_by, defaultdict(Counter)

    def marked(self, cell_id, now, group):
        change = change_of(self.before.pop(cell_id, None), now)
        self.groups[group][change] += 1
        return change

    @cached_property
    def tally(self):
        """{kind: how many} in CHANGES' order, once every claim shown is marked."""
        counts = sum(self.groups.values(), Counter())
        counts[REMOVED] += sum(1 for claim in self.before.values() if any(claim))
        return {kind: counts[kind] for kind in CHANGES if counts[kind]}

    @cached_property
    def chart(self):
        """Improved and declined claims of each group (a charts.change_bars())."""
        return change_bars([(group, n[IMPROVED], n[DECLINED]) for group, n in self.groups.items()])

    total = property(lambda self: sum(self.tally.values()))
    parts = property(lambda self: change_parts(self.tally))


def change_parts(tally):
    """["3 improved", "1 declined", …]: the kinds counted in `tally`, in CHANGES' order."""
    return [f"{tally[kind]} {kind.lower()}" for kind in CHANGES if tally.get(kind)]


@dataclass
class Header:
    """A row or column header: a capability, or a platform. A row also has its cells."""

    id: int
    slug: str
    html: str  # sanitized inline HTML
    anchor: str
    url: str
    description: str = ""
    cells: list = field(default_factory=list)

    text = property(lambda self: plain_text(self.html))


@dataclass
class TableDisplay:
    table: object
    columns: list = field(default_factory=list)  # [Header]
    rows: list = field(default_factory=list)  # [Header with cells]
    footnotes: list = field(default_factory=list)

    sorted_by = rows_matching = ""
    coverage = None  # a levelled table's charts.coverage_map()

    def arrange(self, query):
        """The rows as a visitor asked, without JavaScript (the script does the same in place):
        ?sort=<a column's anchor>, best level first, then by the note's words; and
        ?table=<slug>&rows=<words> keeps this table's rows whose name holds the words."""
        self.row_count = len(self.rows)
        for index, column in enumerate(self.columns):
            if column.anchor == query.get("sort"):
                self.sorted_by = column.anchor
                self.rows.sort(key=lambda row: claim_order(row.cells[index]))
        if query.get("table") == self.table.slug and query.get("rows", "").strip():
            self.rows_matching = query["rows"].strip()
            words = self.rows_matching.casefold()
            self.rows = [row for row in self.rows if words in row.text.casefold()]


def claim_order(claim):
    """Best level first, then the note's words in alphabetical order, claims without either last."""
    text = plain_text(claim["note_html"]).casefold()
    return (Level.rank(claim["level"]), not text, text)


@cache
def url_prefixes():
    platform = reverse("platforms:platform-profile", args=["x"])[:-2]
    capability = reverse("platforms:capability", args=["p", "t", "c"])[:-6]
    return platform, capability


def page_tables(page, moment=None, since=None):
    """[TableDisplay] of the page, in five queries: as it stood at `moment` or as it is; with
    since=(day, moment), each claim says how it changed since then (one more query)."""
    data = Dataset([page], with_html=True, moment=moment)
    page.content_changed = data.as_of
    stale_before = timezone.localdate(moment) - timedelta(days=STALE_AFTER_DAYS)
    # What the page's footer says of its claims (cells with a level or a note).
    claims = [cell for cell in data.cells.values() if cell.level or cell.note_html]
    reviewed = [cell.last_reviewed for cell in claims if cell.last_reviewed]
    page.claim_counts = {"claims": len(claims), "reviewed": len(reviewed), "since": stale_before}
    page.claim_counts["sourced"] = sum(1 for cell in claims if cell.pk in data.sources)
    page.claim_counts["recent"] = sum(1 for day in reviewed if day >= stale_before)
    if since:
        columns = [cap.pk for caps in data.capabilities.values() for cap in caps]
        rows = [row.pk for rows in data.rows.values() for row in rows]
        before = claims_at(since[1], Q(capability__in=columns) | Q(row__in=rows), page=page.id)
        page.changes = ChangeSummary(before, "platform")
    platform_url, capability_url = url_prefixes()
    key = page_key(page.permalink)
    displays = []
    for table in data.tables:
        displays.append(display := TableDisplay(table))
        caps = [
            Header(cap.pk, cap.slug, linkable_html(cap.name_html, cap.name),
                   f"{table.slug}-{cap.slug}", f"{capability_url}{key}/{table.slug}/{cap.slug}/",
                   cap.description)
            for cap in data.capabilities.get(table.pk, [])
        ]  # fmt: skip
        rows = [
            Header(row.pk, row.platform_slug, linkable_html(row.label_html, row.platform_name),
                   f"row-{table.slug}-{row.platform_slug}", f"{platform_url}{row.platform_slug}/")
            for row in data.rows.get(table.pk, [])
        ]  # fmt: skip
        as_columns = table.orientation == Orientation.PLATFORMS_AS_COLUMNS
        display.columns, display.rows = (rows, caps) if as_columns else (caps, rows)
        cap_names, names = [cap.text for cap in caps], [row.text for row in rows]
        for row, row_name in zip(rows, names, strict=True):
            for cap, cap_name in zip(caps, cap_names, strict=True):
                cell = data.cells.get((row.id, cap.id), NO_CELL)
                footnote, reviewed = None, cell.last_reviewed
                if cell.pk in data.sources or reviewed is not None:  # the table's next footnote
                    number = len(display.footnotes) + 1
                    footnote = dict(
                        number=number, anchor=f"{table.slug}-source-{number}", row_label=row_name,
                        column_name=cap_name, sources=data.sources.get(cell.pk, []),
                        last_reviewed=reviewed,
                    )  # fmt: skip
                    display.footnotes.append(footnote)
                is_stale = reviewed is not None and reviewed < stale_before
                now = (cell.level, cell.note_html)
                change = page.changes.marked(cell.pk, now, row_name) if since and cell.pk else ""
                claim = claim_view(
                    cell.level, cell.note_html, cell_anchor(table.slug, row.slug, cap.slug),
                    row_name if as_columns else cap_name, footnote, is_stale, change=change,
                    note=cell.note, legend=table.legend,
                )  # fmt: skip
                (cap if as_columns else row).cells.append(claim)  # row by row, in column order
        if table.uses_levels and rows and caps:  # in the document's order, before any sorting
            claims = [row.cells for row in rows]
            if as_columns:  # each capability holds its cells in platform order
                claims = list(zip(*(cap.cells for cap in caps), strict=True))
            display.coverage = coverage_map(names, cap_names, claims)
    return displays
