"""Every published claim, seen by platform, by capability, side by side, or ranked by needs.

Each view reads the claims it needs in two flat queries (cells with their page, table,
capability and platform; then their sources) and groups them here, in Python, so a page costs
the same few queries whatever the amount of content.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property
from itertools import groupby

from django.urls import reverse
from django.utils import timezone

from .display import (
    REMOVED,
    ChangeSummary,
    as_of,
    cell_anchor,
    change_of,
    claim_view,
    claims_at,
    pages_public_at,
    rows_with_platform,
    sources_by_cell,
)
from .models import (
    STALE_AFTER_DAYS,
    Capability,
    Cell,
    ComparisonPage,
    ComparisonTable,
    Level,
    Platform,
)
from .text import page_key, plain_text

# How much a level counts when ranking platforms by needs: full counts more than partial;
# none and unknown count nothing, and unknown is shown as unknown, never guessed.
LEVEL_POINTS = {Level.FULL: 2, Level.PARTIAL: 1, Level.NONE: 0, Level.UNKNOWN: 0}
COMPARE_MIN, COMPARE_MAX = 2, 4
MAX_NEEDS = 40

CLAIM_FIELDS = (
    "id", "level", "note_html", "note", "last_reviewed",
    "capability_id", "capability__name_html", "capability__slug", "capability__description",
    "capability__table_id", "capability__table__slug", "capability__table__title_html",
    "capability__table__section_heading_html", "capability__table__uses_levels",
    "capability__table__page__title", "capability__table__page__permalink",
    "row__label_html", "row__platform_id", "row__platform__name", "row__platform__slug",
)  # fmt: skip
CLAIM_ORDER = (
    "capability__table__page__order", "capability__table__page__title",
    "capability__table__order", "capability__table_id",
    "row__order", "row_id", "capability__order", "capability_id",
)  # fmt: skip


@dataclass
class Claim:
    id: int
    level: str
    note_html: str
    note: str
    last_reviewed: date | None
    capability_id: int
    capability_name: str
    capability_slug: str
    definition: str
    table_id: int
    table_slug: str
    table_title: str
    section_heading: str
    uses_levels: bool
    page_title: str
    permalink: str
    row_label: str
    platform_id: int
    platform_name: str
    platform_slug: str
    sources: list = field(default_factory=list)  # [(url, title, accessed)]
    # What the claim include reads besides (templates/platforms/includes/claim.html).
    label = change = ""
    footnote = None
    empty_text = "No data"

    def __post_init__(self):
        self.level, css = Level.of_claim(self.level, self.note_html)
        self.css = f"claim {css}".strip()  # shown on its own, in a <div class="claim">
        # Names, labels and titles come as sanitized inline HTML: shown here as plain text.
        self.capability_name = plain_text(self.capability_name)
        self.table_title = plain_text(self.table_title)
        self.section_heading = plain_text(self.section_heading)
        self.row_label = plain_text(self.row_label) or self.platform_name

    # Read several times per claim by the pages' templates: worked out once.
    @cached_property
    def key(self):
        """What names the capability in addresses: page.table.capability."""
        return f"{page_key(self.permalink)}.{self.table_slug}.{self.capability_slug}"

    @cached_property
    def capability_path(self):
        return f"/capabilities/{self.key.replace('.', '/')}/"

    @cached_property
    def anchor(self):
        return cell_anchor(self.table_slug, self.platform_slug, self.capability_slug)

    @property
    def claim_url(self):
        return f"{self.permalink}#{self.anchor}"

    @property
    def table_heading(self):
        return self.table_title or self.section_heading or self.page_title

    @property
    def as_list(self):
        """The claim alone, for the claim include, which shows a row's claims."""
        return [self]

    @property
    def is_empty(self):
        return not self.level and not self.note_html

    @property
    def is_stale(self):
        limit = timezone.localdate() - timedelta(days=STALE_AFTER_DAYS)
        return self.last_reviewed is not None and self.last_reviewed < limit


def claims(**filters):
    """Published claims matching the filters, in page, table, row and column order, with
    their sources: two queries."""
    cells = Cell.objects.filter(
        capability__table__page__in=ComparisonPage.objects.published().values("id"), **filters
    )
    result = [Claim(*values) for values in cells.order_by(*CLAIM_ORDER).values_list(*CLAIM_FIELDS)]
    if result:
        sources = sources_by_cell(cell__in=[claim.id for claim in result])
        for claim in result:
            claim.sources = sources.get(claim.id, [])
    return result


def by_id(queryset, *fields):
    """{id: [the fields]} of the rows."""
    return {pk: rest for pk, *rest in queryset.values_list("id", *fields)}


