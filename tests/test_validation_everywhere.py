"""One validation for every way in (issue 15): the grid, the admin's forms and the importer hold
a source's URL and title, a note and a column's name to the same rules, the model's own, so
that what one of them saves the others save again and the site's export imports again."""

import datetime
from importlib import import_module

import pytest
from bs4 import BeautifulSoup
from django.apps import apps
from django.core.exceptions import ValidationError
from django.urls import reverse

from platforms.markdown_io import DocumentError, export_documents, import_documents
from platforms.models import Capability, Cell, CellSource, ComparisonPage, ComparisonTable

from .conftest import form_fields, grid_post_data

FRONT = "---\ntitle: Rules\npermalink: /Rules/\npublish_date: 2020-01-01\n---\n\n### T\n\n"
NOTE_LIMIT = 2000
# Addresses a browser takes but the export's [title](<url>) or the grid's "URL | title | date"
# cannot carry (and an FTP address, which no way in took until now but the admin).
UNCARRIABLE_URLS = [
    "https://example.org/a>b",
    "https://example.org/a<b",
    'https://example.org/"quoted"',
    "https://example.org/a|b",
    "https://example.org/a\\b",
    "https://example.org/{x}",
    "ftp://example.org/file",
]


def document(table, footnotes="", name="rules.md"):
    return (name, (FRONT + table + "\n" + footnotes).encode())


def import_note(note):
    return import_documents([document(f"| Platform | Bots |\n|---|---|\n| Telegram | {note} |\n")])


@pytest.fixture
def table(seeded):
    return ComparisonTable.objects.get(page__permalink="/Personalized-Engagement/")


@pytest.fixture
def cell(table):
    return Cell.objects.filter(capability__table=table).order_by("pk").first()


def grid_url(table):
    return reverse("admin:platforms_comparisontable_grid", args=[table.pk])


def save_grid(client, table, changes):
    """The grid as loaded, with `changes`, posted: the response."""
    return client.post(grid_url(table), {**grid_post_data(table, client), **changes})


def prefix_of(cell):
    return f"cell-{cell.capability_id}-{cell.row_id}"


def cell_error(response, cell):
    """The problem the grid shows beside the cell (the page answers 200: nothing saved)."""
    assert response.status_code == 200
    soup = BeautifulSoup(response.content, "lxml")
    box = soup.select_one(f"td#{prefix_of(cell)} .errornote")
    return box.get_text(" ", strip=True) if box else ""


def save_cell_in_admin(client, cell, changes):
    url = reverse("admin:platforms_cell_change", args=[cell.pk])
    data = form_fields(client.get(url).content, "#content-main form")
    return client.post(url, {**data, **changes})


def sources_after_export_and_import():
    documents = [(name, text.encode()) for name, text in export_documents()]
    ComparisonPage.objects.all().delete()
    import_documents(documents)
    return sorted((s.url, s.title, s.accessed) for s in CellSource.objects.all())


# --- A source's URL: one rule (platforms.validators.validate_source_url) -----------------------


# (In the grid "|" ends the URL: "https://example.org/a|b" is a URL and a title there.)
@pytest.mark.parametrize("url", [url for url in UNCARRIABLE_URLS if "|" not in url])
def test_a_url_the_export_could_not_carry_is_refused_by_the_grid(table, cell, staff_client, url):
    response = save_grid(staff_client, table, {f"{prefix_of(cell)}-sources": f"{url} | Help"})
    assert "Source line 1, URL:" in cell_error(response, cell)
    assert not CellSource.objects.exists()


@pytest.mark.parametrize("url", UNCARRIABLE_URLS)
def test_a_url_the_export_could_not_carry_is_refused_by_the_admin(cell, staff_client, url):
    response = save_cell_in_admin(
        staff_client, cell, {"sources-0-url": url, "sources-0-title": "Help"}
    )
    assert response.status_code == 200
    assert BeautifulSoup(response.content, "lxml").select(".errorlist")
    assert not CellSource.objects.exists()


