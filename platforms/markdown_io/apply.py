"""Documents → database, all or nothing, with a report (or a dry-run diff) of every change:
`read_document` turns one (name, bytes) into a ParsedDocument, reading the database only to know
which platforms exist; `apply_document` writes one. Any problem is a DocumentError."""

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import PurePath

import yaml
from django.core.exceptions import ValidationError
from django.core.validators import slug_re
from django.db import DatabaseError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify

from sitecontent.markdown import plain_text, plain_text_of_inline
from sitecontent.models import Article

from ..models import (
    SHARED_ADDRESSES,
    Capability,
    Cell,
    CellSource,
    ComparisonPage,
    ComparisonTable,
    Platform,
    PlatformAlias,
    TableRow,
)
from ..text import page_key
from . import frontmatter, text
from .errors import DocumentError
from .structure import Facts, read_page

REGISTER_NAMES = {"platforms.yaml", "platforms.yml"}
ARTICLE_KEYS = {"author", "publish_date", "subtitle", "heroImage", "cta", "read_time"}


@dataclass
class DocumentReport:
    """What one document's import did, object by object and field by field."""

    label: str  # how reports name the document
    notes: list = field(default_factory=list)  # how it was read (orientation, new platforms…)
    problems: list = field(default_factory=list)  # what could not be done, e.g. copy an image
    changes: list = field(default_factory=list)  # (action, kind, what, {field: (before, after)})
    kept: bool = False  # left alone because of keep_existing

    def record(self, action, kind, obj, changes=None):
        self.changes.append((action, kind, f"{kind} {obj}", changes or {}))

    def summary(self):
        if self.kept:
            return f"{self.label}: already in the database, left as it is"
        counts = Counter((action, kind) for action, kind, _what, _changes in self.changes)
        parts = []
        for action in ("created", "updated", "deleted"):
            if kinds := [f"{n} {k}" for (a, k), n in counts.items() if a == action]:
                parts.append(f"{action} {', '.join(kinds)}")
        return f"{self.label}: " + ("; ".join(parts) or "unchanged")


def check_values(name, line, model, values, kind):
    """Each value held to its model field's own rules, as the admin and the grid hold it: text
    whole (blank, length, URL syntax, a permalink's rules…), other values (some still None) by
    their validators. An error names the line, or the key's line when given {key: line}."""
    for key, value in values.items():
        field = model._meta.get_field(key)
        try:
            field.clean(value, None) if isinstance(value, str) else field.run_validators(value)
        except ValidationError as error:
            message = f"{kind} {key}: {' '.join(error.messages)}"
            where = line.get(key) if isinstance(line, dict) else line
            raise DocumentError(name, where, message) from error


def sync(report, kind, model, lookup, values, existing):
    """Create (when `existing` is None) or update the row matching lookup; save only changes."""
    if existing is None:
        existing = model.objects.create(**lookup, **values)
        report.record("created", kind, existing)
        return existing
    changes = {n: (getattr(existing, n), v) for n, v in values.items() if getattr(existing, n) != v}
    for name, (_before, after) in changes.items():
        setattr(existing, name, after)
    if changes:
        existing.save()
        report.record("updated", kind, existing, changes)
    return existing


def _keys(label):
    """The names a row label may stand for: "X (Twitter)" → itself, "X", "Twitter"."""
    label = plain_text_of_inline(label)
    parts = match.groups() if (match := re.fullmatch(r"([^(]*)\((.*)\)", label, re.S)) else ()
    return [key for key in [label, *map(str.strip, parts)] if key]


def _loose(name):
    """A name as matching sees it: case, spaces, hyphens, dots and slashes do not count
    ("Google/YouTube" is "google youtube"), but "+" and "#" do: C, C++ and C# stay three."""
    return re.sub(r"[\s\-_./]+", "", name.casefold())


def first_free(base, taken):
    """base, else base-2, base-3…: the first slug not in taken."""
    slug, suffix = base, 2
    while slug in taken:
        slug, suffix = f"{base}-{suffix}", suffix + 1
    return slug