def claims_as_of(moment, **row_filters):
    """What claims() gave at `moment` (of the rows matching the filters), from history: one
    query per model, however long the history. Pages live then and still live now."""
    live_now = ComparisonPage.objects.published().values("id")
    pages = by_id(pages_public_at(moment).filter(id__in=live_now), "order", "title", "permalink")
    tables = by_id(
        as_of(ComparisonTable, moment).filter(page__in=list(pages)),
        "page_id", "order", "slug", "title_html", "section_heading_html", "uses_levels",
    )  # fmt: skip
    capabilities = by_id(
        as_of(Capability, moment).filter(table__in=list(tables)),
        "table_id", "order", "name_html", "slug", "description",
    )  # fmt: skip
    rows = by_id(
        rows_with_platform(moment).filter(table__in=list(tables), **row_filters),
        "order", "label_html", "platform_id", "platform_name", "platform_slug",
    )  # fmt: skip
    cells = by_id(
        as_of(Cell, moment).filter(row__in=list(rows), capability__in=list(capabilities)),
        "level", "note_html", "note", "last_reviewed", "capability_id", "row_id",
    )  # fmt: skip
    found, order = [], {}  # order: claim id -> its place in CLAIM_ORDER
    for cell_id, (level, note_html, note, reviewed, cap_id, row_id) in cells.items():
        table_id, cap_order, name_html, slug, description = capabilities[cap_id]
        page_id, table_order, table_slug, *headings, uses_levels = tables[table_id]
        page_order, title, permalink = pages[page_id]
        row_order, label_html, platform_id, *platform = rows[row_id]
        found.append(claim := Claim(
            cell_id, level, note_html, note, reviewed, cap_id, name_html, slug, description,
            table_id, table_slug, *headings, uses_levels, title, permalink, label_html,
            platform_id, *platform,
        ))  # fmt: skip
        order[claim.id] = (page_order, title, table_order, table_id, row_order, row_id,
                           cap_order, cap_id)  # fmt: skip
    found.sort(key=lambda claim: order[claim.id])
    sources = sources_by_cell(moment, cell__in=list(order))
    for claim in found:
        claim.sources = sources.get(claim.id, [])
    return found


def by_table(claim_list):
    """[(first claim of the table, [claims])] in order."""
    return [(group[0], group) for _id, g in groupby(claim_list, lambda c: c.table_id)
            for group in [list(g)]]  # fmt: skip


@dataclass
class Summary:
    full: int = 0
    partial: int = 0
    none: int = 0
    unknown: int = 0
    free_text: int = 0

    @classmethod
    def of(cls, claim_list):
        summary = cls()
        for claim in claim_list:
            if claim.level:
                setattr(summary, claim.level.value, getattr(summary, claim.level.value) + 1)
            elif not claim.is_empty:
                summary.free_text += 1
        return summary

    @property
    def by_level(self):
        """[(Level, how many claims have it)] in the levels' order."""
        return [(level, getattr(self, level.value)) for level in Level]


def platform_profile(platform, moment=None, since=None):
    """(summary, [(page title, permalink, [(first claim, claims)])], changes) of one platform:
    as it stood at `moment`, or today; with since=(day, moment), each claim says how it changed
    since then, and changes (a ChangeSummary) counts them, else it is None."""
    if moment:
        found = claims_as_of(moment, platform=platform.id)
    else:
        found = claims(row__platform=platform.id)
    pages = []
    for permalink, group in groupby(found, lambda c: c.permalink):
        group = list(group)
        pages.append((group[0].page_title, permalink, by_table(group)))
    changes = None
    if since:
        changes = ChangeSummary()
        before = claims_at(since[1], row__platform=platform.id)
        for claim in found:
            claim.change = change_of(before.pop(claim.id, None), (claim.level, claim.note_html))
            changes.counts[claim.change] += 1
        changes.counts[REMOVED] += sum(1 for claim in before.values() if any(claim))
    return Summary.of(found), pages, changes


def capability_claims(key):
    """Every platform's claim for the capability named by key, best level first; None if
    no published capability has that key."""
    parts = key.split(".")
    if len(parts) != 3:
        return None
    found = [
        claim
        for claim in claims(capability__table__slug=parts[1], capability__slug=parts[2])
        if claim.key == key
    ]
    if not found:
        return None
    return sorted(found, key=lambda c: (Level.rank(c.level), c.row_label.casefold()))


def parse_compare_slugs(text):
    """The slugs in "a-vs-b-vs-c", lower-cased."""
    return [slug for slug in text.lower().split("-vs-") if slug]


def canonical_compare(slugs):
    """(platforms in canonical order, or None when the address cannot be a comparison)."""
    unique = list(dict.fromkeys(slugs))
    if not COMPARE_MIN <= len(unique) <= COMPARE_MAX:
        return None
    platforms = list(Platform.objects.public().filter(slug__in=unique))
    if len(platforms) != len(unique):
        return None
    return platforms  # Platform's own ordering: the site's order


