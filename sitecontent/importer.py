"""Jekyll-style Markdown documents in and out of the database.

A document with tables becomes a ComparisonPage at its `permalink`; one with article front
matter (author, publish_date…) and no table becomes an Article. Parsing is separate from writing:
parse_document() turns a file into plain data, or raises DocumentError naming the file and line;
apply_document() writes that data, touching only what changed, and reports what it did.

Sources and review dates of cells use footnote syntax, one footnote per cell:

    | **Telegram** | ✅ Encrypted chats [^tg-chat] | …
    [^tg-chat]: reviewed 2025-06-01; [Telegram FAQ](https://telegram.org/faq) (accessed 2025-05-30)
"""

import datetime
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import frontmatter
import yaml
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.text import slugify
from markdown_it import MarkdownIt

from platforms.models import (
    Capability,
    Cell,
    CellSource,
    ComparisonPage,
    ComparisonTable,
    Level,
    Platform,
    TableRow,
)
from platforms.validators import validate_permalink

from .markdown import plain_text
from .models import Article
from .publishing import Status
from .remote_images import copy_hero_image, copy_remote_images

SEEDS_DIR = Path(__file__).resolve().parent / "seeds"
DOCUMENT_SUFFIXES = {".md", ".markdown", ".txt"}
ARTICLE_KEYS = {"author", "publish_date", "subtitle", "heroImage", "cta", "read_time"}


validate_source_url = URLValidator(schemes=["http", "https"])


class DocumentError(Exception):
    """A document that cannot be imported; str() names the file and the line."""

    def __init__(self, path, line, message):
        self.path, self.line, self.message = path, line, message
        location = f"{path}:{line}" if line else str(path)
        super().__init__(f"{location}: {message}")


# --- Reading text -------------------------------------------------------------------------


def repair_mojibake(text):
    """Undo UTF-8 that was decoded as Mac Roman and saved again ("‚úÖ" → "✅").

    Decided for the whole document: only if every character maps back to a Mac Roman byte
    and those bytes are valid UTF-8 is the text mis-encoded. Correct documents fail that test
    ("✅" has no Mac Roman byte; "é" alone is not UTF-8), so they pass through untouched.
    """
    try:
        repaired = text.encode("mac_roman").decode("utf-8")
    except UnicodeError:
        return text
    # A short correct text can pass that test by accident ("—à" is the bytes of "ш"); such an
    # accident makes letters of another script, which genuine repairs here never do.
    if any(
        unicodedata.category(char).startswith("L")
        and not unicodedata.name(char, "").startswith("LATIN")
        for char in set(repaired) - set(text)
    ):
        return text
    return repaired


def read_text(path):
    data = Path(path).read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise DocumentError(path, line, "this is not UTF-8 text (undecodable bytes)") from error
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise DocumentError(path, line, "this is not text (it contains NUL bytes)")
    return repair_mojibake(text.replace("\r\n", "\n"))


# --- Parsing ------------------------------------------------------------------------------


@dataclass
class Block:
    kind: str  # heading, table, content
    line: int  # 1-based line in the file
    source: str
    level: int = 0
    text: str = ""


@dataclass
class ParsedTable:
    line: int
    title: str
    section_heading: str = ""
    intro: str = ""
    platform_column: str = "Platform"
    capabilities: list = field(default_factory=list)
    # [(label, platform_slug, [(level, note, footnote_id)])]
    rows: list = field(default_factory=list)
    uses_levels: bool = False
    takeaways_heading: str = ""
    takeaways: str = ""


@dataclass
class CellFacts:
    last_reviewed: datetime.date | None = None
    sources: list = field(default_factory=list)  # [(url, title, accessed)]


@dataclass
class ParsedDocument:
    path: Path
    kind: str  # page or article
    fields: dict
    tables: list = field(default_factory=list)
    footnotes: dict = field(default_factory=dict)

    @property
    def label(self):
        return self.fields.get("permalink") or f"/blog/{self.fields['slug']}/"


