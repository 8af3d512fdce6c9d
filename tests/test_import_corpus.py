"""Real comparison documents from other projects (tests/corpus/, each with a .source note naming
its repository, commit and licence) import as published: every cell's text is on the page, and
no feature becomes a platform. The documents are read here with a plain pipe-row reader,
independently of the importer."""

import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from platforms.markdown_io import import_documents
from platforms.models import ComparisonPage, Platform

CORPUS = Path(__file__).resolve().parent / "corpus"
DOCUMENTS = sorted(p for p in CORPUS.iterdir() if p.suffix != ".source")
SEPARATOR = re.compile(r"^\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$")
# Marks and level words a cell may start with; the page shows a level (mark and label) instead.
# A mark may be followed at once by a note in parentheses or brackets: "✔️(when locked)", "❌[#306]".
LEADING_MARK = re.compile(r"^(✅|❌|❔|✔️|❓|❕✔️|\?|Yes|No|Partial|Limited)(?=\s|$|\(|\[)\s*")
REMARKS = {"Notes", "Comments", "Remarks"}
# What each document compares: its features are never platforms.
FEATURES = {
    "ai-coding-assistants-bapxcoder.md": ["Web Search", "Code Editing", "Pricing", "Privacy"],
    "window-features-winit.md": ["Window resizing", "Fullscreen", "Touch events", "Cursor icon"],
    "markdown-support-rnr-docs.md": ["Headings", "Paragraphs", "Tables", "HTML"],
    "markdown-variants-marco.md": ["Tables", "Task Lists", "Footnotes", "Auto-links"],
    "package-managers-nzkelvin.markdown": ["Ecosystem", "Primary Use", "Integration"],
    "language-support-flatbuffers.md": ["JSON parsing", "Reflection", "Buffer verifier"],
}


def test_the_corpus_has_five_documents_with_their_sources():
    assert len(DOCUMENTS) >= 5
    for path in DOCUMENTS:
        source = (CORPUS / f"{path.name}.source").read_text("utf-8")
        assert "repository:" in source and "commit:" in source and "licence:" in source


def pipe_tables(text):
    """[[cells of each row]] of every pipe table, header first."""
    lines, tables, index = text.split("\n"), [], 0
    while index < len(lines) - 1:
        if "|" in lines[index] and SEPARATOR.match(lines[index + 1]):
            rows, index = [lines[index]], index + 2
            while index < len(lines) and "|" in lines[index]:
                rows.append(lines[index])
                index += 1
            tables.append([split_cells(row) for row in rows])
        index += 1
    return tables


def split_cells(row):
    row = row.strip()
    row = row[1:] if row.startswith("|") else row
    row = row[:-1] if row.endswith("|") and not row.endswith("\\|") else row
    return [cell.strip() for cell in re.split(r"(?<!\\)\|", row)]


def visible(markdown_cell, defined=()):
    """The words a reader sees in a cell: no bold or strikethrough markers, link text only
    (of inline and reference links), code as text."""
    parts = LEADING_MARK.sub("", markdown_cell.replace("\\|", "|")).split("`")
    for index in range(0, len(parts), 2):  # outside code spans
        part = parts[index].replace("**", "").replace("~~", "")
        part = re.sub(r"(?<!!)\[([^\]]*)\](?:\([^)]*\)|\[[^\]]*\])", r"\1", part)
        parts[index] = re.sub(
            r"(?<!!)\[([^\]]*)\]", lambda m: m[1] if m[1].lower() in defined else m[0], part
        )
    text = "".join(parts)
    return " ".join(LEADING_MARK.sub("", text).split())


@pytest.mark.parametrize("path", DOCUMENTS, ids=[p.name for p in DOCUMENTS])
def test_a_real_document_imports_as_published(db, client, path):
    known_before = set(Platform.objects.values_list("name", flat=True))
    import_documents([(path.name, path.read_bytes())])
    page = ComparisonPage.objects.get()
    page.status, page.publish_at = "published", page.publish_at.replace(year=2000)
    page.save()
    response = client.get(page.permalink)
    assert response.status_code == 200
    shown = " ".join(BeautifulSoup(response.content, "html.parser").main.get_text().split())

    text = path.read_text("utf-8")
    cells = [cell for table in pipe_tables(text) for row in table for cell in row]
    defined = {label.lower() for label in re.findall(r"(?m)^ {0,3}\[([^\]^]+)\]:", text)}
    assert cells
    # A column of remarks beside products is no product: its heading is not shown, its
    # text describes each feature.
    missing = [
        cell
        for cell in cells
        if (seen := visible(cell, defined)) and seen not in shown and seen not in REMARKS
    ]
    assert not missing

    new_platforms = set(Platform.objects.values_list("name", flat=True)) - known_before
    assert new_platforms
    assert not new_platforms & set(FEATURES[path.name])
    assert not new_platforms & REMARKS
