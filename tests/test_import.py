"""import_markdown: idempotent, updates in place, repairs mis-encoding, all or nothing on errors."""

import io
import re
import shutil

import pytest
import yaml
from bs4 import BeautifulSoup
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils.text import slugify

from platforms.markdown_io.text import repair_mojibake
from platforms.models import Capability, Cell, ComparisonPage, TableRow
from sitecontent.models import Article
from tests.conftest import SEEDS_DIR, read_seed

SEED_PATHS = sorted(SEEDS_DIR.glob("*.txt"))
MARKS = ("✅", "🟡", "❌", "❔")


def all_models():
    return [
        model
        for label in ("platforms", "sitecontent")
        for model in apps.get_app_config(label).get_models()
    ]


def model_counts():
    return {model._meta.label: model.objects.count() for model in all_models()}


def database_snapshot():
    """Every row of every content model (history included), field by field."""
    return {
        model._meta.label: list(model.objects.order_by("pk").values_list())
        for model in all_models()
    }


def without_history(counts):
    return {label: n for label, n in counts.items() if ".Historical" not in label}


def run_import(*paths, **options):
    out = io.StringIO()
    call_command("import_markdown", *map(str, paths), stdout=out, **options)
    return out.getvalue()


def front_matter(text):
    lines = text.split("\n")
    end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
    return yaml.safe_load("\n".join(lines[1:end]))


def document_label(path):
    """How a seed is named in the command's output: its permalink or its /blog/ address."""
    meta = front_matter(read_seed(path))
    return meta.get("permalink") or f"/blog/{slugify(meta['title'])}/"


def split_pipes(line):
    return [cell.strip() for cell in line.strip().removeprefix("|").removesuffix("|").split("|")]


def levelled_seed():
    """The correctly encoded seed with a table whose cells start with level marks."""
    for path in SEED_PATHS:
        text = path.read_text("utf-8")
        if read_seed(path) != text:
            continue
        rows = [line for line in text.split("\n") if line.strip().startswith("|")]
        if any(cell.startswith(MARKS) for row in rows[2:] for cell in split_pipes(row)[1:]):
            return path
    raise AssertionError("no seed has a levelled table")


def table_row_indexes(lines):
    """0-based indexes of the data rows (not header or separator) of the first table."""
    first = next(i for i, line in enumerate(lines) if line.strip().startswith("|"))
    end = first
    while end < len(lines) and lines[end].strip().startswith("|"):
        end += 1
    return list(range(first + 2, end))


def header_of_first_table(lines):
    first = next(i for i, line in enumerate(lines) if line.strip().startswith("|"))
    return [cell.replace("**", "").strip() for cell in split_pipes(lines[first])]


def join_pipes(cells):
    return "| " + " | ".join(cells) + " |"


def edit_first_cell(lines, suffix=" (edited in a test)"):
    """Change the note of the first cell of the first table; return (platform label, column,
    new note as the page shows it)."""
    index = table_row_indexes(lines)[0]
    cells = split_pipes(lines[index])
    cells[1] = cells[1] + suffix
    lines[index] = join_pipes(cells)
    label = cells[0].replace("**", "").strip()
    column = header_of_first_table(lines)[1]
    note = cells[1].split(None, 1)[1] if cells[1].startswith(MARKS) else cells[1]
    return label, column, note


def cell_at(label, column):
    permalink = front_matter(read_seed(levelled_seed()))["permalink"]
    row = TableRow.objects.get(
        label=label, table__page__permalink=permalink, table__capabilities__name=column
    )
    capability = Capability.objects.get(table=row.table, name=column)
    return Cell.objects.get(capability=capability, row=row)