@pytest.mark.parametrize("url", ["https://example.org/a>b", "ftp://example.org/file"])
def test_a_url_the_admin_refuses_is_an_import_error_with_its_line(db, url):
    table = "| Platform | Bots |\n|---|---|\n| Telegram | Yes [^1] |\n"
    with pytest.raises(DocumentError, match=r"^rules\.md:13: source url: "):
        import_documents([document(table, f"[^1]: [Help]({url})\n")])
    assert not ComparisonPage.objects.exists()


def test_the_refusal_says_how_to_write_the_character(table, cell, staff_client):
    response = save_grid(
        staff_client, table, {f"{prefix_of(cell)}-sources": "https://example.org/a>b"}
    )
    assert "“>” as %3E" in cell_error(response, cell)


def test_an_over_long_url_is_refused_by_the_grid_not_a_server_error(table, cell, staff_client):
    url = "https://example.org/" + "a" * 500
    response = save_grid(staff_client, table, {f"{prefix_of(cell)}-sources": url})
    assert "at most 500 characters" in cell_error(response, cell)
    assert not CellSource.objects.exists()


def test_what_the_grid_saves_the_export_imports_again_exactly(table, cell, staff_client):
    lines = [
        "https://example.org/a%3Eb | Encoded, as the refusal asks | 2025-05-30",
        "https://fr.wikipedia.org/wiki/Café_(film) | Café (film) [French]",
        "https://example.org/search?q=a&b=c;d#part | Privacy Policy | Meta | 2025-01-02",
        "https://example.org/terms | Terms | Meta",
        "https://example.org/report | Report | 2024 |",
    ]
    response = save_grid(staff_client, table, {f"{prefix_of(cell)}-sources": "\n".join(lines)})
    assert response.status_code == 302, cell_error(response, cell)
    saved = sorted((s.url, s.title, s.accessed) for s in CellSource.objects.all())
    assert saved == sorted([
        ("https://example.org/a%3Eb", "Encoded, as the refusal asks", datetime.date(2025, 5, 30)),
        ("https://fr.wikipedia.org/wiki/Café_(film)", "Café (film) [French]", None),
        ("https://example.org/search?q=a&b=c;d#part", "Privacy Policy | Meta",
         datetime.date(2025, 1, 2)),
        ("https://example.org/terms", "Terms | Meta", None),
        ("https://example.org/report", "Report | 2024", None),
    ])  # fmt: skip
    assert sources_after_export_and_import() == saved


def test_a_title_with_a_bar_from_an_import_does_not_block_the_grid(db, staff_client):
    table = "| Platform | Bots |\n|---|---|\n| Telegram | Yes [^1] |\n"
    footnote = "[^1]: [Privacy Policy | Telegram](https://telegram.org/privacy)\n"
    import_documents([document(table, footnote)])
    imported = ComparisonTable.objects.get(page__permalink="/Rules/")
    cell = Cell.objects.get(capability__table=imported)
    changed = save_grid(staff_client, imported, {f"{prefix_of(cell)}-note": "Bots API"})
    assert changed.status_code == 302, cell_error(changed, cell)
    source = cell.sources.get()
    assert source.title == "Privacy Policy | Telegram"


def test_an_over_long_source_title_is_refused_by_the_grid_not_cut(table, cell, staff_client):
    line = f"https://example.org/help | {'T' * 301}"
    response = save_grid(staff_client, table, {f"{prefix_of(cell)}-sources": line})
    assert "Source line 1, title:" in cell_error(response, cell)
    assert not CellSource.objects.exists()


def test_stored_urls_the_rule_refuses_are_percent_encoded_by_the_migration(cell):
    # Saved before the rule, when the grid let them through (objects.create does not validate).
    source = CellSource.objects.create(cell=cell, url="https://example.org/a>b c|d")
    migration = import_module("platforms.migrations.0011_source_url_and_note_rules")
    migration.percent_encode_stored_urls(apps, None)
    source.refresh_from_db()
    assert source.url == "https://example.org/a%3Eb%20c%7Cd"
    assert {r.url for r in CellSource.history.filter(id=source.id)} == {source.url}
    assert sources_after_export_and_import() == [(source.url, "", None)]


