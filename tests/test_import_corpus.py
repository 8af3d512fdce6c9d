"""Real comparison documents from other projects (tests/corpus/, each with a .source note naming
its repository, commit and licence) import as published: every cell's text is on the page, and
no feature becomes a platform. The documents are read here with a plain pipe-row reader,
independently of the importer."""

import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from markdown_it import MarkdownIt

from platforms.markdown_io import export_documents, import_documents
from platforms.models import ComparisonPage, Platform

CORPUS = Path(__file__).resolve().parent / "corpus"
DOCUMENTS = sorted(p for p in CORPUS.iterdir() if p.suffix != ".source")
SEPARATOR = re.compile(r"^\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$")
# Marks and level words a cell may start with; the page shows a level (mark and label) instead.
# A mark may be followed at once by a note in parentheses or brackets: "✔️(when locked)", "❌[#306]".
# The documents' legends' own marks (▢ 🛑 🔶 🧩) are shown as marks too.
LEADING_MARK = re.compile(
    r"^(?:✅|❌|❔|🟡|✔️|❓|❕✔️|▢|🛑|🔶|🧩|(?:\?|Yes|No|Partial|Limited)(?=\s|$|\(|\[))\s*"
)
REMARKS = {"Note", "Notes", "Comments", "Remarks"}
MARKDOWN = MarkdownIt("gfm-like")
# What each document compares: its features are never platforms.
FEATURES = {
    "ai-coding-assistants-bapxcoder.md": ["Web Search", "Code Editing", "Pricing", "Privacy"],
    "window-features-winit.md": ["Window resizing", "Fullscreen", "Touch events", "Cursor icon"],
    "markdown-support-rnr-docs.md": ["Headings", "Paragraphs", "Tables", "HTML"],
    "markdown-variants-marco.md": ["Tables", "Task Lists", "Footnotes", "Auto-links"],
    "package-managers-nzkelvin.markdown": ["Ecosystem", "Primary Use", "Integration"],
    "language-support-flatbuffers.md": ["JSON parsing", "Reflection", "Buffer verifier"],
    "query-libraries-tanstack.md": ["Queries", "Devtools", "Selectors", "Bundle Size"],
    "platform-tiers-cuprate.md": ["Official builds", "Manual testing"],
    "hypermedia-libraries-nomini.md": ["Main Purpose", "Reactivity Model", "Templating", "AJAX"],
}
# What a reader must never see: a reference link, image or footnote left unresolved.
UNRESOLVED = re.compile(r"\[[^\]\n]*\]\[[^\]\n]*\]|!\[[^\]\n]*\]|\[\^[^\]\s]+\]")


def test_the_corpus_has_seventeen_documents_with_their_sources():
    assert len(DOCUMENTS) >= 17
    openings = {path.read_text("utf-8").split("\n", 1)[0] for path in DOCUMENTS}
    assert {"---", "+++"} <= openings  # YAML and TOML front matter (Hugo, Zola) both occur
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


def visible(markdown_cell, env):
    """The words a reader sees in a cell, as plain markdown-it renders it with the document's
    link definitions (images show no words), without a leading mark or footnote links."""
    cell = re.sub(r"(?<!`)\[\^[^\]\s]+\](?!`)", "", markdown_cell)  # a footnote's own number
    html = MARKDOWN.renderInline(cell.replace("\\|", "|"), dict(env))
    text = " ".join(BeautifulSoup(html, "lxml").get_text().split())
    return LEADING_MARK.sub("", text)


# One import per document serves both promises (importing takes most of the time): it is
# exported before the page is published, and that export is imported back at the end.
@pytest.mark.parametrize("path", DOCUMENTS, ids=[p.name for p in DOCUMENTS])
def test_a_real_document_imports_as_published_and_exports_and_imports_back_identically(
    db, client, path
):
    known_before = set(Platform.objects.values_list("name", flat=True))
    import_documents([(path.name, path.read_bytes())])
    first = export_documents()
    page = ComparisonPage.objects.get()
    page.status, page.publish_at = "published", page.publish_at.replace(year=2000)
    page.save()
    response = client.get(page.permalink)
    assert response.status_code == 200
    main = BeautifulSoup(response.content, "lxml").main  # parsed once: a big page
    shown = " ".join(main.get_text().split())

    text = path.read_text("utf-8")
    text = re.sub(r"\A(---|\+\+\+)\n.*?\n\1\n", "", text, flags=re.DOTALL)  # front matter
    env = {}
    MARKDOWN.parse(text, env)  # the document's link definitions
    cells = [cell for table in pipe_tables(text) for row in table for cell in row]
    assert cells
    # A column of remarks beside products is no product: its heading is not shown, its
    # text describes each feature.
    missing = [
        cell
        for cell in cells
        if (seen := visible(cell, env)) and seen not in shown and seen not in REMARKS
    ]
    assert not missing

    # Footnotes, cells' ones included, show their text.
    footnotes = re.findall(r"(?m)^\[\^[^\]\s]+\]:[ \t]*(.+)$", text)
    assert not [note for note in footnotes if visible(note, env) not in shown]
    for code in main.select("code"):  # code shows Markdown as written
        code.decompose()
    unresolved = UNRESOLVED.search(main.get_text())
    assert not unresolved, unresolved[0]

    new_platforms = set(Platform.objects.values_list("name", flat=True)) - known_before
    assert not new_platforms & set(FEATURES.get(path.name, []))
    assert not new_platforms & REMARKS
    # No platform is named after markup, nor after a cell of claims (unless it is a label
    # too: a header cell, or a first-column cell, of some table).
    claims, labels = set(), set()
    for table in pipe_tables(text):
        claims |= {visible(cell, env) for row in table[1:] for cell in row[1:]}
        labels |= {visible(cell, env) for cell in table[0][1:] + [row[0] for row in table[1:]]}
    assert not (new_platforms & claims) - labels
    assert not [name for name in new_platforms if name[:1] in "[!*<|`"]

    # Exported (as first imported) and imported back into an empty site: the same export.
    ComparisonPage.objects.all().delete()
    Platform.objects.all().delete()
    import_documents([(name, text.encode()) for name, text in first])
    assert export_documents() == first