class PlatformIndex:
    """Platforms by name, alias and slug (loosely, see _loose); new labels create platforms."""

    def __init__(self):
        self.by_key = {}
        for platform in Platform.objects.prefetch_related("aliases"):
            self.add(platform)

    def add(self, platform, *names):
        # Whole names only, or "WhatsApp (Meta)" would find "Facebook (Meta)" by the name "Meta".
        for name in (platform.name, *[a.name for a in platform.aliases.all()], *names):
            self.by_key.setdefault(_loose(name), platform)
        # A slug stands for its platform ("google" for Google/YouTube), unless it is only the
        # name with its symbols dropped: "c" is no name of C++, nor "c-2" of C#.
        derived = slugify(platform.name)
        if not (platform.slug.startswith(derived) and _loose(derived) != _loose(platform.name)):
            self.by_key.setdefault(_loose(platform.slug), platform)

    def find(self, label, table_labels=()):
        """The platform a label names: by its whole name, else by one part of "X (Y)" that
        no other label of its table claims ("SwiftFin (iOS)" is not iOS beside an "iOS")."""
        whole, *parts = _keys(label) or [""]
        if found := self.by_key.get(_loose(whole)):
            return found
        claimed = self._claimed(tuple(table_labels))
        found = (self.by_key.get(key) for key in map(_loose, parts) if key not in claimed)
        return next((p for p in found if p is not None and p not in claimed), None)

    @lru_cache(maxsize=8)  # noqa: B019 (one index per import: it lives as long as its cache)
    def _claimed(self, labels):
        """The names of a table's labels and the platforms they name as a whole."""
        names = {_loose(_keys(label)[0]) for label in labels if _keys(label)}
        return names | {self.by_key[name] for name in names if name in self.by_key}

    def create(self, label, report, document, line):
        keys = _keys(label)  # "Twitter (X)" is named Twitter: the name before the parenthesis
        name = (keys[1] if len(keys) > 1 else keys[0]) if keys else label
        taken = Platform.objects.values_list("slug", flat=True)
        values = {"name": name, "slug": first_free(slugify(name)[:90] or "platform", taken)}
        check_values(document, line, Platform, values, "platform")
        if Platform.objects.filter(name=name).exists():
            message = f"a platform named “{name}” exists with another slug"
            raise DocumentError(document, line, message)
        last = Platform.objects.aggregate(Max("order"))["order__max"] or 0
        platform = sync(report, "platform", Platform, {}, values | {"order": last + 1}, None)
        report.notes.append(f"new platform “{name}” (from the label “{label}”)")
        self.add(platform, label)
        return platform


@dataclass
class ParsedDocument:
    name: str
    kind: str  # page, article, register
    report: DocumentReport  # written from the start: notes and problems of the reading
    fields: dict
    claims: list  # [(what, value)] no other document may claim: its address, platform slugs
    page: object = None  # structure.ParsedPage
    register: list = field(default_factory=list)


def read_register(name, data):
    """The platform register: a YAML list of {name, slug, parent_company, order, aliases}."""
    try:
        entries = yaml.safe_load(text.decode(name, data)) or []
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        raise DocumentError(name, mark.line + 1 if mark else 1, f"broken YAML: {error}") from error
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise DocumentError(name, 1, "the register is a list of platforms (name, slug, …)")
    register = []
    for number, entry in enumerate(entries, start=1):
        values = {k: str(entry.get(k) or "").strip() for k in ("name", "slug", "parent_company")}
        values["order"] = entry.get("order", 0)
        aliases = [str(alias).strip() for alias in entry.get("aliases") or []]
        where = f"platform {number}"
        if not isinstance(values["order"], int) or values["order"] < 0:
            raise DocumentError(name, None, f"{where}: order must be a whole number")
        check_values(name, None, Platform, values, where)
        for alias in aliases:
            check_values(name, None, PlatformAlias, {"name": alias}, f"{where} alias")
        register.append((values, aliases))
    claims = [("platform slug", values["slug"]) for values, _aliases in register]
    report = DocumentReport("platform register")
    return ParsedDocument(name, "register", report, {}, claims, register=register)


