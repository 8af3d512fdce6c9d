"""Export → import into an empty database gives the same database state and the same pages,
for random content (Hypothesis): pages, both orientations, custom slugs, notes that begin with
marks or with "#", "1.", "+", ">", "|", notes of several lines or with outer spaces, reference
links and footnotes in cells, tables' legends, prose footnotes labelled as the export numbers
sources, empty cells, sources, drafts, platforms with aliases, emphasised labels, prose tables
that cannot be comparisons, and a database that already holds a platform of the export's name
under another slug (the slug was changed). The suite runs on SQLite and
again on PostgreSQL (DATABASE_URL), so this one test covers both."""

import datetime
import difflib
import os
import pprint

import pytest
from bs4 import BeautifulSoup
from django.test import Client
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from platforms.markdown_io import export_documents, import_documents
from platforms.models import (
    Capability,
    Cell,
    CellSource,
    ComparisonPage,
    ComparisonTable,
    Level,
    Platform,
    PlatformAlias,
    TableRow,
)
from sitecontent.page_cache import PAGES

# Real text: English, French, German, Spanish, CJK, emoji, typographic punctuation.
WORD_CHARACTERS = st.sampled_from(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    "éèàçüöäßñÉÜ日本語中文✅🚀🤝’“”–—….,:;!?()&%$€@'\"/=+-"
)
words = st.text(WORD_CHARACTERS, min_size=1, max_size=8)
line = st.lists(words, min_size=1, max_size=5).map(" ".join)
# One-line texts that are Markdown syntax when they start a block: a cell is never a block.
LEADS = ["", "", "", "#", "#1 in ", "1. ", "2004. ", "+ ", "- ", "> ", "| ", "✅ ", "❌", "🟡 ",
         "Yes ", "No, ", "⚠️ ", "✓ ", ":x: ", "🔶 ", "🛑"]  # fmt: skip
# A table's legend: the document's own symbols (notes may start with them) and their meanings.
LEGENDS = [[], [["🔶", "partial", "via a plugin"], ["🛑", "none", "not supported"]]]
note_line = st.builds(lambda lead, text: (lead + text).strip(), st.sampled_from(LEADS), line)
# Outer spaces, a reference link, a footnote defined in the page's closing text (c-note).
OUTER = st.sampled_from(["", "", " ", "  "])
CELL_FOOTNOTE = "[^c-note]: A note for cells."
note = st.builds(
    lambda before, lines, tail, after: before + "\n".join(lines) + tail + after,
    OUTER,
    st.lists(note_line, min_size=1, max_size=3),
    st.sampled_from(["", "", " [site][ref-a]", "[^c-note]", " ![logo](https://example.org/a.png)"]),
    OUTER,
)
paragraph = st.one_of(
    line,
    line.map(lambda text: f"- {text}\n- more {text}"),
    line.map(lambda text: f"#### {text}"),  # a sub-heading inside takeaways or an intro
    line.map(lambda text: f"{text}[^note-a]\n\n[^note-a]: Explained: {text}"),
    # A footnote whose label the export's sources' footnotes would take, beginning with a link.
    line.map(lambda text: f"{text}[^1]\n\n[^1]: [{text}](https://example.org/n) says so."),
    # A reference link defined in its own text, and one defined elsewhere.
    line.map(lambda text: f"See [{text}][ref-b].\n\n[ref-b]: https://example.org/b"),
    line.map(lambda text: f"Also [{text}][ref-a]."),
    # Tables that cannot be comparisons: repeated labels, a lone version row, no header.
    line.map(lambda text: f"| Tool | {text} |\n|---|---|\n| Same | a |\n| Same | b |"),
    line.map(lambda text: f"{text} | Edge\n--- | ---\n1.0 ✔ | ✔"),
    st.just("---"),
)
prose = st.lists(paragraph, min_size=1, max_size=3).map("\n\n".join)
optional_prose = st.one_of(st.just(""), prose)
optional_line = st.one_of(st.just(""), line)
slug = st.from_regex(r"[a-z][a-z0-9-]{0,12}", fullmatch=True)
day = st.dates(datetime.date(2020, 1, 1), datetime.date(2026, 12, 31))
moment = st.datetimes(datetime.datetime(2020, 1, 1), datetime.datetime(2030, 1, 1)).map(
    lambda value: value.replace(tzinfo=datetime.UTC)
)


