"""Every published claim, seen by platform, by capability, side by side, or ranked by needs:
read in two flat queries (cells with their page, table, capability and platform; their
sources) and grouped in Python, so a page costs the same few queries whatever the content."""

from collections import Counter
from datetime import timedelta
from functools import cached_property
from itertools import groupby, product

from django.utils import timezone

from .charts import level_bars
from .display import ChangeSummary, claim_view, claims_at, url_prefixes
from .models import STALE_AFTER_DAYS, Capability, Cell, ComparisonPage, Level, Platform, cell_anchor
from .opendata import Dataset, sources_by_cell
from .text import page_key, plain_text

# How much a level counts when ranking platforms by needs; unknown is shown, never guessed.
LEVEL_POINTS = {Level.FULL: 2, Level.PARTIAL: 1, Level.NONE: 0, Level.UNKNOWN: 0}
COMPARE_MIN, COMPARE_MAX = 2, 4
MAX_NEEDS = 40

# A claim's fields and what claims() reads them from: first its capability, table and page (all
# a capability index entry has), then its cell and row (claims_as_of gives them in this order).
CLAIM_FIELDS = {
    "capability_id": "capability__id", "capability_name": "capability__name_html",
    "capability_slug": "capability__slug", "definition": "capability__description",
    "table_id": "capability__table_id", "table_slug": "capability__table__slug",
    "table_title": "capability__table__title_html",
    "section_heading": "capability__table__section_heading_html",
    "uses_levels": "capability__table__uses_levels", "legend": "capability__table__legend",
    "page_title": "capability__table__page__title",
    "permalink": "capability__table__page__permalink",
    "id": "id", "level": "level", "note_html": "note_html", "note": "note",
    "last_reviewed": "last_reviewed", "row_label": "row__label_html",
    "platform_id": "row__platform_id", "platform_name": "row__platform__name",
    "platform_slug": "row__platform__slug", "parent_company": "row__platform__parent_company",
}  # fmt: skip
CLAIM_ORDER = (
    "capability__table__page__order", "capability__table__page__title",
    "capability__table__order", "capability__table_id",
    "row__order", "row_id", "capability__order", "capability_id",
)  # fmt: skip


class Claim:
    """A claim with its capability, table, page and platform: the values of CLAIM_FIELDS (a
    capability index entry's stop at its page), and its sources [(url, title, accessed)]."""

    id = platform_id = last_reviewed = None
    level = note_html = note = row_label = platform_name = platform_slug = parent_company = ""
    # What the claim include reads besides (templates/platforms/includes/claim.html).
    label, change, footnote, empty_text = "", "", None, "No data"

    def __init__(self, values, sources=()):
        self.__dict__.update(zip(CLAIM_FIELDS, values, strict=False))  # fewer in an index entry
        self.sources = sources
        # Shown as on its table (its legend's symbol as the mark); changes are told by the note.
        # Kept whole: a compare cell is this view with its label and change (no second view).
        self.view = view = claim_view(
            self.level, self.note_html, note=self.note, legend=self.legend
        )
        self.level, self.mark, self.level_label = view["level"], view["mark"], view["level_label"]
        self.stored_html, self.note_html = self.note_html, view["note_html"]
        self.css = f"claim {view['css']}".strip()  # shown on its own, in a <div class="claim">
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
        return f"{url_prefixes()[1]}{self.key.replace('.', '/')}/"

    @cached_property
    def anchor(self):
        return cell_anchor(self.table_slug, self.platform_slug, self.capability_slug)

    table_heading = property(
        lambda self: self.table_title or self.section_heading or self.page_title
    )
    as_list = property(lambda self: [self])  # alone, for the claim include (of a row's claims)
    is_empty = property(lambda self: not self.level and not self.note_html)

    @property
    def is_stale(self):
        limit = timezone.localdate() - timedelta(days=STALE_AFTER_DAYS)
        return self.last_reviewed is not None and self.last_reviewed < limit


def claims(**filters):
    """Published claims matching the filters, in page, table, row and column order: 2 queries."""
    published = ComparisonPage.objects.published().values("id")
    cells = Cell.objects.filter(capability__table__page__in=published, **filters)
    found = [Claim(v) for v in cells.order_by(*CLAIM_ORDER).values_list(*CLAIM_FIELDS.values())]
    sources = sources_by_cell(cell__in=[claim.id for claim in found])  # none: no query
    for claim in found:
        claim.sources = sources.get(claim.id, [])
    return found


