"""One Markdown table (from the token stream) → a comparison, or why it is not one: a label
column and columns of claims, platforms as rows or as columns (declared or detected). A cell of
a levelled table starts with a mark (see Marks); a cell without one has no level."""

import re
from collections import namedtuple
from contextlib import suppress
from dataclasses import dataclass, replace
from itertools import takewhile

from django.core.exceptions import ValidationError
from markdown_it.common.utils import normalizeReference

from sitecontent.markdown import MAX_OPENERS, parser, plain_text_of_inline

from ..models import Level, Orientation, validate_legend
from .errors import DocumentError

# Other symbols than Level.mark (the one each level is exported with) that mean a level.
SYMBOL_MARKS = {
    "full": ["✔️", "✔", "✓", "☑️", "☑", "🟢", "👍", ":white_check_mark:", ":heavy_check_mark:",
             ":ballot_box_with_check:", ":green_circle:", ":+1:"],
    "partial": ["⚠️", "⚠", "🔶", "🟠", "🔸", "◐", "½", ":warning:", ":large_orange_diamond:",
                ":yellow_circle:", ":orange_circle:"],
    "none": ["✗", "✘", "❎", "✖️", "✖", "✕", "⛔", "🚫", "🔴", ":x:", ":heavy_multiplication_x:",
             ":negative_squared_cross_mark:", ":no_entry:", ":red_circle:", ":-1:"],
    "unknown": ["❓", "❔️", ":question:", ":grey_question:"],
}  # fmt: skip
BUILTIN_MARKS = {level.mark: level.value for level in Level} | {
    mark: level for level, marks in SYMBOL_MARKS.items() for mark in marks
}
# Words are marks only on their own or followed by punctuation: "Yes", "Yes (plugin)",
# "No, but…" — never "No major AI partnerships", which is a sentence.
WORD_MARKS = {
    "full": ["yes", "supported", "full"],
    "partial": ["partial", "partially", "partly", "limited"],
    "none": ["no", "unsupported", "none"],
    "unknown": ["unknown", "?"],
}
WORD_LEVELS = {word: level for level, words in WORD_MARKS.items() for word in words}
_WORD_MARK = re.compile(
    rf"^({'|'.join(map(re.escape, WORD_LEVELS))})(?=$|\s*[(\[,;:.!]|\s+[-–—]\s)", re.IGNORECASE
)
LEGEND_HEADERS = {"symbol", "mark", "marks", "icon", "legend", "key", "emoji", "sign", "meaning"}
# A two-column table of names and what they mean is a glossary, not a comparison.
GLOSSARY_HEADERS = {"description", "definition", "explanation", "meaning", "notes"}
# With features as rows, a column of remarks is no product: its text describes each feature.
REMARK_HEADERS = GLOSSARY_HEADERS | {"note", "comments", "comment", "remarks", "details"}
COLUMN_CORNERS = re.compile(
    r"(?i)^(|features?|capabilit(y|ies)|functions?|functionality|options?|properties|property|"
    r"support|criteria|criterion|aspects?|category|categories|formats?|codecs?|elements?|"
    r"operations?|metadata|attributes?|what)$"
)
_PIPE = re.compile(r"(?<!\\)\|")
FOOTNOTE_REFERENCE = re.compile(r"\s*\[\^([^\]\s]+)\]\s*$")
_BOLD_WHOLE = re.compile(r"^\*\*(?!\*)(.+?)(?<!\*)\*\*$|^__(?!_)(.+?)(?<!_)__$")
_IMAGE = re.compile(r"^!\[([^\]]*)\]\([^)]*\)")
# A document's legend: "🛑 = not supported", "- ✔️: works", "| 🔶 | via a plugin |", "![no] – no",
# and list items of a symbol and its meaning ("- 🛑 Not officially supported").
_LEGEND_LINE = re.compile(
    r"^\s*(?:[-*+]\s+|\|\s*)?(?:(?P<mark>!\[[^\]]*\](?:\([^)]*\)|\[[^\]]*\])?|:[a-z0-9_+-]+:"
    r"|[^\x00-\x7f\s]{1,4})\s*(?:=|:|\||–|—|-)|(?<=[-*+] )(?P<symbol>[^\x00-\x7f\s]{1,4})\s)"
    r"\s*(?P<meaning>[^|]+)"
)
MEANINGS = [  # the first that a legend's meaning mentions gives the mark's level
    ("unknown", r"unknown|untested|not tested|unclear|\?"),
    ("partial", r"partial|partly|limited|some|plugin|via|workaround|mostly|experimental|"
                r"in progress|wip|beta|not fully|not all|planned|third.party|requires"),
    ("none", r"\bno\b|\bnot\b|unsupported|none|missing|n/a|never|broken|unavailable"),
    ("full", r"yes|supported|full|works|available|native|built.in|done|stable|ok\b"),
]  # fmt: skip
# An import (or its preview) stays within a second or so: larger tables stay prose tables.
MAX_PLATFORMS, MAX_CELLS = 100, 2_000
_LINK_TEXT = r"(?:[^\[\]\\]|\\.|\[(?:[^\[\]\\]|\\.)*\])*"
# [text][label], [text][], [label] (images too), not before "(" (inline link) or ":" (definition).
REFERENCE_USE = re.compile(rf"(!?)\[({_LINK_TEXT})\](?:\[((?:[^\[\]\\]|\\.)*)\])?(?![(:])")
# A note's outer spaces, which a table cell would lose, are written as character references.
_OUTER_SPACES, _OUTER_REFERENCES = re.compile(r"^ +| +$"), re.compile(r"^(?:&#32;)+|(?:&#32;)+$")
# A comparison as read: its columns are capabilities, its rows platforms (whatever the
# document's orientation), each row with one Cell per column; corner is the header's first cell.
Table = namedtuple("Table", "line orientation uses_levels corner columns rows legend")
Column = namedtuple("Column", "name line description", defaults=[""])
Row = namedtuple("Row", "label line cells")
Cell = namedtuple("Cell", "level note footnote")


