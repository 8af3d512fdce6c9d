"""A document's body (its token stream) → page fields and tables, no database. A page reads:

    # Page heading              (optional; the first heading if level 1)
    page intro                  (prose before the first section)
    ## Section heading          (the last of the highest-ranked headings above the table)
    section intro               (prose; sub-headings stay in it)
    ### Table title             (the heading right above the table, or none)
    | the table |
    ### Takeaways heading       (optional)
    takeaways                   (prose, up to the next section; deeper sub-headings stay in them)
    closing text                (after a rule or a heading that ends the last takeaways)

A table of contents and its heading stay prose. An export's notes, `<!-- table {…} -->` and
`<!-- closing -->`, leave nothing to guessing. Rules stay in the text, except one between a
table and a heading (the page draws it)."""

import json
import re
from collections import namedtuple
from dataclasses import dataclass, field
from itertools import pairwise, takewhile

from sitecontent.markdown import parser

from ..models import Level, Orientation
from .errors import DocumentError
from .frontmatter import parse_date
from .tables import (
    FOOTNOTE_REFERENCE,
    Marks,
    ReadOptions,
    read_rows,
    read_table,
    resolve_references,
    unwrap_bold,
)

MARKER = re.compile(r"^<!--\s*(table|closing)\b(.*?)-->\s*$", re.DOTALL)
SOURCE_FOOTNOTE = re.compile(r"^\[\^([^\]\s]+)\]:\s*((?:reviewed\b|\[).*)$")
_FACT = re.compile(
    r"\s*(?:reviewed (?P<reviewed>[^;\s]+)"
    r"|\[(?P<title>(?:\\.|[^\]\\])*)\]\((?:<(?P<bracketed>[^>\s]+)>|(?P<url>[^)\s]+))\)"
    r"(?:\s*\(accessed (?P<accessed>[^)]*)\))?)"
    r"\s*(?:;|$)"
)
_TOC_ENTRY = re.compile(r"^\s*\[[^\]]*\]\(#[^)\s]*\)\s*$")
CITATION = re.compile(r"\[\^([^\]\s]+)\](?!:)")  # a footnote cited anywhere in a text

# What a source footnote on its line says about a cell: when it was reviewed, and its sources
# [(url, title, accessed)], checked in apply.
Facts = namedtuple("Facts", "last_reviewed sources line", defaults=[None, (), None])


@dataclass
class Block:
    kind: str  # heading, table, hr, prose, marker
    start: int  # 0-based lines of the body, end exclusive
    end: int
    level: int = 0
    text: str = ""  # a heading's, or which note a marker is: table or closing
    data: object = None  # a marker's note (dict); a table's tables.Table, or why it is prose
    toc: bool = False  # a table of contents, or its heading


@dataclass
class ParsedTable:
    table: object  # tables.Table
    meta: dict = field(default_factory=dict)  # the export's note: slugs, descriptions…
    section_heading: str = ""
    intro: str = ""
    title: str = ""
    takeaways_heading: str = ""
    takeaways: str = ""
    values: dict = field(default_factory=dict)  # its ComparisonTable fields, once checked (apply)


@dataclass
class ParsedPage:
    heading: str = ""
    intro: str = ""
    closing: str = ""
    tables: list = field(default_factory=list)
    footnotes: dict = field(default_factory=dict)  # {label: Facts}
    notes: list = field(default_factory=list)  # tables kept as prose, and why