def article_fields(front_matter, title):
    """An article's own fields (beside title, description and publication)."""
    if not front_matter.text("author"):
        raise front_matter.error("author", "an article needs an author in its front matter")
    reading_time = front_matter.metadata.get("read_time")
    match = re.match(r"^\s*(\d+)", str(reading_time))
    if reading_time not in (None, "") and not match:
        raise front_matter.error("read_time", f"read_time “{reading_time}” is not minutes")
    return {
        "slug": slugify(front_matter.text("slug") or title)[:200],
        "subtitle": front_matter.text("subtitle"),
        "author": front_matter.text("author"),
        "created_date": front_matter.date("created_date"),
        "hero_image_url": front_matter.text("heroImage"),
        "hero_image_alt": front_matter.text("heroImageAlt") or title,
        "call_to_action": front_matter.text("cta"),
        "body": front_matter.body.strip(),
        "reading_time": int(match[1]) if match else None,
    }


def read_document(name, data, index):
    if PurePath(name).name in REGISTER_NAMES:
        return read_register(name, data)
    front_matter = frontmatter.read(name, text.decode(name, data))
    meta = front_matter.metadata
    page = read_page(name, front_matter, index.find)
    # As static site generators do: the first heading, else the file's name.
    words = re.sub(r"[-_]+", " ", PurePath(name).stem).strip()
    title = front_matter.text("title") or plain_text_of_inline(page.heading)
    title = title or words[:1].upper() + words[1:]
    if not title:
        raise DocumentError(name, 1, "the document needs a title (front matter or a heading)")
    fields = {
        "title": title,
        "description": front_matter.text("description"),
        **front_matter.publication(),
    }
    if not page.tables and "permalink" not in meta:
        if not ARTICLE_KEYS & meta.keys():
            message = "neither a comparison page (it has no comparison table and no permalink) nor "
            message += "an article (its front matter has no author or publish_date)"
            raise DocumentError(name, 1, message)
        fields |= article_fields(front_matter, title)
        # A remote hero image is copied (or left out) before it is stored.
        lines = front_matter.key_lines
        check_values(name, lines, Article, {**fields, "hero_image_url": ""}, "article")
        report = DocumentReport(f"article /blog/{fields['slug']}/")
        return ParsedDocument(name, "article", report, fields, [("article slug", fields["slug"])])

    stem = slugify(PurePath(name).stem.removeprefix("page-")) or "page"
    permalink = front_matter.text("permalink") or f"/{stem}/"
    fields |= {
        "permalink": permalink,
        "heading": page.heading,
        "intro": page.intro,
        "closing": page.closing,
    }
    if "order" in meta:  # the page's place in the navigation; kept when absent
        fields["order"] = front_matter.whole_number("order")
    if "description" not in meta:
        # The first non-empty text as plain words, cut at a word boundary: at most 300 characters.
        texts = [page.intro, *(t.intro for t in page.tables), *(t.takeaways for t in page.tables)]
        found = next(filter(None, (plain_text(t) for t in texts if t)), "")
        fields["description"] = found if len(found) <= 300 else found[:299].rsplit(" ", 1)[0] + "…"
    check_values(name, front_matter.key_lines, ComparisonPage, fields, "page")
    if taken := ComparisonPage.objects.exclude(permalink=permalink).same_key_as(permalink):
        message = "page permalink: " + SHARED_ADDRESSES.format(taken[0])  # bar the page it updates
        raise DocumentError(name, front_matter.key_lines.get("permalink"), message)
    for parsed in page.tables:
        table = parsed.table
        parsed.values = {
            "section_heading": parsed.section_heading, "intro": parsed.intro, "title": parsed.title,
            "platform_column": table.corner, "orientation": table.orientation,
            "uses_levels": table.uses_levels, "legend": table.legend,
            "takeaways_heading": parsed.takeaways_heading, "takeaways": parsed.takeaways,
        }  # fmt: skip
        check_values(name, table.line, ComparisonTable, parsed.values, "table")
        for column in table.columns:
            check_values(name, column.line, Capability, {"name": column.name}, "column")
        for row in table.rows:
            check_values(name, row.line, TableRow, {"label": row.label}, "row")
            for column, cell in zip(table.columns, row.cells, strict=True):
                line = row.line if table.orientation == "rows" else column.line
                check_values(name, line, Cell, {"level": cell.level, "note": cell.note}, "cell")
    for facts in page.footnotes.values():
        for url, title, _accessed in facts.sources:
            check_values(name, facts.line, CellSource, {"url": url, "title": title}, "source")
    claims = [("page address (/a/b/, /A-B/ and /a-b/ alike)", page_key(permalink))]
    report = DocumentReport(f"page {permalink}", page.notes)
    return ParsedDocument(name, "page", report, fields, claims, page=page)


