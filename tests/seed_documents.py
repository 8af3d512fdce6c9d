"""The seed documents read independently of the importer, for tests that check pages against
them: the encoding is repaired with a plain `encode("mac_roman").decode("utf-8")` when the whole
text round-trips, and the Markdown tables are read as pipe rows."""

import re
from collections import Counter
from dataclasses import dataclass, field

import yaml
from bs4 import BeautifulSoup
from django.utils.text import slugify

from tests.conftest import SEEDS_DIR, read_seed

MARKS = ("✅", "🟡", "❌", "❔")
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*$")
SEPARATOR_ROW = re.compile(r"^\|?[\s:|-]+\|?$")
LIST_MARKER = re.compile(r"^(?:[-*+]|\d+[.)])\s+")


def clean(markdown_text):
    """Visible text of one line of Markdown: bold markers dropped, whitespace normalised."""
    return normalise(markdown_text.replace("**", ""))


def normalise(text):
    return re.sub(r"\s+", " ", text).strip()


def split_pipes(line):
    line = line.strip()
    line = line.removeprefix("|")
    line = line.removesuffix("|")
    return [cell.strip() for cell in line.split("|")]


@dataclass
class SeedTable:
    caption: str
    header: list
    rows: list  # [(label, [cell markdown])]
    takeaway_heading: str = ""
    takeaway_lines: list = field(default_factory=list)

    @property
    def levelled(self):
        return all(cell.startswith(MARKS) for _label, cells in self.rows for cell in cells)


@dataclass
class SeedPage:
    name: str
    meta: dict
    headings: list
    tables: list
    prose_lines: list  # every line of text outside tables and headings


def parse_seed(path):
    text = read_seed(path).replace("\r\n", "\n")
    lines = text.split("\n")
    assert lines[0].strip() == "---", f"{path.name} has no front matter"
    end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
    meta = yaml.safe_load("\n".join(lines[1:end]))
    body = lines[end + 1 :]

    headings, tables, prose, last_heading = [], [], [], None
    index = 0
    while index < len(body):
        line = body[index].strip()
        if match := HEADING.match(line):
            last_heading = clean(match[2])
            headings.append(last_heading)
            if tables and not tables[-1].takeaway_heading:
                tables[-1].takeaway_heading = last_heading
        elif line.startswith("|"):
            block = []
            while index < len(body) and body[index].strip().startswith("|"):
                block.append(body[index])
                index += 1
            assert SEPARATOR_ROW.match(block[1].strip()), block[1]
            header = [clean(cell) for cell in split_pipes(block[0])]
            rows = []
            for row in block[2:]:
                cells = split_pipes(row)
                rows.append((clean(cells[0]), cells[1:]))
            tables.append(SeedTable(caption=last_heading, header=header, rows=rows))
            continue
        elif line and line != "---":
            text_line = clean(LIST_MARKER.sub("", line))
            prose.append(text_line)
            if tables and tables[-1].takeaway_heading == last_heading:
                tables[-1].takeaway_lines.append(text_line)
        index += 1
    return SeedPage(path.name, meta, headings, tables, prose)


def seed_pages():
    """The seed documents that are comparison pages: those with at least one table."""
    pages = [parse_seed(path) for path in sorted(SEEDS_DIR.glob("*.txt"))]
    return [page for page in pages if page.tables]


SEED_PAGES = seed_pages()
SEED_PAGE_IDS = [page.meta["permalink"] for page in SEED_PAGES]


def note_text(td):
    """The cell's note as shown: without the level mark, level label, source links, stale flag."""
    td = BeautifulSoup(str(td), "lxml").td
    for extra in td.select(".mark, .level-label, sup.fn, .stale"):
        extra.decompose()
    return normalise(td.get_text())


def distinctive_claim():
    """(word, permalink, row label, column name): a word found in exactly one seed cell note."""
    places, counts = {}, Counter()
    for seed in SEED_PAGES:
        for table in seed.tables:
            for label, cells in table.rows:
                for column, cell in zip(table.header[1:], cells, strict=True):
                    words = set(re.findall(r"[A-Za-z]{8,}", cell.lstrip("".join(MARKS))))
                    for word in words:
                        counts[word.lower()] += 1
                        places[word.lower()] = (seed.meta["permalink"], label, column)
    everywhere = " ".join(
        line for seed in SEED_PAGES for line in seed.prose_lines + seed.headings
    ).lower()
    word = sorted(w for w, n in counts.items() if n == 1 and w not in everywhere)[0]
    return (word, *places[word])


# --- claims, and what the exploring pages compute from them ------------------------------


LEVEL_OF_MARK = {"✅": "full", "🟡": "partial", "❌": "none", "❔": "unknown"}
POINTS = {"full": 2, "partial": 1}


def platform_slug(label):
    """The seeds name a platform before any parenthesis: "Google (YouTube)" is google."""
    return slugify(label.split("(")[0])


def seed_claims():
    """[(table caption, levelled, platform slug, row label, capability, level, text)]."""
    found = []
    for page in SEED_PAGES:
        for table in page.tables:
            for label, cells in table.rows:
                for capability, cell in zip(table.header[1:], cells, strict=True):
                    level, text = "", cell
                    if table.levelled:
                        mark, _, text = cell.partition(" ")
                        level = LEVEL_OF_MARK[mark]
                    found.append(
                        (table.caption, table.levelled, platform_slug(label), label,
                         capability, level, clean(text))
                    )  # fmt: skip
    return found


SEED_CLAIMS = seed_claims()


def needs_by_name(soup):
    return {
        normalise(label.get_text()): label.input["value"]
        for label in soup.main.select("form.choose-form label")
    }