def parse_facts(name, line, text):
    """`reviewed YYYY-MM-DD; [title](url) (accessed YYYY-MM-DD); …` in any order."""
    last_reviewed, sources, position = None, [], 0
    while position < len(text.rstrip()):
        if not (match := _FACT.match(text, position)):
            expected = "“reviewed YYYY-MM-DD” nor “[title](url) (accessed YYYY-MM-DD)”"
            raise DocumentError(name, line, f"“{text[position:].strip()}” is neither {expected}")
        position = match.end()
        dates = {key: parse_date(match[key]) for key in ("reviewed", "accessed") if match[key]}
        if bad := next((match[key] for key, date in dates.items() if date is None), None):
            raise DocumentError(name, line, f"“{bad}”: write dates as YYYY-MM-DD")
        if match["reviewed"]:
            last_reviewed = dates["reviewed"]
            continue
        title = re.sub(r"\\(.)", r"\1", match["title"])
        sources.append((match["bracketed"] or match["url"], title, dates.get("accessed")))
    return Facts(last_reviewed, sources, line)


def lift_source_footnotes(name, lines, first_line, tokens, code):
    """({label: Facts}, lines) with source footnotes (`[^n]: reviewed …; [title](url)…`) made blank
    lines, so that lines keep numbers. Only those referenced at the end of a table cell count; one
    the text cites too stays a footnote of the page, or the text's reference would lead nowhere."""
    inline = [(before.type in ("th_open", "td_open"), token.content)
              for before, token in pairwise(tokens) if token.type == "inline"]  # fmt: skip
    referenced = {
        ref[1] for cell, text in inline if cell and (ref := FOOTNOTE_REFERENCE.search(text))
    }
    referenced -= {ref[1] for cell, text in inline if not cell for ref in CITATION.finditer(text)}
    footnotes, lines = {}, list(lines)
    for number, line in enumerate(lines):
        match = number not in code and SOURCE_FOOTNOTE.match(line)
        if match and match[1] in referenced:
            if match[1] in footnotes:
                message = f"footnote [^{match[1]}] is defined twice"
                raise DocumentError(name, first_line + number, message)
            footnotes[match[1]] = parse_facts(name, first_line + number, match[2])
            lines[number] = ""
    return footnotes, lines


def _is_contents(tokens, index):
    """A list whose every item is a link to an anchor of the document: a table of contents."""
    inside = takewhile(lambda token: token.level, tokens[index + 1 :])
    items = [token.content for token in inside if token.type == "inline"]
    return bool(items) and all(_TOC_ENTRY.match(item) for item in items)


def _describes(note, tokens, index):
    """Whether the export's note describes the table at tokens[index]: its header names the
    note's columns and its first column the note's rows (the other way round when platforms are
    columns). A prose table in the section's intro may share the header alone."""
    names = [
        [entry[0] for entry in note.get(key) or [] if isinstance(entry, list) and entry]
        for key in ("columns", "rows")
    ]
    across, down = names[::-1] if note.get("orientation") == "columns" else names
    rows = read_rows(tokens, index, 0, {})
    header, *body = [[cell.replace("\\|", "|") for cell in cells] for _line, cells in rows]
    return header[1:] == across and [row[0] for row in body] == down


def _marker(token):
    """An export's note, `<!-- table {…} -->` or `<!-- closing -->` (a regex match), or None."""
    return token.type == "html_block" and MARKER.match(token.content.strip())