def strip_bold(text):
    return re.sub(r"\*\*(.+?)\*\*", r"\1", text).strip()


def split_row(line):
    cells = line.strip()
    if cells.startswith("|"):
        cells = cells[1:]
    if cells.endswith("|") and not cells.endswith("\\|"):
        cells = cells[:-1]
    return [cell.strip().replace("\\|", "|") for cell in re.split(r"(?<!\\)\|", cells)]


def platform_slug(label):
    """'Google (YouTube)' and 'Google' are one platform: the name before any parenthesis."""
    return (slugify(label.split("(")[0]) or slugify(label))[:100]


_FOOTNOTE_DEF = re.compile(r"^\[\^([^\]\s]+)\]:\s*(.*)$")
_FOOTNOTE_REF = re.compile(r"\s*\[\^([^\]\s]+)\]\s*$")
_FACT = re.compile(
    r"\s*(?:reviewed (?P<reviewed>[^;\s]+)"
    r"|\[(?P<title>(?:\\.|[^\]\\])*)\]\((?:<(?P<bracketed>[^>\s]+)>|(?P<url>[^)\s]+))\)"
    r"(?:\s*\(accessed (?P<accessed>[^)]*)\))?)"
    r"\s*(?:;|$)"
)


def parse_footnote(path, line, text):
    """`reviewed YYYY-MM-DD; [title](url) (accessed YYYY-MM-DD); …` in any order."""
    facts, position = CellFacts(), 0
    while position < len(text.rstrip()):
        match = _FACT.match(text, position)
        if not match:
            raise DocumentError(
                path,
                line,
                f"“{text[position:].strip()}” is neither “reviewed YYYY-MM-DD” nor "
                "“[title](url) (accessed YYYY-MM-DD)”",
            )
        position = match.end()
        dates = {}
        for name in ("reviewed", "accessed"):
            if match[name]:
                dates[name] = parse_date(match[name].strip())
                if dates[name] is None:
                    raise DocumentError(path, line, f"“{match[name]}”: write dates as YYYY-MM-DD")
        if match["reviewed"]:
            facts.last_reviewed = dates["reviewed"]
        else:
            title = re.sub(r"\\(.)", r"\1", match["title"])
            url = match["bracketed"] or match["url"]
            try:
                validate_source_url(url)
            except ValidationError as error:
                raise DocumentError(path, line, f"source “{url}”: use an http(s) URL") from error
            facts.sources.append((url, title, dates.get("accessed")))
    return facts


def split_front_matter(path, text):
    """(metadata, body, line number of the body's first line, {key: line})."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        return {}, text, 1, {}
    for end in range(1, len(lines)):
        if lines[end].strip() in ("---", "..."):
            break
    else:
        raise DocumentError(path, 1, "the front matter opened with “---” is never closed")
    try:
        metadata = frontmatter.loads(text).metadata
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        # python-frontmatter hands YAML the text from the opening "---" on, so the 0-based
        # line of the mark is the 0-based line in the file.
        line = mark.line + 1 if mark else 1
        reason = getattr(error, "problem", None) or str(error)
        raise DocumentError(path, line, f"broken front matter: {reason}") from error
    if not isinstance(metadata, dict):
        raise DocumentError(path, 2, "the front matter must be “key: value” lines")
    key_lines = {}
    for number, line in enumerate(lines[1:end], start=2):
        key = line.split(":", 1)[0].strip()
        if ":" in line and key and not line.startswith((" ", "\t", "-")):
            key_lines.setdefault(key, number)
    return metadata, "\n".join(lines[end + 1 :]), end + 2, key_lines


def parse_publication(path, metadata, key_lines):
    """Jekyll's way: `published: false` makes a draft; publish_date (date or date-time) is when."""
    published = metadata.get("published", True)
    if not isinstance(published, bool):
        raise DocumentError(path, key_lines.get("published"), "published must be true or false")
    value = metadata.get("publish_date") or metadata.get("date")
    publish_at = None
    if isinstance(value, datetime.datetime):
        publish_at = value
    elif isinstance(value, datetime.date):
        publish_at = datetime.datetime.combine(value, datetime.time())
    elif value:
        text = str(value).strip()
        publish_at = parse_datetime(text.replace(" ", "T", 1)) if len(text) > 10 else None
        if publish_at is None:
            date = parse_date(text)
            publish_at = datetime.datetime.combine(date, datetime.time()) if date else None
        if publish_at is None:
            line = key_lines.get("publish_date") or key_lines.get("date")
            raise DocumentError(path, line, f"“{text}” is not a date (YYYY-MM-DD[ HH:MM])")
    if publish_at is not None and timezone.is_naive(publish_at):
        publish_at = timezone.make_aware(publish_at, datetime.UTC)
    return {
        "status": Status.PUBLISHED if published else Status.DRAFT,
        "publish_at": publish_at,
    }


