"""One Markdown table (from the token stream) → a comparison, or None when it is not one.

A comparison has a label column and at least one column of claims. Its orientation is declared
(front matter `orientation:` or the export's table note) or detected: platforms as rows (the
launch content's way) or platforms as columns (features as rows, products across the top: the
most common layout in the wild). Cells in a levelled table start with a mark (see MARKS, plus a
document's own `levels:`); a cell without a mark keeps its text and has no level.
"""

import re
from dataclasses import dataclass, field

from sitecontent.markdown import plain_text_of_inline

from ..models import Level
from .errors import DocumentError

LEVELS = tuple(Level.values)
# The one mark each level is written with on export (and shown on pages).
CANONICAL_MARKS = {level.value: level.mark for level in Level}
SYMBOL_MARKS = {
    "full": ["✅", "✔️", "✔", "✓", "☑️", "☑", "🟢", "👍", ":white_check_mark:",
             ":heavy_check_mark:", ":ballot_box_with_check:", ":green_circle:", ":+1:"],
    "partial": ["🟡", "⚠️", "⚠", "🔶", "🟠", "🔸", "◐", "½", ":warning:",
                ":large_orange_diamond:", ":yellow_circle:", ":orange_circle:"],
    "none": ["❌", "✗", "✘", "❎", "✖️", "✖", "✕", "⛔", "🚫", "🔴", ":x:",
             ":heavy_multiplication_x:", ":negative_squared_cross_mark:", ":no_entry:",
             ":red_circle:", ":-1:"],
    "unknown": ["❔", "❓", "❔️", ":question:", ":grey_question:"],
}  # fmt: skip
# Words are marks only on their own or followed by punctuation: "Yes", "Yes (plugin)",
# "No, but…" — never "No major AI partnerships", which is a sentence.
WORD_MARKS = {
    "full": ["yes", "supported", "full"],
    "partial": ["partial", "partially", "partly", "limited"],
    "none": ["no", "unsupported", "none"],
    "unknown": ["unknown", "?"],
}
_WORD_END = r"(?=$|\s*[(\[,;:.!]|\s+[-–—]\s)"
LEGEND_HEADERS = {"symbol", "mark", "marks", "icon", "legend", "key", "emoji", "sign", "meaning"}
# A two-column table of names and what they mean is a glossary, not a comparison.
GLOSSARY_HEADERS = {"description", "definition", "explanation", "meaning", "notes"}
# With features as rows, a column of remarks about each feature is no product: its text is
# the feature's description.
REMARK_HEADERS = GLOSSARY_HEADERS | {"note", "comments", "comment", "remarks", "details"}
COLUMN_CORNERS = re.compile(
    r"^(|features?|capabilit(y|ies)|functions?|functionality|options?|properties|property|"
    r"support|criteria|criterion|aspects?|category|categories|formats?|codecs?|elements?|"
    r"operations?|metadata|what)$",
    re.IGNORECASE,
)
_PIPE = re.compile(r"(?<!\\)\|")
FOOTNOTE_REFERENCE = re.compile(r"\s*\[\^([^\]\s]+)\]\s*$")
_BOLD_WHOLE = re.compile(r"^\*\*(?!\*)(.+?)(?<!\*)\*\*$|^__(?!_)(.+?)(?<!_)__$")


def unwrap_bold(text):
    """Bold around a whole heading, label or header is decoration (they are bold already)."""
    text = text.strip()
    match = _BOLD_WHOLE.match(text)
    if match and "**" not in (inner := match[1] or match[2]):
        return inner.strip()
    return text


class Marks:
    """The mark vocabulary of one document: the built-in marks plus its own `levels:`."""

    def __init__(self, extra=None):
        symbols = [(mark, level) for level, marks in SYMBOL_MARKS.items() for mark in marks]
        symbols += [(str(mark), level) for mark, level in (extra or {}).items()]
        self.symbols = sorted(symbols, key=lambda pair: -len(pair[0]))
        words = "|".join(
            re.escape(w) for level in WORD_MARKS.values() for w in sorted(level, key=len)[::-1]
        )
        self.words = re.compile(rf"^({words}){_WORD_END}", re.IGNORECASE)
        self.word_levels = {w: level for level, ws in WORD_MARKS.items() for w in ws}

    def split(self, text):
        """(level, rest) when the cell starts with a mark, else None."""
        for mark, level in self.symbols:
            if text.startswith(mark):
                rest = text[len(mark) :].lstrip("\ufe0f")
                if not rest or rest[0].isspace() or not rest[0].isalnum():
                    return level, rest.strip()
        if match := self.words.match(text):
            return self.word_levels[match[1].lower()], text[match.end() :].strip()
        return None


@dataclass
class Cell:
    level: str
    note: str
    footnote: str | None = None


@dataclass
class Row:
    """One platform's row (whatever the document's orientation): its label and its cells."""

    label: str
    line: int
    cells: list = field(default_factory=list)  # [Cell], one per column


@dataclass
class Column:
    name: str
    line: int
    description: str = ""


@dataclass
class Table:
    line: int
    orientation: str
    uses_levels: bool
    corner: str  # the header's first cell: "Platform", "Feature"…
    columns: list  # [Column]: capabilities
    rows: list  # [Row]: platforms