def to_blocks(name, lines, first_line, options, tokens):
    """The body's top-level blocks, comparison tables read; notes on tables kept as prose."""
    blocks, note, notes = [], {}, []
    described = None  # the index of the table the pending note describes
    for index, token in enumerate(tokens):
        if token.level != 0 or token.nesting == -1 or not token.map:
            continue
        start, end = token.map
        if token.type == "heading_open":
            text = resolve_references(unwrap_bold(tokens[index + 1].content), options.references)
            blocks.append(Block("heading", start, end, int(token.tag[1]), text))
        elif token.type == "hr":
            blocks.append(Block("hr", start, end))
        elif token.type == "table_open":
            # A table between an export's note (orientation, levels…) and the table it describes
            # is intro prose, whatever it looks like (its names may be platforms' since the export).
            if described is not None and index < described:
                table = "it is prose above the table the export's note describes"
            else:
                table_options = options.for_table(note if index == described else {})
                table = read_table(name, tokens, index, lines, first_line, table_options)
            if isinstance(table, str):
                notes.append(f"line {first_line + start}: a table kept as prose: {table}")
            kind = "prose" if isinstance(table, str) else "table"
            blocks.append(Block(kind, start, end, data=table))
        elif match := _marker(token):
            try:
                data = json.loads(match[2].strip() or "{}")
            except ValueError as error:
                message = f"the table note is not valid JSON: {error}"
                raise DocumentError(name, first_line + start, message) from error
            if not isinstance(data, dict):
                message = "the table note must be a JSON object"
                raise DocumentError(name, first_line + start, message)
            blocks.append(Block("marker", start, end, text=match[1], data=data))
            note = data if match[1] == "table" else {}
            # The table it describes is the first one that matches it before the next note.
            later = takewhile(lambda i: not _marker(tokens[i]), range(index + 1, len(tokens)))
            tables = (i for i in later if tokens[i].level == 0 and tokens[i].type == "table_open")
            described = next((i for i in tables if note and _describes(note, tokens, i)), None)
        elif token.type != "footnote_reference_open":  # a footnote: a source (lifted) or text
            toc = token.type in ("bullet_list_open", "ordered_list_open")
            blocks.append(Block("prose", start, end, toc=toc and _is_contents(tokens, index)))
    # Lines no block covers are definitions (of links and footnotes): text where they stand.
    covered = {number for block in blocks for number in range(block.start, block.end)}
    for number, line in enumerate(lines):
        if line.strip() and number not in covered:
            blocks.append(Block("prose", number, number + 1))
    blocks.sort(key=lambda block: block.start)
    for block, after in pairwise(blocks):
        block.toc = block.toc or (block.kind == "heading" and after.toc)
    return blocks, notes


def text_of(lines, blocks):
    """The body's own lines under these blocks: fields keep the text exactly as written."""
    blocks = [b for b in blocks if b.kind != "marker"]
    chunk = lines[blocks[0].start : max(b.end for b in blocks)] if blocks else []
    written = [number for number, line in enumerate(chunk) if line.strip()]
    return "\n".join(chunk[written[0] : written[-1] + 1]) if written else ""


def _split_at_marker(blocks, kind):
    at = next((i for i, b in enumerate(blocks) if b.kind == "marker" and b.text == kind), None)
    return None if at is None else (blocks[:at], blocks[at + 1 :], blocks[at].data)


def _read_takeaways(lines, parsed, blocks):
    """Takeaways heading and text of a table from the blocks below it."""
    while not parsed.meta and [block.kind for block in blocks[:2]] == ["hr", "heading"]:
        blocks = blocks[1:]  # the page draws the rule between a table and what follows
    if blocks and blocks[0].kind == "heading" and parsed.meta.get("takeaways_heading", True):
        parsed.takeaways_heading = blocks.pop(0).text
    parsed.takeaways = text_of(lines, blocks)


def _takeaways_end(blocks):
    """Where the last table's takeaways end (without a note saying so): at a heading after
    their own of the same or a higher rank, or at a rule after their text."""
    own_level, content_seen = None, False
    for index, block in enumerate(blocks):
        higher = block.kind == "heading" and (own_level is None or block.level <= own_level)
        if block.kind == "heading" and own_level is None and not content_seen:
            own_level = block.level
        elif higher or (block.kind == "hr" and content_seen):
            return index
        elif block.kind != "hr":
            content_seen = True
    return len(blocks)


def _section_start(blocks):
    """Where the section of the table below these blocks starts: at the last of the
    highest-ranked headings (not its title, nor a table of contents' heading)."""
    headings = [i for i, b in enumerate(blocks) if b.kind == "heading" and not b.toc]
    above = [i for i in headings if i != len(blocks) - 1] or headings
    return max(above, key=lambda i: (-blocks[i].level, i), default=len(blocks))