def page_text(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return " ".join(BeautifulSoup(response.content, "lxml").get_text().split())


def line_is_named(message, path, line):
    """The error names the file and, apart from the file's name, the line number."""
    if path.name not in message:
        return False
    rest = message.replace(str(path), "").replace(path.name, "")
    return re.search(rf"(?<!\d){line}(?!\d)", rest) is not None


# --- Idempotence and updates ----------------------------------------------------------------


def test_importing_the_seeds_twice_changes_nothing(db):
    first = run_import(SEEDS_DIR)
    counts = model_counts()
    snapshot = database_snapshot()
    assert ComparisonPage.objects.exists() and Article.objects.exists()

    second = run_import(SEEDS_DIR)

    assert model_counts() == counts
    assert database_snapshot() == snapshot
    for path in SEED_PATHS:
        label = document_label(path)
        [line] = [line for line in second.splitlines() if label in line]
        assert "unchanged" in line, line
        [line] = [line for line in first.splitlines() if label in line]
        assert "created" in line, line


def test_output_names_each_document_and_what_happened(db, tmp_path):
    for path in SEED_PATHS:
        shutil.copy(path, tmp_path / path.name)
    run_import(tmp_path)
    edited = levelled_seed()
    lines = (tmp_path / edited.name).read_text("utf-8").split("\n")
    edit_first_cell(lines)
    (tmp_path / edited.name).write_text("\n".join(lines), "utf-8")

    output = run_import(tmp_path)

    for path in SEED_PATHS:
        [line] = [line for line in output.splitlines() if document_label(path) in line]
        expected = "updated" if path.name == edited.name else "unchanged"
        others = {"created", "updated", "unchanged"} - {expected}
        assert expected in line, line
        assert not any(word in line for word in others), line


def test_an_edited_cell_is_updated_in_place(db, tmp_path, client):
    run_import(SEEDS_DIR)
    source = levelled_seed()
    lines = source.read_text("utf-8").split("\n")
    label, column, new_note = edit_first_cell(lines)
    cell_before = cell_at(label, column)
    counts = model_counts()
    (tmp_path / source.name).write_text("\n".join(lines), "utf-8")
    permalink = front_matter(read_seed(source))["permalink"]
    assert new_note not in page_text(client, permalink)  # the page is viewed (and cached)

    output = run_import(tmp_path / source.name)

    cell = cell_at(label, column)
    assert cell.pk == cell_before.pk
    assert cell.note == new_note != cell_before.note
    # No duplicate pages, tables, capabilities, rows, cells or platforms.
    assert without_history(model_counts()) == without_history(counts)
    assert "updated" in output
    # Visitors see the edit at once.
    assert new_note in page_text(client, permalink)


# --- Mis-encoding ---------------------------------------------------------------------------


def mis_encoded_seed():
    [path] = [path for path in SEED_PATHS if read_seed(path) != path.read_text("utf-8")]
    return path


def test_repair_fixes_the_mis_encoded_seed():
    path = mis_encoded_seed()
    raw = path.read_text("utf-8")
    assert "‚úÖ" in raw
    repaired = repair_mojibake(raw)
    assert "✅" in repaired
    assert "‚úÖ" not in repaired
    assert repaired == raw.encode("mac_roman").decode("utf-8")


@pytest.mark.parametrize(
    "path", [p for p in SEED_PATHS if read_seed(p) == p.read_text("utf-8")], ids=lambda p: p.name
)
def test_repair_leaves_correct_seeds_alone(path):
    text = path.read_text("utf-8")
    assert repair_mojibake(text) == text


@pytest.mark.parametrize(
    "text",
    [
        "A café in Zürich, see § 3.",
        "Ça coûte 5 € — “vraiment” ?",
        "Straße, naïve, Øresund, ÆØÅ, ¿Qué?",
        "✅ 🟡 ❌ 🤝 → – ’",
    ],
)
def test_repair_leaves_correct_text_alone(text):
    assert repair_mojibake(text) == text


# --- Bad input: all or nothing --------------------------------------------------------------


def levelled_lines():
    return levelled_seed().read_text("utf-8").split("\n")


def too_many_cells(lines):
    # A row shorter than the header is padded (GitHub Flavored Markdown does); a longer one is
    # an error.
    index = table_row_indexes(lines)[-1]
    lines[index] = join_pipes([*split_pipes(lines[index]), "one cell too many"])
    return index + 1


def impossible_date(lines):
    lines.insert(2, "date: 2025-02-30")
    return 3


def broken_front_matter(lines):
    lines.insert(2, "summary: one: two")  # "mapping values are not allowed here"
    return 3


def permalink_without_slashes(lines):
    index = next(i for i, line in enumerate(lines) if line.startswith("permalink:"))
    value = lines[index].split(":", 1)[1].strip()
    lines[index] = "permalink: " + value.strip("/")
    return index + 1


BAD_TEXT = {
    "a row longer than the header": too_many_cells,
    "an impossible date": impossible_date,
    "broken YAML front matter": broken_front_matter,
    "permalink without slashes": permalink_without_slashes,
}


def write_bad_text(tmp_path, breaker):
    """A copy of the levelled seed with a valid edit near the top and one error; (path, line,
    (label, column) of the validly edited cell)."""
    lines = levelled_lines()
    edited = edit_first_cell(lines)[:2]
    line = breaker(lines)
    path = tmp_path / levelled_seed().name
    path.write_text("\n".join(lines), "utf-8")
    return path, line, edited


def write_undecodable(tmp_path):
    lines = levelled_lines()
    edited = edit_first_cell(lines)[:2]
    index = table_row_indexes(lines)[-1]
    data = "\n".join(lines).encode("utf-8")
    start = sum(len(line.encode("utf-8")) + 1 for line in lines[:index])
    data = data[: start + 2] + b"\xff\xfe\x80" + data[start + 2 :]
    path = tmp_path / levelled_seed().name
    path.write_bytes(data)
    return path, index + 1, edited


def write_nul_bytes(tmp_path):
    lines = levelled_lines()
    edited = edit_first_cell(lines)[:2]
    index = table_row_indexes(lines)[-1]
    lines[index] = lines[index][:2] + "\x00\x00" + lines[index][2:]
    path = tmp_path / levelled_seed().name
    path.write_text("\n".join(lines), "utf-8")
    return path, index + 1, edited


BAD_FILES = {
    **{name: (lambda tmp, b=breaker: write_bad_text(tmp, b)) for name, breaker in BAD_TEXT.items()},
    "invalid UTF-8": write_undecodable,
    "NUL bytes": write_nul_bytes,
}


@pytest.mark.parametrize("make_bad_file", BAD_FILES.values(), ids=BAD_FILES.keys())
def test_a_bad_document_is_refused_and_changes_nothing(seeded, tmp_path, make_bad_file):
    path, _line, (label, column) = make_bad_file(tmp_path)
    snapshot = database_snapshot()
    note = cell_at(label, column).note

    with pytest.raises(CommandError) as error:
        run_import(path)

    assert path.name in str(error.value)
    # The valid edit above the error was not applied either.
    assert cell_at(label, column).note == note
    assert database_snapshot() == snapshot


@pytest.mark.parametrize("make_bad_file", BAD_FILES.values(), ids=BAD_FILES.keys())
def test_the_error_names_the_file_and_the_line(seeded, tmp_path, make_bad_file):
    path, line, _edited = make_bad_file(tmp_path)
    with pytest.raises(CommandError) as error:
        run_import(path)
    assert line_is_named(str(error.value), path, line), str(error.value)


@pytest.mark.parametrize("make_bad_file", BAD_FILES.values(), ids=BAD_FILES.keys())
def test_good_documents_are_not_imported_with_a_bad_one(seeded, tmp_path, make_bad_file):
    good = tmp_path / "good"
    good.mkdir()
    new_article = good / "000_new_article.md"
    new_article.write_text(
        "---\ntitle: A new article from a test\nauthor: Test Author\n"
        "publish_date: 2025-03-01\n---\n\nIts body.\n",
        "utf-8",
    )
    new_page = good / "001_new_page.md"
    new_page.write_text(
        "---\ntitle: A new page from a test\npermalink: /New-Test-Page/\n---\n\n"
        "### Table\n\n| Platform | Feature |\n|---|---|\n| Facebook | yes |\n",
        "utf-8",
    )
    bad = tmp_path / "bad"
    bad.mkdir()
    path, _line, _edited = make_bad_file(bad)
    counts, snapshot = model_counts(), database_snapshot()

    with pytest.raises(CommandError) as error:
        run_import(new_article, new_page, path)

    assert path.name in str(error.value)
    assert not Article.objects.filter(title="A new article from a test").exists()
    assert not ComparisonPage.objects.filter(permalink="/New-Test-Page/").exists()
    assert model_counts() == counts
    assert database_snapshot() == snapshot
    # The same good documents on their own are importable: the bad one alone stopped them.
    run_import(new_article, new_page)
    assert Article.objects.filter(title="A new article from a test").exists()
    assert ComparisonPage.objects.filter(permalink="/New-Test-Page/").exists()


# --- Dry run --------------------------------------------------------------------------------


def test_dry_run_writes_nothing_on_an_empty_database(db):
    snapshot = database_snapshot()
    output = run_import(SEEDS_DIR, dry_run=True)
    assert database_snapshot() == snapshot
    for path in SEED_PATHS:
        [line] = [line for line in output.splitlines() if document_label(path) in line]
        assert "created" in line


def test_dry_run_reports_an_edit_without_writing_it(seeded, tmp_path):
    source = levelled_seed()
    lines = source.read_text("utf-8").split("\n")
    label, column, new_note = edit_first_cell(lines)
    (tmp_path / source.name).write_text("\n".join(lines), "utf-8")
    snapshot = database_snapshot()

    output = run_import(tmp_path / source.name, dry_run=True)

    assert database_snapshot() == snapshot
    assert cell_at(label, column).note != new_note
    assert "updated" in output
    assert new_note in output  # field by field: the new value is shown


@pytest.mark.parametrize("text", ["l’été", "“École”", "—à la", "«écrire»", "Zürich — § 3 · café"])
def test_correct_french_and_german_text_is_not_repaired(text):
    from platforms.markdown_io.text import repair_mojibake

    assert repair_mojibake(text) == text


def test_a_javascript_source_url_is_refused(db, tmp_path):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    document = tmp_path / "js.md"
    document.write_text(
        "---\ntitle: Js\npermalink: /Js/\n---\n\n### T\n\n| Platform | A |\n|---|---|\n"
        "| Facebook | x [^1] |\n\n[^1]: [click](javascript:alert%281%29)\n"
    )
    with pytest.raises(CommandError, match="http"):
        call_command("import_markdown", str(document), verbosity=0)


def test_an_article_may_use_markdown_footnotes(db, tmp_path):
    from django.core.management import call_command

    from sitecontent.models import Article

    document = tmp_path / "notes.md"
    document.write_text(
        "---\ntitle: Notes\nauthor: Ann\n---\n\nA claim.[^1]\n\n[^1]: See the annual report.\n"
    )
    call_command("import_markdown", str(document), verbosity=0)
    assert "[^1]: See the annual report." in Article.objects.get(slug="notes").body


BAD_REGISTERS = {
    "broken YAML": ("- name: Mastodon\n  slug: [mastodon\n", "broken YAML"),
    "not a list": ("name: Mastodon\n", "a list of platforms"),
    "no name": ("- slug: mastodon\n", "platform 1 name"),
    "bad slug": ("- name: Mastodon\n  slug: masto don\n", "platform 1 slug"),
    "negative order": ("- name: Mastodon\n  slug: mastodon\n  order: -1\n", "whole number"),
    "long alias": (f"- name: Mastodon\n  slug: mastodon\n  aliases: [{'M' * 101}]\n", "alias"),
}


@pytest.mark.parametrize(("text", "says"), BAD_REGISTERS.values(), ids=BAD_REGISTERS.keys())
def test_a_bad_platform_register_is_refused_with_its_reason_and_changes_nothing(
    seeded, tmp_path, text, says
):
    """A register that would store a platform the admin would refuse names the file and the
    entry, and nothing of the import (the register or the documents beside it) is written."""
    (tmp_path / "platforms.yaml").write_text(text, "utf-8")
    lines = levelled_lines()
    edit_first_cell(lines)
    (tmp_path / levelled_seed().name).write_text("\n".join(lines), "utf-8")
    snapshot = database_snapshot()
    with pytest.raises(CommandError) as error:
        run_import(tmp_path)
    assert "platforms.yaml" in str(error.value) and says in str(error.value)
    assert database_snapshot() == snapshot