def with_profile_urls(platforms):
    """The platforms, each with its profile's address (reversed once, not per table)."""
    prefix = reverse("platforms:platform-profile", args=["x"])[:-2]
    for platform in platforms:
        platform.profile_url = f"{prefix}{platform.slug}/"
    return platforms


def compare_path(platforms, differences=False):
    path = "/compare/" + "-vs-".join(p.slug for p in platforms) + "/"
    return path + "differences/" if differences else path


@dataclass
class CompareRow:
    first: Claim
    cells: list  # [claim_view()] per platform
    differs: bool


def comparison(platforms, only_differences=False):
    """[(first claim of the table, [CompareRow])] for tables where any of them has a row.

    Only levels are compared: two notes in words are never the same text, so a table without
    levels is shown side by side, never marked as differing, and left out of the differences."""
    ids = [p.id for p in platforms]
    found = claims(row__platform__in=ids)
    tables = []
    for first, table_claims in by_table(found):
        rows = {}
        for claim in table_claims:
            rows.setdefault(claim.capability_id, {})[claim.platform_id] = claim
        compare_rows = []
        for cells in rows.values():
            ordered = [cells.get(pid) for pid in ids]
            levels = {c.level if c else None for c in ordered}
            views = [
                claim_view(c.level, c.note_html, label=c.row_label)
                if c
                else claim_view("", "", empty_text="Not in this table")
                for c in ordered
            ]
            first_claim = next(c for c in ordered if c)
            row = CompareRow(first_claim, views, first_claim.uses_levels and len(levels) > 1)
            if row.differs or not only_differences:
                compare_rows.append(row)
        if compare_rows:
            tables.append((first, compare_rows))
    return tables


@dataclass
class Choice:
    """One platform's fit for the chosen needs."""

    platform: Platform
    reasons: list = field(default_factory=list)  # [(need Claim, own Claim or None)]

    @property
    def points(self):
        return sum(LEVEL_POINTS.get(own.level, 0) for _need, own in self.reasons if own)

    def count(self, level):
        return sum(1 for _need, own in self.reasons if own and own.level == level)

    full = property(lambda self: self.count(Level.FULL))
    partial = property(lambda self: self.count(Level.PARTIAL))
    none = property(lambda self: self.count(Level.NONE))

    @property
    def unknown(self):
        return sum(1 for _need, own in self.reasons if not own or own.level in ("", "unknown"))


def needs_catalogue():
    """[(first claim, [one claim per capability])] of every levelled table: what a visitor
    may tick; and all levelled claims, for ranking."""
    found = claims(capability__table__uses_levels=True)
    tables = []
    for first, table_claims in by_table(found):
        columns = {}
        for claim in table_claims:
            columns.setdefault(claim.capability_id, claim)
        # Claims come row by row in column order, so first sightings are in column order.
        tables.append((first, list(columns.values())))
    return tables, found


def rank(needs, all_claims, platforms):
    """[Choice] best first: more points (full 2, partial 1), then more full, then site order;
    each with its place and whether it shares it."""
    chosen = {c.key: c for c in all_claims if c.key in needs}
    claims_of = {(c.key, c.platform_id): c for c in all_claims if c.key in needs}
    choices = []
    for platform in platforms:
        choice = Choice(platform)
        for key in needs:
            if key in chosen:
                choice.reasons.append((chosen[key], claims_of.get((key, platform.id))))
        choices.append(choice)
    order = {p.id: i for i, p in enumerate(platforms)}
    ranked = sorted(choices, key=lambda c: (-c.points, -c.full, order[c.platform.id]))
    # Equal points and as many full share a place ("=1"); site order only lists them.
    scores = [(c.points, c.full) for c in ranked]
    for choice, score in zip(ranked, scores, strict=True):
        choice.place, choice.tied = scores.index(score) + 1, scores.count(score) > 1
    return ranked


@dataclass
class CapabilityEntry:
    """A capability in the index: what its link and its table's heading need."""

    capability_slug: str
    capability_name: str
    definition: str
    table_slug: str
    table_title: str
    section_heading: str
    uses_levels: bool
    page_title: str
    permalink: str
    table_id: int

    __post_init__ = Claim.__post_init__
    row_label = platform_name = level = note_html = ""
    last_reviewed = None
    key = Claim.key
    capability_path = Claim.capability_path
    table_heading = Claim.table_heading


def capability_index():
    """[(first entry, [entries])] per published table: levelled tables first, as the chooser."""
    found = (
        Capability.objects.filter(
            table__page__in=ComparisonPage.objects.published().values("id")
        )
        .order_by("-table__uses_levels", "table__page__order", "table__page__title",
                  "table__order", "table_id", "order", "id")
        .values_list("slug", "name_html", "description", "table__slug", "table__title_html",
                     "table__section_heading_html", "table__uses_levels", "table__page__title",
                     "table__page__permalink", "table_id")
    )  # fmt: skip
    return by_table([CapabilityEntry(*values) for values in found])