def parse_date_field(path, metadata, key, key_lines):
    value = metadata.get(key)
    if value in (None, ""):
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    date = parse_date(str(value).strip())
    if date is None:
        raise DocumentError(path, key_lines.get(key), f"{key} “{value}” is not a YYYY-MM-DD date")
    return date


def to_blocks(body, first_line):
    """The body's top-level blocks, with their Markdown source and 1-based file line."""
    lines = body.split("\n")
    tokens = MarkdownIt("commonmark").enable("table").parse(body)
    blocks = []
    for index, token in enumerate(tokens):
        if token.level != 0 or token.nesting == -1 or not token.map:
            continue
        start, end = token.map
        source = "\n".join(lines[start:end]).rstrip()
        line = first_line + start
        if token.type == "hr":
            blocks.append(Block("hr", line, source))
        elif token.type == "heading_open":
            text = strip_bold(tokens[index + 1].content)
            blocks.append(Block("heading", line, source, int(token.tag[1]), text))
        elif token.type == "table_open":
            blocks.append(Block("table", line, source))
        else:
            blocks.append(Block("content", line, source))
    return blocks


def join_sources(blocks):
    return "\n\n".join(block.source for block in blocks).strip()


def group_by_heading(blocks):
    """[(heading block or None, [content blocks])]."""
    groups = []
    for block in blocks:
        if block.kind == "heading" or not groups:
            groups.append((block if block.kind == "heading" else None, []))
            if block.kind == "heading":
                continue
        groups[-1][1].append(block)
    return groups


def parse_table(path, block):
    lines = block.source.split("\n")
    header = [strip_bold(cell) for cell in split_row(lines[0])]
    if len(header) < 2:
        raise DocumentError(path, block.line, "a table needs a platform column and a capability")
    table = ParsedTable(line=block.line, title="", platform_column=header[0] or "Platform")
    table.capabilities = header[1:]
    raw_rows = []
    for offset, line in enumerate(lines[2:], start=2):
        cells = split_row(line)
        if len(cells) != len(header):
            raise DocumentError(
                path,
                block.line + offset,
                f"this table row has {len(cells)} cells but the header has {len(header)}",
            )
        raw_rows.append((block.line + offset, cells))
    marks = {level.mark: level for level in Level}
    table.uses_levels = any(
        cell.startswith(tuple(marks)) for _line, cells in raw_rows for cell in cells[1:]
    )
    seen = {}
    for line, cells in raw_rows:
        label = strip_bold(cells[0])
        slug = platform_slug(label)
        if not slug:
            raise DocumentError(path, line, "the first cell of a row must name a platform")
        if slug in seen:
            raise DocumentError(path, line, f"{label} already has a row in this table")
        seen[slug] = line
        parsed_cells = []
        for cell in cells[1:]:
            footnote = None
            if ref := _FOOTNOTE_REF.search(cell):
                footnote, cell = ref.group(1), cell[: ref.start()].rstrip()
            level = ""
            if table.uses_levels:
                mark = next((m for m in marks if cell.startswith(m)), None)
                if mark is None:
                    found = cell.split()[0] if cell.split() else "nothing"
                    raise DocumentError(
                        path,
                        line,
                        f"unknown level mark “{found}” in {label}: "
                        f"cells of this table start with one of {' '.join(marks)}",
                    )
                level, cell = marks[mark].value, cell[len(mark) :].strip()
                if level == Level.PARTIAL and not cell:
                    raise DocumentError(path, line, f"a partial level needs a note ({label})")
            parsed_cells.append((level, cell, footnote))
        table.rows.append((label, slug, parsed_cells))
    return table