def unwrap_bold(text):
    """Bold around a whole heading, label or header is decoration (they are bold already)."""
    text = text.strip()
    match = _BOLD_WHOLE.match(text)
    if match and "**" not in (inner := match[1] or match[2]):
        return inner.strip()
    return text


class Marks:
    """A document's marks: `levels:`, its legend (images by alt text) or an export's stored one,
    then built-ins. Symbols besides a level's mark (🔶, ✔️, 🛑) stay in the note: pages and exports
    show the document's own. `legend`: what a levelled table stores, [[symbol, level, meaning]]."""

    def __init__(self, extra=None, lines=(), stored=()):
        extra, legend, meanings = extra or {}, {}, {}
        for match in filter(None, map(_LEGEND_LINE.match, lines)):
            meaning, mark = match["meaning"], match["mark"] or match["symbol"]
            found = (lv for lv, words in MEANINGS if re.search(words, meaning, re.IGNORECASE))
            alt = re.match(r"^!\[([^\]]*)\]", mark)
            mark = f"![{alt[1].strip().lower()}]" if alt else mark
            # A legend names new marks; it never turns a built-in mark into another level.
            if level := BUILTIN_MARKS.get(mark) or next(found, None):
                legend.setdefault(mark, level)
                meaning = plain_text_of_inline(meaning).rstrip(" .;,:")
                meanings.setdefault(mark, " ".join(meaning.split()))
        # Meanings only from a legend with a mark of its own: "- ✅ Fast" alone is a list.
        kept = [[m, lv, meanings[m]] for m, lv in legend.items() if m not in extra and meanings[m]]
        self.legend = stored or (kept if any(m != Level(lv).mark for m, lv, _ in kept) else [])
        with suppress(ValidationError):  # a broken one is refused with its line (check_values)
            validate_legend(stored)
            legend |= {m: lv for m, lv, _ in stored if m not in BUILTIN_MARKS}
        self.own = legend | extra
        symbols = [(m, lv) for m, lv in self.own.items() if not m.startswith("![")]
        symbols += list(BUILTIN_MARKS.items())
        self.kept = {m for m, lv in symbols if m != Level(lv).mark} - set(extra)
        self.symbols = sorted(symbols, key=lambda pair: -len(pair[0]))

    def split(self, text):
        """(level, rest, keep the mark in the note) when the cell starts with a mark."""
        if image := _IMAGE.match(text):
            alt = image[1].strip().lower()
            level = self.own.get(f"![{alt}]") or WORD_LEVELS.get(alt)
            return (level, text[image.end() :].strip(), True) if level else None
        for mark, level in self.symbols:
            if text.startswith(mark):
                return level, text[len(mark) :].lstrip("\ufe0f").strip(), mark in self.kept
        if match := _WORD_MARK.match(text):
            return WORD_LEVELS[match[1].lower()], text[match.end() :].strip(), False
        return None