@st.composite
def platforms(draw):
    count = draw(st.integers(1, 4))
    names = draw(st.lists(line, min_size=count * 2, max_size=count * 2, unique_by=str.casefold))
    slugs = draw(st.lists(slug, min_size=count, max_size=count, unique=True))
    return [
        {
            "name": names[i],
            "slug": slugs[i],
            "parent_company": draw(optional_line),
            "order": draw(st.integers(0, 50)),
            "aliases": draw(st.sampled_from([[], [names[count + i]]])),
        }
        for i in range(count)
    ]


@st.composite
def cell(draw, levelled):
    level = draw(st.sampled_from(["", *Level.values])) if levelled else ""
    text = draw(note) if level == Level.PARTIAL else draw(st.one_of(st.just(""), note))
    sources = draw(
        st.lists(
            st.tuples(slug.map(lambda s: f"https://example.org/{s}"), line, st.none() | day),
            max_size=2,
        )
    )
    if level == Level.PARTIAL and not text.strip():
        text = "partly"  # partial support needs words (the grid requires them too)
    return {
        "level": level,
        "note": text,
        "last_reviewed": draw(st.none() | day),
        "sources": sources,
    }


@st.composite
def table(draw, platform_slugs, position):
    levelled = draw(st.booleans())
    rows = draw(st.lists(st.sampled_from(platform_slugs), min_size=1, unique=True))
    columns = draw(st.integers(1, 3))
    return {
        "slug": f"t{position}-{draw(slug)}",
        "section_heading": draw(optional_line),
        "intro": draw(optional_prose),
        "title": draw(optional_line),
        "platform_column": draw(line),
        "orientation": draw(st.sampled_from(["rows", "columns"])),
        "uses_levels": levelled,
        "legend": draw(st.sampled_from(LEGENDS)),
        "takeaways_heading": draw(optional_line),
        "takeaways": draw(optional_prose),
        "columns": [
            {"name": draw(line), "slug": f"c{i}-{draw(slug)}", "description": draw(optional_prose)}
            for i in range(columns)
        ],
        "rows": [
            {
                "platform": platform_slug,
                "label": draw(st.one_of(optional_line, line.map(lambda t: f"**{t}**"))),
                "cells": [draw(cell(levelled)) for _ in range(columns)],
            }
            for platform_slug in rows
        ],
    }


@st.composite
def content(draw):
    register = draw(platforms())
    slugs = [entry["slug"] for entry in register]
    pages = [
        {
            "title": draw(line),
            "permalink": f"/page-{number}-{draw(slug)}/",
            "heading": draw(optional_line),
            "description": draw(optional_line),
            "intro": draw(optional_prose),
            "closing": "\n\n".join(filter(None, [draw(optional_prose), CELL_FOOTNOTE])),
            "order": draw(st.integers(0, 20)),
            "status": draw(st.sampled_from(["draft", "published"])),
            "publish_at": draw(moment),
            "tables": [draw(table(slugs, i)) for i in range(draw(st.integers(1, 2)))],
        }
        for number in range(draw(st.integers(1, 2)))
    ]
    return register, pages


def empty_database(stale_platform=None):
    """No pages and no platforms; or, as a freshly migrated database has, one platform of the
    export's name under an older slug (the export renamed it)."""
    ComparisonPage.objects.all().delete()
    Platform.objects.all().delete()
    if stale_platform:
        Platform.objects.create(name=stale_platform["name"], slug=f"{stale_platform['slug']}-old")