def parse_page_body(path, blocks, fields):
    headings = [b for b in blocks if b.kind == "heading"]
    if headings and headings[0].level == 1 and blocks.index(headings[0]) < _first_table(blocks):
        fields["heading"] = headings[0].text
        blocks = [b for b in blocks if b is not headings[0]]

    segments, current, tables = [], [], []
    for block in blocks:
        if block.kind == "table":
            segments.append(current)
            tables.append(parse_table(path, block))
            current = []
        else:
            current.append(block)
    segments.append(current)
    # A rule (---) only means something after the last table's takeaways: the page's
    # closing text follows it. Everywhere else it is decoration.
    last = segments.pop()
    segments = [[b for b in segment if b.kind != "hr"] for segment in segments]
    content_seen = False
    takeaways_part, closing_part = [], []
    for block in last:
        if block.kind == "hr":
            if content_seen and tables and not closing_part:
                closing_part.append(block)
            continue
        content_seen = True
        (closing_part if closing_part else takeaways_part).append(block)
    closing_part = [b for b in closing_part if b.kind != "hr"]

    for index, table in enumerate(tables):
        groups = group_by_heading(segments[index])
        title_level = 0
        if groups and groups[-1][0] is not None and not groups[-1][1]:
            title_heading = groups.pop()[0]
            table.title, title_level = title_heading.text, title_heading.level
        # Between two tables come the previous table's takeaways, then this table's section.
        # A lone heading above the title's level (## over ###) opens a section instead.
        lone_section = (
            len(groups) == 1 and groups[0][0] is not None and groups[0][0].level < title_level
        )
        if index > 0 and groups and not lone_section:
            heading, content = groups.pop(0)
            tables[index - 1].takeaways_heading = heading.text if heading else ""
            tables[index - 1].takeaways = join_sources(content)
        if index == 0 and groups and groups[0][0] is None:
            fields["intro"] = join_sources(groups.pop(0)[1])
        if groups:
            heading, content = groups[0]
            table.section_heading = heading.text if heading else ""
            rest = content + [b for group in groups[1:] for b in ([group[0]] + group[1])]
            table.intro = join_sources(rest)
        table.title = table.title or table.section_heading or f"Table {index + 1}"

    if not tables:
        return tables
    closing = group_by_heading(takeaways_part)
    if closing:
        heading, content = closing.pop(0)
        tables[-1].takeaways_heading = heading.text if heading else ""
        tables[-1].takeaways = join_sources(content)
    closing_blocks = [
        b for heading, content in closing for b in ([heading] if heading else []) + content
    ]
    fields["closing"] = join_sources(closing_blocks + closing_part)
    return tables


def summarize(*markdown_texts, limit=300):
    """The first non-empty text as plain words, cut at a word boundary: a meta description."""
    text = next(filter(None, (plain_text(t) for t in markdown_texts if t)), "")
    if len(text) <= limit:
        return text
    return text[: limit - 1].rsplit(" ", 1)[0] + "…"


def _first_table(blocks):
    return next((i for i, b in enumerate(blocks) if b.kind == "table"), len(blocks))