# --- A note: one limit, the model's -------------------------------------------------------------


def test_an_import_refuses_a_note_the_grid_would_refuse_with_its_line(db):
    with pytest.raises(DocumentError, match=r"^rules\.md:11: cell note: .*at most 2000"):
        import_note("x" * 50_000)
    assert not ComparisonPage.objects.exists()


def test_a_note_at_the_limit_is_imported_and_the_grid_saves_it_again(db, staff_client):
    import_note("x" * NOTE_LIMIT)
    table = ComparisonTable.objects.get(page__permalink="/Rules/")
    capability = table.capabilities.get()
    response = save_grid(staff_client, table, {f"col-{capability.pk}-name": "Bot platform"})
    assert response.status_code == 302
    assert Capability.objects.get().name == "Bot platform"
    assert Cell.objects.get().note == "x" * NOTE_LIMIT


def test_the_admin_refuses_a_note_over_the_limit(cell, staff_client):
    response = save_cell_in_admin(staff_client, cell, {"note": "x" * (NOTE_LIMIT + 1)})
    assert response.status_code == 200
    assert f"at most {NOTE_LIMIT} characters" in response.content.decode()
    cell.refresh_from_db()
    assert len(cell.note) < NOTE_LIMIT


def test_the_grid_refuses_a_note_over_the_limit(table, cell, staff_client):
    response = save_grid(staff_client, table, {f"{prefix_of(cell)}-note": "x" * (NOTE_LIMIT + 1)})
    assert f"at most {NOTE_LIMIT} characters" in cell_error(response, cell)


# --- Headers --------------------------------------------------------------------------------


def test_an_import_refuses_a_column_without_a_name_the_grid_would_refuse(db):
    with pytest.raises(DocumentError, match=r"^rules\.md:9: column name: "):
        import_documents([document("| Platform | | Bots |\n|---|---|---|\n| Telegram | a | b |\n")])
    assert not ComparisonPage.objects.exists()


def test_an_imported_table_with_an_empty_corner_saves_in_the_admin(db, staff_client):
    import_documents([document("| | Telegram |\n|---|---|\n| Bots | Yes |\n")])
    table = ComparisonTable.objects.get(page__permalink="/Rules/")
    assert table.platform_column == ""
    url = reverse("admin:platforms_comparisontable_change", args=[table.pk])
    data = form_fields(staff_client.get(url).content, "#content-main form")
    response = staff_client.post(url, {**data, "takeaways": "Checked."})
    assert response.status_code == 302
    table.refresh_from_db()
    assert table.takeaways == "Checked."


# --- A column's name and a row's label: one line (platforms.validators.validate_one_line) ------


def test_a_name_over_two_lines_is_refused_by_the_grid_and_the_export_stays_importable(
    table, staff_client
):
    column, row = table.capabilities.first(), table.rows.first()
    response = save_grid(
        staff_client,
        table,
        {f"col-{column.pk}-name": "Two\nlines", f"row-{row.pk}-name": "A label\r\nbroken"},
    )
    assert response.status_code == 200
    assert response.content.decode().count("Write it on one line.") == 2
    column.refresh_from_db()
    row.refresh_from_db()
    assert "\n" not in column.name + row.label
    assert sources_after_export_and_import() is not None  # the export imports again


def test_a_new_column_over_two_lines_is_refused_by_the_grid(table, staff_client):
    response = save_grid(staff_client, table, {"add-column-name": "New\ncolumn"})
    assert "Write it on one line." in response.content.decode()
    assert not table.capabilities.filter(name__contains="column").exists()


def test_a_label_over_two_lines_is_refused_by_the_model_field_the_admin_and_import_use(table):
    row = table.rows.first()
    with pytest.raises(ValidationError, match="one line"):
        row._meta.get_field("label").clean("Two\nlines", row)