@dataclass
class ReadOptions:
    """How a document's tables are read; for_table adds what the export's note above one says."""

    orientation: str | None  # the front matter's
    known_platform: object  # (label, the table's other labels) -> Platform or None
    marks: Marks  # the document's; an export's table's: the built-in ones and its legend
    source_footnotes: set
    references: dict  # the document's link definitions
    uses_levels: bool | None = None
    declared: bool = False  # the export's note says this is a comparison table

    def for_table(self, note):
        levels, orientation = note.get("levels"), note.get("orientation")
        levels = levels if isinstance(levels, bool) else None
        orientation = orientation if orientation in Orientation.values else self.orientation
        return replace(self, uses_levels=levels, orientation=orientation, declared=bool(note),
                       marks=Marks(stored=note.get("legend")) if note else self.marks)  # fmt: skip


def resolve_references(text, references, inline=True):
    """The text with reference links and images written inline (each field renders alone, without
    the document's definitions, which stay where they stand), if it renders exactly as before."""
    if "[" not in text or not references or text.count("[") > MAX_OPENERS["["]:
        return text

    def inline_link(match):
        inner = REFERENCE_USE.sub(inline_link, match[2])
        label = normalizeReference(match[3] or match[2])
        if label not in references or match[2].startswith("^"):
            bang, rest = match[1], match[0][len(match[1]) + 1 + len(match[2]) :]
            return f"{bang}[{inner}]{rest}"
        title = (references[label].get("title") or "").replace("\\", "\\\\").replace('"', '\\"')
        title = f' "{title}"' if title else ""
        return f"{match[1]}[{inner}](<{references[label]['href']}>{title})"

    resolved = REFERENCE_USE.sub(inline_link, text)
    if resolved == text:
        return text
    render = parser().renderInline if inline else parser().render
    same = render(text, {"references": dict(references)}) == render(resolved, {})
    return resolved if same else text


def read_rows(tokens, start, first_line, references):
    """[(file line, [cell inline source])] of the table whose table_open is tokens[start]."""
    rows = []
    for token in takewhile(lambda token: token.type != "table_close", tokens[start:]):
        if token.type == "tr_open":
            rows.append((first_line + token.map[0], []))
        elif token.type == "inline" and rows:
            rows[-1][1].append(resolve_references(token.content.strip(), references))
    return rows


def is_legend(header, rows, marks):
    """Keys and legends ("✓ = supported") stay prose: they explain marks, they compare nothing."""
    words = {plain_text_of_inline(cell).lower().strip(" :") for cell in header}
    glossary = len(header) == 2 and plain_text_of_inline(header[1]).lower() in GLOSSARY_HEADERS
    if words & LEGEND_HEADERS or glossary:
        return True
    if all((split := marks.split(cells[0])) and not split[1] for _line, cells in rows):
        return True  # a column of bare marks (read_table passes at least one row)
    every_cell = [cell for _line, cells in [(0, header), *rows] for cell in cells if cell]
    return bool(every_cell) and all(re.match(r"^\S{1,20}\s*[=:–-]\s*\w", c) for c in every_cell)


def detect_orientation(header, rows, known_platform):
    """Platforms as columns when the header names more known platforms than the first column, or
    as many and the corner cell says the rows are features; platforms as rows otherwise."""
    across = sum(1 for cell in header[1:] if known_platform(plain_text_of_inline(cell)))
    down = sum(1 for _line, cells in rows if known_platform(plain_text_of_inline(cells[0])))
    by_corner = across == down and COLUMN_CORNERS.match(plain_text_of_inline(header[0]))
    return "columns" if across > down or by_corner else "rows"


def remark_column(header, known_platform):
    """The index of the last column if it holds remarks ("Notes"), not a product; else None."""
    name = plain_text_of_inline(header[-1])
    remarks = len(header) > 2 and name.lower().strip(" :") in REMARK_HEADERS
    return len(header) - 1 if remarks and not known_platform(name) else None