def parse_document(path, text=None):
    path = Path(path)
    text = read_text(path) if text is None else text
    metadata, body, body_line, key_lines = split_front_matter(path, text)

    # Footnote definitions (sources and review dates) are lifted out before the Markdown is
    # parsed; blank lines keep the line numbers of everything else.
    # Only comparison pages carry them; an article's own Markdown footnotes stay in its body.
    footnotes, body_lines = {}, body.split("\n")
    has_table_rows = any(line.lstrip().startswith("|") for line in body_lines)
    for number, line in enumerate(body_lines):
        if has_table_rows and (match := _FOOTNOTE_DEF.match(line)):
            if match[1] in footnotes:
                raise DocumentError(
                    path, body_line + number, f"footnote [^{match[1]}] is defined twice"
                )
            footnotes[match[1]] = parse_footnote(path, body_line + number, match[2])
            body_lines[number] = ""
    blocks = to_blocks("\n".join(body_lines), body_line)

    title = str(metadata.get("title") or "").strip()
    if not title:
        raise DocumentError(path, 1, "the front matter needs a title")
    publication = parse_publication(path, metadata, key_lines)
    has_tables = any(block.kind == "table" for block in blocks)

    if has_tables:
        permalink = str(metadata.get("permalink") or "").strip()
        try:
            validate_permalink(permalink)
        except ValidationError as error:
            raise DocumentError(
                path, key_lines.get("permalink", 1), f"permalink “{permalink}”: {error.messages[0]}"
            ) from error
        fields = {
            "title": title,
            "permalink": permalink,
            "heading": "",
            "description": str(metadata.get("description") or "").strip(),
            "intro": "",
            "closing": "",
            **publication,
        }
        if "order" in metadata:  # the page's place in the navigation; kept when absent
            if not isinstance(metadata["order"], int) or metadata["order"] < 0:
                raise DocumentError(path, key_lines.get("order"), "order must be a whole number")
            fields["order"] = metadata["order"]
        tables = parse_page_body(path, blocks, fields)
        if not fields["description"]:
            fields["description"] = summarize(
                fields["intro"], *(t.intro for t in tables), *(t.takeaways for t in tables)
            )
        for table in tables:
            for label, _slug, cells in table.rows:
                for _level, _note, footnote in cells:
                    if footnote and footnote not in footnotes:
                        raise DocumentError(
                            path, table.line, f"{label}: footnote [^{footnote}] is never defined"
                        )
        return ParsedDocument(path, "page", fields, tables, footnotes)

    if not ARTICLE_KEYS & metadata.keys():
        raise DocumentError(
            path,
            1,
            "neither a comparison page (it has no table) nor an article "
            "(its front matter has no author or publish_date)",
        )
    if not metadata.get("author"):
        raise DocumentError(path, 1, "an article needs an author in its front matter")
    reading_time = metadata.get("read_time")
    minutes = None
    if reading_time not in (None, ""):
        match = re.match(r"^\s*(\d+)", str(reading_time))
        if not match:
            raise DocumentError(
                path, key_lines.get("read_time"), f"read_time “{reading_time}” is not minutes"
            )
        minutes = int(match[1])
    fields = {
        "title": title,
        "slug": slugify(str(metadata.get("slug") or title))[:200],
        "subtitle": str(metadata.get("subtitle") or "").strip(),
        "description": str(metadata.get("description") or "").strip(),
        "author": str(metadata["author"]).strip(),
        "created_date": parse_date_field(path, metadata, "created_date", key_lines),
        "hero_image_url": str(metadata.get("heroImage") or "").strip(),
        "hero_image_alt": str(metadata.get("heroImageAlt") or title).strip(),
        "call_to_action": str(metadata.get("cta") or "").strip(),
        "body": body.strip(),
        "reading_time": minutes,
        **publication,
    }
    return ParsedDocument(path, "article", fields)


# --- Writing ------------------------------------------------------------------------------