def unique_slugs(wanted, names, fallback):
    slugs = []
    for position, (slug, name) in enumerate(zip(wanted, names, strict=True), start=1):
        given = slug if isinstance(slug, str) and slug_re.match(slug) else slugify(str(slug or ""))
        base = given[:190] or slugify(plain_text_of_inline(name))[:190]
        slugs.append(first_free(base or f"{fallback}-{position}", slugs))
    return slugs


def release_slugs(queryset, slugs):
    """The objects taking these slugs by position (None for a new one), then those left over; a
    slug given to another position is freed first (slugs are unique within a page or table)."""
    existing = list(queryset)
    for position, obj in enumerate(existing):
        if obj.slug in slugs and slugs.index(obj.slug) != position:
            type(obj).objects.filter(pk=obj.pk).update(slug=f"moving-{obj.pk}")
    return existing + [None] * (len(slugs) - len(existing))


def delete_missing(report, kind, objects):
    for obj in objects:
        report.record("deleted", kind, obj)
        obj.delete()


def apply_register(document, report):
    listed = [values["slug"] for values, _aliases in document.register]
    for values, aliases in document.register:
        platform = Platform.objects.filter(slug=values["slug"]).first()
        # A platform whose slug was changed is found by its name (names are unique too).
        platform = platform or Platform.objects.filter(name=values["name"]).exclude(
            slug__in=listed).first()  # fmt: skip
        platform = sync(report, "platform", Platform, {}, values, platform)
        current = {alias.name: alias for alias in platform.aliases.all()}
        for name in [name for name in aliases if name not in current]:
            if taken := PlatformAlias.objects.filter(name=name).first():
                message = f"alias “{name}” already belongs to {taken.platform}"
                raise DocumentError(document.name, None, message)
            sync(report, "alias", PlatformAlias, {"platform": platform, "name": name}, {}, None)
        delete_missing(report, "alias", [a for n, a in current.items() if n not in aliases])


def _matched(meta, key, names, size=1):
    """For each name, the first entry [name, …] of at least size items of the export's note's
    list `key` not taken already (two columns may have one name), padded with None."""
    entries = [e for e in meta.get(key) or [] if isinstance(e, list) and len(e) >= size]
    matched = []
    for name in names:
        if entry := next((e for e in entries if e[0] == name), None):
            entries.remove(entry)
        matched.append((entry or [None]) + [None] * 3)
    return matched


def _order(given, position):
    """The order the export's note gives (exact, as stored), else the position."""
    return given if type(given) is int and given >= 0 else position