def claims_as_of(moment, key=None, with_sources=True, **filters):
    """What claims() gave at `moment`, from history: of the rows matching the filters (e.g.
    platform__in=ids), or of the capability named by key (page.table.capability)."""
    data = Dataset(with_html=True, moment=moment, with_sources=with_sources, rows=filters)
    found = []
    for table in data.tables:
        page = data.page_of[table.page_id]
        prefix = f"{page_key(page.permalink)}.{table.slug}."  # of the capabilities' keys
        caps = [c for c in data.capabilities.get(table.pk, []) if key in (None, prefix + c.slug)]
        for row, cap in product(data.rows.get(table.pk, []), caps):
            if cell := data.cells.get((row.pk, cap.pk)):
                found.append(Claim((
                    cap.pk, cap.name_html, cap.slug, cap.description, table.pk, table.slug,
                    table.title_html, table.section_heading_html, table.uses_levels, table.legend,
                    page.title, page.permalink, cell.pk, cell.level, cell.note_html, cell.note,
                    cell.last_reviewed, row.label_html, row.platform_id, row.platform_name,
                    row.platform_slug, row.parent_company,
                ), data.sources.get(cell.pk, [])))  # fmt: skip
    return found


def mark_changes(found, since, grouped_by, **filters):
    """With since=(day, moment), a ChangeSummary of the claims matching the filters then, each
    found claim marked in its group (its page, or platform); else None."""
    if not since:
        return None
    changes = ChangeSummary(claims_at(since[1], **filters), grouped_by)
    for claim in found:
        group = claim.page_title if grouped_by == "comparison page" else claim.platform_name
        claim.change = changes.marked(claim.id, (claim.level, claim.stored_html), group)
    return changes


def by_table(claim_list):
    """[(first claim of the table, [claims])] in order."""
    return [(group[0], group) for _id, g in groupby(claim_list, lambda c: c.table_id)
            for group in [list(g)]]  # fmt: skip


def platform_profile(slug, moment=None, since=None):
    """The profile context (platform, summary, pages [(title, permalink, [(first claim, claims)])],
    claim_changes: ChangeSummary with since=(day, moment) else None) at `moment` or today; None if
    not public today or claimless then. On a day, named from its claims: 8 queries with ?since=."""
    if moment:
        found = claims_as_of(moment, platform__slug=slug)
        platform = found and Platform(
            id=found[0].platform_id, name=found[0].platform_name, slug=slug,
            parent_company=found[0].parent_company,
        )  # fmt: skip
    else:
        platform = Platform.objects.public().filter(slug=slug).first()
        found = claims(row__platform=platform.id) if platform else []
    if not platform:
        return None
    by_page = [list(group) for _permalink, group in groupby(found, lambda c: c.permalink)]
    pages = [(group[0].page_title, group[0].permalink, by_table(group)) for group in by_page]
    changes = mark_changes(found, since, "comparison page", row__platform=platform.id)
    # How many claims state each level, and how many are words alone; each page's levels.
    counts = Counter(claim.level or "free_text" for claim in found if not claim.is_empty)
    by_level = [(level, counts[level]) for level in Level]
    summary = {"by_level": by_level, "free_text": counts["free_text"], **dict(by_level)}
    summary["pages"] = level_bars([(g[0].page_title, Counter(c.level for c in g)) for g in by_page])
    return {"platform": platform, "summary": summary, "pages": pages, "claim_changes": changes}


def capability_claims(key, moment=None):
    """Every platform's claim for the capability named by key (page.table.capability), best
    level first, as it stood at `moment` or today; none if no published capability has that key."""
    _page, table, capability = key.split(".") if key.count(".") == 2 else ("", "", "")
    found = claims_as_of(moment, key=key) if moment else claims(
        capability__table__slug=table, capability__slug=capability
    )  # fmt: skip
    found = [claim for claim in found if claim.key == key]
    return sorted(found, key=lambda c: (Level.rank(c.level), c.row_label.casefold()))