class Report:
    """What one document's import did, object by object and field by field."""

    def __init__(self, label):
        self.label = label
        self.kept = False  # left alone because of --keep-existing
        self.counts = {}
        self.changes = []  # (action, description, {field: (before, after)})
        self.problems = []  # what could not be done but did not stop the import

    def record(self, action, kind, obj, changes=None):
        self.counts.setdefault(action, {}).setdefault(kind, 0)
        self.counts[action][kind] += 1
        if action != "unchanged":
            self.changes.append((action, f"{kind} {obj}", changes or {}))

    @property
    def changed(self):
        return bool(self.changes)

    def summary(self):
        if self.kept:
            return f"{self.label}: already in the database, left as it is"
        if not self.changed:
            return f"{self.label}: unchanged"
        parts = []
        for action in ("created", "updated", "deleted"):
            if kinds := self.counts.get(action):
                parts.append(action + " " + ", ".join(f"{n} {k}" for k, n in kinds.items()))
        return f"{self.label}: " + "; ".join(parts)


_LOOK_UP = object()


def sync(report, kind, model, lookup, values, existing=_LOOK_UP):
    """Create, update or leave alone the one row matching lookup; save only what changed.

    `existing` may pass the row (or None) when the caller has already fetched it in bulk."""
    for name, value in values.items():
        limit = getattr(model._meta.get_field(name), "max_length", None)
        if limit and isinstance(value, str) and len(value) > limit:
            raise ValueError(f"{kind} {name} is {len(value)} characters long; at most {limit}")
    obj = model.objects.filter(**lookup).first() if existing is _LOOK_UP else existing
    if obj is None:
        obj = model(**lookup, **values)
        obj.save()
        report.record("created", kind, obj)
        return obj
    changes = {
        name: (getattr(obj, name), value)
        for name, value in values.items()
        if getattr(obj, name) != value
    }
    if changes:
        for name, (_before, value) in changes.items():
            setattr(obj, name, value)
        obj.save()
        report.record("updated", kind, obj, changes)
    else:
        report.record("unchanged", kind, obj)
    return obj


def unique_slugs(names, fallback):
    slugs = []
    for position, name in enumerate(names, start=1):
        slug = base = slugify(name)[:190] or f"{fallback}-{position}"
        suffix = 2
        while slug in slugs:
            slug, suffix = f"{base}-{suffix}", suffix + 1
        slugs.append(slug)
    return slugs


def release_slugs(queryset, slugs):
    """Tables and columns are matched by position (whatever numbers editors gave their order);
    a slug the document gives to another position is freed first, since slugs are unique
    within a page or table. Returns the existing objects in position order."""
    existing = list(queryset)
    for position, obj in enumerate(existing):
        if obj.slug in slugs and slugs.index(obj.slug) != position:
            type(obj).objects.filter(pk=obj.pk).update(slug=f"moving-{obj.pk}")
    return existing


def delete_missing(report, kind, queryset):
    for obj in queryset:
        report.record("deleted", kind, obj)
        obj.delete()


def apply_document(document, keep_existing=False):
    apply = apply_page if document.kind == "page" else apply_article
    try:
        with transaction.atomic():
            return apply(document, keep_existing)
    except (ValueError, IntegrityError) as error:
        raise DocumentError(document.path, None, f"cannot be stored: {error}") from error


def apply_article(document, keep_existing):
    fields = dict(document.fields)
    report = Report(f"article /blog/{fields['slug']}/")
    if keep_existing and Article.objects.filter(slug=fields["slug"]).exists():
        report.kept = True
        return report
    if fields["publish_at"] is None:
        existing = Article.objects.filter(slug=fields["slug"]).first()
        fields["publish_at"] = existing.publish_at if existing else timezone.now()
    # Remote images become local copies, or their alt text (never a broken image).
    fields["hero_image_url"], hero_problems = copy_hero_image(fields["hero_image_url"])
    fields["body"], body_problems = copy_remote_images(fields["body"])
    report.problems = hero_problems + body_problems
    slug = fields.pop("slug")
    sync(report, "article", Article, {"slug": slug}, fields)
    return report