def apply_content(document, report, index, keep_existing):
    """A page with its tables, or an article: left alone when kept, else synced; without a date
    it goes live when its stored version did, or now."""
    model, key = (ComparisonPage, "permalink") if document.kind == "page" else (Article, "slug")
    fields = dict(document.fields)
    lookup = {key: fields.pop(key)}
    stored = model.objects.filter(**lookup).first()
    if keep_existing and stored:
        report.kept = True
        return
    if fields["publish_at"] is None:
        fields["publish_at"] = stored.publish_at if stored else timezone.now()
    page = sync(report, document.kind, model, lookup, fields, stored)
    if document.kind == "article":
        return
    parsed_tables = document.page.tables
    wanted = [t.meta.get("slug") for t in parsed_tables]
    slugs = unique_slugs(wanted, [t.title or t.section_heading for t in parsed_tables], "table")
    existing = release_slugs(page.tables.all(), slugs)
    for order, (parsed, slug) in enumerate(zip(parsed_tables, slugs, strict=True)):
        values = {"order": _order(parsed.meta.get("order"), order), "slug": slug, **parsed.values}
        table = sync(report, "table", ComparisonTable, {"page": page}, values, existing[order])
        how = f"platforms as {parsed.table.orientation}"
        how += "" if parsed.meta.get("orientation") else " (detected)"
        report.notes.append(f"table “{parsed.title or slug}”: {how}")
        apply_table(document, report, index, table, parsed)
    delete_missing(report, "table", existing[len(parsed_tables) :])


def apply_table(document, report, index, table, parsed):
    columns = parsed.table.columns
    given = _matched(parsed.meta, "columns", [c.name for c in columns])  # [name, slug, text, order]
    slugs = unique_slugs([entry[1] for entry in given], [c.name for c in columns], "column")
    existing = release_slugs(table.capabilities.all(), slugs)
    capabilities = []
    for order, (column, slug, entry) in enumerate(zip(columns, slugs, given, strict=True)):
        values = {"name": column.name, "slug": slug, "order": _order(entry[3], order)}
        if parsed.meta:  # descriptions travel only in exports; a plain document keeps them
            values["description"] = entry[2] or ""
        elif column.description:  # a "Notes" column beside products
            values["description"] = column.description
        capabilities.append(sync(report, "capability", Capability, {"table": table}, values,
                                 existing[order]))  # fmt: skip
    delete_missing(report, "capability", existing[len(capabilities) :])

    existing_cells = {
        (cell.capability_id, cell.row_id): cell
        for cell in Cell.objects.filter(capability__table=table).prefetch_related("sources")
    }
    existing_rows = {row.platform_id: row for row in table.rows.all()}
    rows, seen = parsed.table.rows, {}
    labels = tuple(row.label for row in rows)
    given = _matched(parsed.meta, "rows", labels, size=3)  # [label, slug, is the name, order]
    for order, (row, entry) in enumerate(zip(rows, given, strict=True)):
        listed, slug, named, position = entry[:4]
        platform = Platform.objects.filter(slug=slug).first() if listed is not None else None
        platform = platform or index.find(row.label, labels)
        platform = platform or index.create(row.label, report, document.name, row.line)
        if platform.id in seen:
            again = f"“{row.label}” is {platform.name} again, who already has a row"
            message = f"{again} (line {seen[platform.id]}) in this table"
            raise DocumentError(document.name, row.line, message)
        seen[platform.id] = row.line
        table_row = sync(report, "row", TableRow, {"table": table, "platform": platform}, {
            "label": "" if named else row.label, "order": _order(position, order),
        }, existing_rows.get(platform.id))  # fmt: skip
        for capability, cell in zip(capabilities, row.cells, strict=True):
            facts = document.page.footnotes.get(cell.footnote) or Facts()
            values = {"level": cell.level, "note": cell.note, "last_reviewed": facts.last_reviewed}
            current = existing_cells.get((capability.id, table_row.id))
            lookup = {"capability": capability, "row": table_row}
            stored = sync(report, "cell", Cell, lookup, values, current)
            for action, source in stored.replace_sources(facts.sources):
                report.record(action, "source", source)
    delete_missing(report, "row", table.rows.exclude(platform_id__in=list(seen)))


def apply_document(document, index, keep_existing):
    report = document.report
    try:
        with transaction.atomic():
            if document.kind == "register":
                apply_register(document, report)
                for platform in Platform.objects.prefetch_related("aliases"):
                    index.add(platform)
            else:
                apply_content(document, report, index, keep_existing)
    except (ValueError, DatabaseError) as error:  # IntegrityError is a DatabaseError
        raise DocumentError(document.name, None, f"cannot be stored: {error}") from error
    return report