def parse_cell(text, uses_levels, marks, source_footnotes):
    level, footnote = "", None
    if (ref := FOOTNOTE_REFERENCE.search(text)) and ref[1] in source_footnotes:
        footnote, text = ref[1], text[: ref.start()].rstrip()
    note = text.replace("<br>", "\n")
    if uses_levels and note.startswith("\\") and marks.split(note[1:]):
        note = note[1:]  # an escaped mark: a note that starts with it
    elif uses_levels and (split := marks.split(note)):
        level, rest, keep_mark = split
        # The document's own mark stays in the note; partial support needs a note.
        if not keep_mark and (rest or level != "partial"):
            note = rest
    note = _OUTER_REFERENCES.sub(lambda spaces: " " * (len(spaces[0]) // 5), note)
    return Cell(level, note, footnote)


def not_a_comparison(header, body, labels, known_platform):
    """Why a table cannot be a comparison (it then stays a prose table), or None."""
    if not any(plain_text_of_inline(cell) for cell in header):
        return "it has no header"
    if len(body) == 1 and re.match(r"^v?\d+(\.\d+)*\b", plain_text_of_inline(body[0][1][0])):
        return "its only row starts with a version number"
    words = [plain_text_of_inline(re.sub(r"!\[[^\]]*\]\([^)]*\)", "", label)) for label in labels]
    if bare := next((label for label, text in zip(labels, words, strict=True) if not text), None):
        return f"the label “{bare}” is only markup or an image"
    seen = {}
    for label in labels:
        # What a label stands for: its platform when known, else its words.
        words = " ".join(plain_text_of_inline(label).casefold().split())
        key = known_platform(label, tuple(labels)) or words
        if key in seen:
            return f"“{seen[key]}” and “{label}” would be the same platform"
        seen[key] = label
    return None


def read_table(name, tokens, start, body_lines, first_line, options):
    """A Table, or why the table is not a comparison (a legend, a one-column list…)."""
    rows = read_rows(tokens, start, first_line, options.references)
    marks = options.marks
    if len(rows) < 2 or len(rows[0][1]) < 2:
        return "it has one column or no rows"
    (header_line, header), body = rows[0], rows[1:]
    if min(len(header) - 1, len(body)) > MAX_PLATFORMS or (len(header) - 1) * len(body) > MAX_CELLS:
        return f"{len(body)} rows × {len(header) - 1} columns is more than a page compares"
    if not options.declared and is_legend(header, body, marks):
        return "it is a legend or a glossary"
    for line, _cells in body:  # the parser drops a row's extra cells: they are an error here
        raw = body_lines[line - first_line].strip().removeprefix("|")
        raw = raw if raw.endswith("\\|") else raw.removesuffix("|")
        if (count := len(_PIPE.split(raw))) > len(header):
            message = f"this row has {count} cells but the header has {len(header)}"
            raise DocumentError(name, line, message)
    filled = [cell for _line, cells in body for cell in cells[1:] if cell]
    uses_levels = options.uses_levels
    if uses_levels is None:  # most cells have a mark
        uses_levels = bool(filled) and sum(1 for c in filled if marks.split(c)) * 2 > len(filled)
    orientation = options.orientation or detect_orientation(header, body, options.known_platform)
    # Bold around a label is decoration in a document; an export writes labels as stored.
    unwrap = (lambda text: text) if options.declared else unwrap_bold
    if orientation == "rows":
        columns = [Column(unwrap(cell), header_line) for cell in header[1:]]
        platforms = [(unwrap(cells[0]), line, cells[1:]) for line, cells in body]
    else:
        remarks = remark_column(header, options.known_platform)
        columns = [
            Column(unwrap(cells[0]), line, plain_text_of_inline(cells[remarks]) if remarks else "")
            for line, cells in body
        ]
        platforms = [
            (unwrap(label), header_line, [cells[index] for _line, cells in body])
            for index, label in enumerate(header[1:], start=1)
            if index != remarks
        ]
    labels = [label for label, _line, _texts in platforms]
    reason = not options.declared and not_a_comparison(header, body, labels, options.known_platform)
    if reason:
        return reason
    rows = []
    for label, line, texts in platforms:  # texts: the row's cells, one per column
        cells = [parse_cell(text, uses_levels, marks, options.source_footnotes) for text in texts]
        rows.append(Row(label, line, cells))
    legend = marks.legend if uses_levels or options.declared else []
    return Table(header_line, orientation, uses_levels, unwrap(header[0]), columns, rows, legend)


def export_cell(cell, uses_levels, marks):
    """A cell as the table writes it: its level's mark (or the note's own: 🔶), then the note."""
    note = cell.note.replace("\n", "<br>").replace("|", "\\|")
    note = _OUTER_SPACES.sub(lambda spaces: "&#32;" * len(spaces[0]), note)
    split = uses_levels and marks.split(note) or ()
    if uses_levels and cell.level:  # a note that starts with its level's own mark (🔶) shows it
        own = split[::2] == (cell.level, True)
        return note if own else f"{Level(cell.level).mark} {note}".strip()
    return "\\" + note if split else note  # a note that starts with a mark, not a level