def _raw_cells(line):
    text = line.strip()
    text = text[1:] if text.startswith("|") else text
    text = text[:-1] if text.endswith("|") and not text.endswith("\\|") else text
    return _PIPE.split(text)


def read_rows(tokens, start, first_line):
    """[(file line, [cell inline source])] of the table whose table_open is tokens[start]."""
    rows, current = [], None
    for token in tokens[start:]:
        if token.type == "tr_open":
            current = (first_line + token.map[0], [])
            rows.append(current)
        elif token.type == "inline" and current is not None:
            current[1].append(token.content.strip())
        elif token.type == "table_close":
            break
    return rows


def is_legend(header, rows, marks):
    """Keys and legends ("✓ = supported") stay prose: they explain marks, they compare nothing."""
    words = {plain_text_of_inline(cell).lower().strip(" :") for cell in header}
    if words & LEGEND_HEADERS:
        return True
    if len(header) == 2 and plain_text_of_inline(header[1]).lower() in GLOSSARY_HEADERS:
        return True
    first_cells = [cells[0] for _line, cells in rows]
    if first_cells and all(
        (split := marks.split(cell)) is not None and not split[1] for cell in first_cells
    ):
        return True
    every_cell = [cell for _line, cells in [(0, header), *rows] for cell in cells if cell]
    return bool(every_cell) and all(re.match(r"^\S{1,20}\s*[=:–-]\s*\w", c) for c in every_cell)


def detect_orientation(header, rows, known_platform):
    """Platforms as columns when the header names more known platforms than the first column,
    or when the corner cell says the rows are features; platforms as rows otherwise."""
    across = sum(1 for cell in header[1:] if known_platform(plain_text_of_inline(cell)))
    down = sum(1 for _line, cells in rows if known_platform(plain_text_of_inline(cells[0])))
    if across != down:
        return "columns" if across > down else "rows"
    return "columns" if COLUMN_CORNERS.match(plain_text_of_inline(header[0])) else "rows"


def remark_column(header, known_platform):
    """The index of the last column if it holds remarks ("Notes"), not a product; else None."""
    name = plain_text_of_inline(header[-1])
    if len(header) > 2 and name.lower().strip(" :") in REMARK_HEADERS and not known_platform(name):
        return len(header) - 1
    return None


def parse_cell(text, uses_levels, marks, source_footnotes):
    footnote = None
    if (ref := FOOTNOTE_REFERENCE.search(text)) and ref[1] in source_footnotes:
        footnote, text = ref[1], text[: ref.start()].rstrip()
    text = text.replace("<br>", "\n")
    if not uses_levels:
        return Cell("", text, footnote)
    if text.startswith("\\") and marks.split(text[1:]):
        return Cell("", text[1:], footnote)  # an escaped mark: a note that starts with it
    if split := marks.split(text):
        level, note = split
        if level == "partial" and not note:
            note = text  # partial support needs a note: the mark as written says "partly"
        return Cell(level, note, footnote)
    return Cell("", text, footnote)


def read_table(name, tokens, start, body_lines, first_line, options):
    """A Table, or None when the table is not a comparison (a legend, a one-column list)."""
    rows = read_rows(tokens, start, first_line)
    marks = options.marks
    if len(rows) < 2 or len(rows[0][1]) < 2:
        return None
    (header_line, header), body = rows[0], rows[1:]
    if not options.declared and is_legend(header, body, marks):
        return None
    for line, _cells in body:
        count = len(_raw_cells(body_lines[line - first_line]))
        if count > len(header):
            raise DocumentError(
                name, line, f"this row has {count} cells but the header has {len(header)}"
            )
    texts = [cells[1:] for _line, cells in body]
    filled = [cell for cells in texts for cell in cells if cell]
    if options.uses_levels is not None:
        uses_levels = options.uses_levels
    else:
        marked = sum(1 for cell in filled if marks.split(cell))
        uses_levels = bool(filled) and marked * 2 > len(filled)  # most cells have a mark
    orientation = options.orientation or detect_orientation(header, body, options.known_platform)
    corner = unwrap_bold(header[0])
    if orientation == "rows":
        columns = [Column(unwrap_bold(cell), header_line) for cell in header[1:]]
        platforms = [(cells[0], line, cells[1:]) for line, cells in body]  # (label, line, cells)
    else:
        remarks = remark_column(header, options.known_platform)
        columns = [
            Column(
                unwrap_bold(cells[0]), line, plain_text_of_inline(cells[remarks]) if remarks else ""
            )
            for line, cells in body
        ]
        platforms = [
            (label, header_line, [cells[index] for _line, cells in body])
            for index, label in enumerate(header[1:], start=1)
            if index != remarks
        ]
    rows = [
        Row(unwrap_bold(label), line, [
            parse_cell(text, uses_levels, marks, options.source_footnotes) for text in texts
        ])
        for label, line, texts in platforms
    ]  # fmt: skip
    return Table(header_line, orientation, uses_levels, corner, columns, rows)


def export_cell(cell, uses_levels, marks):
    """A cell as the table writes it: the canonical mark, the note with its line breaks."""
    note = cell.note.replace("\n", "<br>").replace("|", "\\|")
    if not uses_levels:
        return note
    if cell.level:
        return f"{CANONICAL_MARKS[cell.level]} {note}".strip()
    if marks.split(note):
        return "\\" + note  # a note that starts with a mark, not a level
    return note