def apply_page(document, keep_existing):
    fields = dict(document.fields)
    permalink = fields.pop("permalink")
    report = Report(f"page {permalink}")
    if keep_existing and ComparisonPage.objects.filter(permalink=permalink).exists():
        report.kept = True
        return report
    if fields["publish_at"] is None:
        existing = ComparisonPage.objects.filter(permalink=permalink).first()
        fields["publish_at"] = existing.publish_at if existing else timezone.now()
    page = sync(report, "page", ComparisonPage, {"permalink": permalink}, fields)

    slugs = unique_slugs([parsed.title for parsed in document.tables], "table")
    existing = release_slugs(page.tables.all(), slugs)
    for order, (parsed, slug) in enumerate(zip(document.tables, slugs, strict=True)):
        current = existing[order] if order < len(existing) else None
        table = sync(report, "table", ComparisonTable, {"page": page}, {
            "order": order,
            "section_heading": parsed.section_heading,
            "intro": parsed.intro,
            "title": parsed.title,
            "slug": slug,
            "platform_column": parsed.platform_column,
            "uses_levels": parsed.uses_levels,
            "takeaways_heading": parsed.takeaways_heading,
            "takeaways": parsed.takeaways,
        }, current)  # fmt: skip
        apply_table(report, document, table, parsed)
    delete_missing(report, "table", existing[len(document.tables) :])
    return report


def apply_table(report, document, table, parsed):
    capabilities = []
    slugs = unique_slugs(parsed.capabilities, "column")
    existing = release_slugs(table.capabilities.all(), slugs)
    for order, (name, slug) in enumerate(zip(parsed.capabilities, slugs, strict=True)):
        current = existing[order] if order < len(existing) else None
        capabilities.append(
            sync(report, "capability", Capability, {"table": table},
                 {"name": name, "slug": slug, "order": order}, current)
        )  # fmt: skip
    delete_missing(report, "capability", existing[len(capabilities) :])

    existing_cells = {
        (cell.capability_id, cell.row_id): cell
        for cell in Cell.objects.filter(capability__table=table).prefetch_related("sources")
    }
    platform_ids = []
    for order, (label, slug, cells) in enumerate(parsed.rows):
        platform = Platform.objects.filter(slug=slug).first()
        if platform is None:
            name = label.split("(")[0].strip() or label
            platform = Platform.objects.create(
                name=name, slug=slug, order=Platform.objects.count() + 1
            )
            report.record("created", "platform", platform)
        platform_ids.append(platform.id)
        row = sync(report, "row", TableRow, {"table": table, "platform": platform},
                   {"label": label, "order": order})  # fmt: skip
        for capability, (level, note, footnote) in zip(capabilities, cells, strict=True):
            facts = document.footnotes.get(footnote) if footnote else CellFacts()
            values = {"level": level, "note": note, "last_reviewed": facts.last_reviewed}
            lookup = {"capability": capability, "row": row}
            existing = existing_cells.get((capability.id, row.id))
            cell = sync(report, "cell", Cell, lookup, values, existing)
            apply_sources(report, cell, facts.sources, existing is not None)
    delete_missing(report, "row", table.rows.exclude(platform_id__in=platform_ids))


def apply_sources(report, cell, sources, may_have_sources=True):
    existing = list(cell.sources.all()) if may_have_sources else []
    wanted = [
        {"url": url, "title": title, "accessed": accessed, "order": order}
        for order, (url, title, accessed) in enumerate(sources)
    ]
    current = [
        {"url": s.url, "title": s.title, "accessed": s.accessed, "order": s.order} for s in existing
    ]
    if current == wanted:
        return
    for source in existing:
        source.delete()
    for values in wanted:
        report.record("created", "source", CellSource.objects.create(cell=cell, **values))


def collect_paths(paths):
    """Files named, and the documents inside folders named, in a stable order."""
    found = []
    for path in map(Path, paths):
        if path.is_dir():
            found.extend(
                sorted(p for p in path.iterdir() if p.suffix in DOCUMENT_SUFFIXES and p.is_file())
            )
        elif path.exists():
            found.append(path)
        else:
            raise DocumentError(path, None, "no such file or folder")
    return found