def canonical_compare(slugs):
    """The platforms of the slugs in the site's order, or None when they cannot be compared."""
    unique = list(dict.fromkeys(slug.lower() for slug in slugs if slug))
    if not COMPARE_MIN <= len(unique) <= COMPARE_MAX:
        return None
    platforms = list(Platform.objects.public().filter(slug__in=unique))
    return platforms if len(platforms) == len(unique) else None


NOT_IN_TABLE = claim_view("", "", empty_text="Not in this table")


def comparison(platforms, only_differences=False, moment=None, since=None):
    """([(first claim of a table, [{first claim, cells: [claim_view()], differs}])] of the tables
    where any platform has a row (None if none had) at `moment` or today, and with since=(day,
    moment) a ChangeSummary, its claims marked. Only levels are compared (two notes never say
    the same words): a table without levels is side by side, never differing, not in differences."""
    ids = [p.id for p in platforms]
    # Compared claims show no sources: on a day, not reading them keeps ?since= to 8 queries.
    if moment:
        found = claims_as_of(moment, with_sources=False, platform__in=ids)
    else:
        found = claims(row__platform__in=ids)
    changes = mark_changes(found, since, "platform", row__platform__in=ids)
    tables = []
    for first, table_claims in by_table(found):
        cells = {(claim.capability_id, claim.platform_id): claim for claim in table_claims}
        compare_rows = []
        for capability in dict.fromkeys(claim.capability_id for claim in table_claims):
            ordered = [cells.get((capability, pid)) for pid in ids]
            first_claim = next(c for c in ordered if c)
            differs = first_claim.uses_levels and len({c and c.level for c in ordered}) > 1
            if differs or not only_differences:
                views = [c.view | {"label": c.row_label, "change": c.change} if c else NOT_IN_TABLE
                         for c in ordered]  # fmt: skip
                compare_rows.append({"first": first_claim, "cells": views, "differs": differs})
        if compare_rows:
            tables.append((first, compare_rows))
    return (tables if found else None), changes


class Choice:
    """One platform's fit for the chosen needs: reasons are [(need Claim, own Claim or None)]."""

    def __init__(self, platform, reasons):
        self.platform, self.reasons = platform, reasons
        levels = Counter(own.level if own else "" for _need, own in reasons)
        self.points = sum(LEVEL_POINTS.get(level, 0) * n for level, n in levels.items())
        self.full, self.partial, self.none, unknown = (levels[level] for level in Level)
        self.unknown = levels[""] + unknown  # no claim, or no level: never guessed


def needs_catalogue():
    """[(first claim, [a claim per capability])] of every levelled table, and all their claims."""
    found = claims(capability__table__uses_levels=True)
    # One claim per capability, in the order of first sightings: the columns' order.
    tables = [(first, list({c.capability_id: c for c in group}.values()))
              for first, group in by_table(found)]  # fmt: skip
    return tables, found


def rank(needs, all_claims, platforms):
    """[Choice] best first: more points (full 2, partial 1), then more full, then site order;
    each with its place and whether it shares it."""
    chosen = {c.key: c for c in all_claims if c.key in needs}
    claims_of = {(c.key, c.platform_id): c for c in all_claims if c.key in needs}
    choices = [
        Choice(platform, [(chosen[key], claims_of.get((key, platform.id)))
                          for key in needs if key in chosen])
        for platform in platforms
    ]  # fmt: skip
    ranked = sorted(choices, key=lambda c: (-c.points, -c.full))  # stable: then site order
    # Equal points and as many full share a place ("=1"); site order only lists them.
    scores = [(c.points, c.full) for c in ranked]
    for choice, score in zip(ranked, scores, strict=True):
        choice.place, choice.tied = scores.index(score) + 1, scores.count(score) > 1
    return ranked


def capability_index():
    """[(first, [Claims of a capability alone])] per published table, levelled tables first."""
    found = (
        Capability.objects.filter(table__page__in=ComparisonPage.objects.published().values("id"))
        .order_by("-table__uses_levels", "table__page__order", "table__page__title",
                  "table__order", "table_id", "order", "id")
        .values_list(*[name.removeprefix("capability__") for name in CLAIM_FIELDS.values()][:12])
    )  # fmt: skip
    return by_table([Claim(values) for values in found])