def read_page(name, front_matter, known_platform):
    """ParsedPage of a document's body, from one parse of it, read as its front matter says."""
    meta = front_matter.metadata
    orientation, levels = meta.get("orientation"), meta.get("levels") or {}
    if orientation is not None and orientation not in Orientation.values:
        raise front_matter.error("orientation", "orientation is rows or columns")
    if not isinstance(levels, dict) or not all(v in Level.values for v in levels.values()):
        message = "levels maps marks to one of full, partial, none, unknown"
        raise front_matter.error("levels", message)
    lines, first_line, env = front_matter.body.split("\n"), front_matter.body_line, {}
    tokens = parser(blocks_only=True).parse(front_matter.body, env)
    # The lines of code blocks and raw HTML, where nothing is Markdown.
    raw = [t.map for t in tokens if t.type in ("fence", "code_block", "html_block") and t.map]
    code = {number for start, end in raw for number in range(start, end)}
    footnotes, lines = lift_source_footnotes(name, lines, first_line, tokens, code)
    # An export's fields are stored text, each rendered alone: its links are left as written.
    exported = any(map(_marker, tokens))
    references = {} if exported else env.get("references", {})
    levels = {str(mark): level for mark, level in levels.items()}
    marks = Marks(levels, (line for number, line in enumerate(lines) if number not in code))
    options = ReadOptions(orientation, known_platform, marks, set(footnotes), references)
    blocks, notes = to_blocks(name, lines, first_line, options, tokens)
    page = ParsedPage(footnotes=footnotes, notes=notes)
    # The page heading: a level-1 first heading above the tables, even below an image or badge
    # (kept in the intro); left there it would show twice, under the page's. Exports write it first.
    heading, above = next((b for b in blocks if b.kind in ("heading", "table")), None), []
    first = blocks.index(heading) if heading else 0
    if heading and (heading.kind, heading.level) == ("heading", 1) and (first == 0 or not exported):
        page.heading, above, blocks = heading.text, blocks[:first], blocks[first + 1 :]
    at = [index for index, block in enumerate(blocks) if block.kind == "table"]
    page.tables = tables = [ParsedTable(blocks[index].data) for index in at]
    # The blocks before, between and after the tables.
    segments = [blocks[start + 1 : end] for start, end in pairwise([-1, *at, len(blocks)])]
    if tables:
        _read_sections(lines, page, tables, segments)
    else:
        page.intro = text_of(lines, blocks)
    page.intro = "\n\n".join(filter(None, [text_of(lines, above), page.intro]))
    texts = [(page, "intro"), (page, "closing")]
    texts += [(table, name) for table in tables for name in ("intro", "takeaways")]
    for obj, name in texts:
        setattr(obj, name, resolve_references(getattr(obj, name), options.references, False))
    return page


def _read_sections(lines, page, tables, segments):
    """Page heading, intro and closing, and each table's texts, from the blocks around them."""
    for index, (table, segment) in enumerate(zip(tables, segments, strict=False)):
        if explicit := _split_at_marker(segment, "table"):
            before, section, table.meta = explicit
        else:
            start = _section_start(segment)
            before, section = segment[:start], segment[start:]
        if index == 0:
            page.intro = text_of(lines, before)
        else:
            _read_takeaways(lines, tables[index - 1], list(before))
        if table.meta.get("title", True) and section and section[-1].kind == "heading":
            table.title = section.pop().text
        if section and section[0].kind == "heading" and table.meta.get("section_heading", True):
            table.section_heading = section.pop(0).text
        table.intro = text_of(lines, section)
    last = segments[-1]
    if explicit := _split_at_marker(last, "closing"):
        before, closing, _data = explicit
    elif tables[-1].meta:  # an export without a closing note has no closing text
        before, closing = last, []
    else:
        end = _takeaways_end(last)
        before, closing = last[:end], last[end:]
    _read_takeaways(lines, tables[-1], list(before))
    page.closing = text_of(lines, closing)