def build(register, pages):
    empty_database()
    by_slug = {}
    for entry in register:
        values = {k: v for k, v in entry.items() if k != "aliases"}
        platform = by_slug[entry["slug"]] = Platform.objects.create(**values)
        for alias in entry["aliases"]:
            PlatformAlias.objects.create(platform=platform, name=alias)
    for page_data in pages:
        values = {k: v for k, v in page_data.items() if k != "tables"}
        page = ComparisonPage.objects.create(**values)
        for order, table_data in enumerate(page_data["tables"]):
            values = {k: v for k, v in table_data.items() if k not in ("columns", "rows")}
            table = ComparisonTable.objects.create(page=page, order=order, **values)
            capabilities = [
                Capability.objects.create(table=table, order=i, **column)
                for i, column in enumerate(table_data["columns"])
            ]
            for order_, row_data in enumerate(table_data["rows"]):
                row = TableRow.objects.create(
                    table=table,
                    platform=by_slug[row_data["platform"]],
                    label=row_data["label"],
                    order=order_,
                )
                for capability, cell_data in zip(capabilities, row_data["cells"], strict=True):
                    values = {k: v for k, v in cell_data.items() if k != "sources"}
                    stored = Cell.objects.create(capability=capability, row=row, **values)
                    for i, (url, title, accessed) in enumerate(cell_data["sources"]):
                        CellSource.objects.create(
                            cell=stored, url=url, title=title, accessed=accessed, order=i
                        )


def state():
    """Every editable field of every model, by natural keys (no ids)."""
    register = [
        (p.name, p.slug, p.parent_company, p.order, sorted(a.name for a in p.aliases.all()))
        for p in Platform.objects.prefetch_related("aliases").order_by("slug")
    ]
    pages = []
    for page in ComparisonPage.objects.order_by("permalink"):
        tables = []
        for table in page.tables.all():
            columns = [(c.name, c.slug, c.description, c.order) for c in table.capabilities.all()]
            rows = []
            for row in table.rows.select_related("platform"):
                cells = []
                for capability in table.capabilities.all():
                    stored = Cell.objects.filter(row=row, capability=capability).first()
                    cells.append(
                        stored
                        and (
                            stored.level,
                            stored.note,
                            stored.last_reviewed,
                            [(s.url, s.title, s.accessed, s.order) for s in stored.sources.all()],
                        )
                    )
                rows.append((row.platform.slug, row.label, row.order, cells))
            tables.append((
                table.order, table.slug, table.section_heading, table.intro, table.title,
                table.platform_column, table.orientation, table.uses_levels, table.legend,
                table.takeaways_heading, table.takeaways, columns, rows,
            ))  # fmt: skip
        pages.append((
            page.title, page.permalink, page.heading, page.description, page.intro,
            page.closing, page.order, page.status, page.publish_at, tables,
        ))  # fmt: skip
    return register, pages


def differences(before, after):
    lines = difflib.unified_diff(
        pprint.pformat(before, width=100).split("\n"),
        pprint.pformat(after, width=100).split("\n"),
        lineterm="",
        n=2,
    )
    return "\n".join(lines)


def public_html(client):
    pages = {}
    for page in ComparisonPage.objects.all():
        PAGES.clear()
        main = BeautifulSoup(client.get(page.permalink).content, "lxml").main
        for stamp in main.select(".updated"):
            stamp.decompose()
        pages[page.permalink] = str(main)
    return pages


# As many examples as the Hypothesis profile says (tests/conftest.py): 300 in .ci/run, in two
# halves that pytest-xdist's workers run at once (the PostgreSQL pass's longest test otherwise).
@pytest.mark.parametrize("half", [1, 2])
@settings(
    max_examples=max(1, settings.default.max_examples // 2),
    deadline=None,
    print_blob=True,
    # ROUNDTRIP_SHRINK=0 reports the first failing example at once (shrinking can take minutes).
    phases=list(Phase) if os.environ.get("ROUNDTRIP_SHRINK", "1") == "1" else [Phase.generate],
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
@given(data=content())
def test_export_then_import_into_an_empty_database_is_exact(db, admin_user, half, data):
    client = Client()
    client.force_login(admin_user)
    build(*data)
    before, pages_before = state(), public_html(client)

    documents = [(name, text.encode()) for name, text in export_documents()]
    register, _pages = data
    empty_database(register[0] if register[0]["order"] % 2 else None)
    import_documents(documents)

    after = state()
    assert after == before, differences(before, after)
    assert public_html(client) == pages_before
    assert export_documents() == [(name, text.decode()) for name, text in documents]
    # Importing the export again into the database it came from changes nothing.
    assert not import_documents(documents).changed
