"""The grid editor: sources, review dates, headers, bulk actions, deletions and conflicts."""

import datetime

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse
from django.utils import timezone

from platforms.models import Capability, Cell, ComparisonTable, Level

from .conftest import form_fields, save_after_someone_else

PE = "/Personalized-Engagement/"
CELL_FIELDS = ("level", "note", "last_reviewed", "sources")  # what a changed cell posts


@pytest.fixture
def table(seeded):
    return ComparisonTable.objects.get(page__permalink=PE)


def grid_url(table):
    return reverse("admin:platforms_comparisontable_grid", args=[table.pk])


def open_grid(client, table, **query):
    """The grid's form as a browser without JavaScript submits it (`row`: that row opened)."""
    return form_fields(client.get(grid_url(table), query).content, "form.grid-editor")


def prefix_of(cell):
    return f"cell-{cell.capability_id}-{cell.row_id}"


def public_text(client, table):
    html = client.get(table.page.permalink).content
    return " ".join(BeautifulSoup(html, "lxml").get_text(" ").split())


def conflict(table, staff_client, second_editor, *, mine, theirs):
    return save_after_someone_else(
        grid_url(table),
        staff_client,
        second_editor,
        my_changes=mine,
        their_changes=theirs,
        selector="form.grid-editor",
    )


def test_sources_and_review_date_are_edited_from_the_grid(table, staff_client, client):
    cell = Cell.objects.filter(capability__table=table, level=Level.FULL).first()
    data = open_grid(staff_client, table)
    data[f"{prefix_of(cell)}-last_reviewed"] = "2026-01-15"
    data[f"{prefix_of(cell)}-sources"] = (
        "https://example.org/help | Help centre | 2026-01-10\nhttps://example.org/blog"
    )
    assert staff_client.post(grid_url(table), data).status_code == 302
    cell.refresh_from_db()
    assert cell.last_reviewed == datetime.date(2026, 1, 15)
    assert [(s.url, s.title, s.accessed) for s in cell.sources.all()] == [
        ("https://example.org/help", "Help centre", datetime.date(2026, 1, 10)),
        ("https://example.org/blog", "", None),
    ]
    page = client.get(table.page.permalink).content.decode()
    assert "https://example.org/help" in page and "Help centre" in page
    # The grid shows them back as they were typed.
    again = open_grid(staff_client, table, row=cell.row_id)
    assert again[f"{prefix_of(cell)}-sources"].splitlines() == [
        "https://example.org/help | Help centre | 2026-01-10",
        "https://example.org/blog",
    ]


def test_a_bad_source_line_is_named_and_nothing_is_saved(table, staff_client):
    first, second = Cell.objects.filter(capability__table=table)[:2]
    data = open_grid(staff_client, table)
    data[f"{prefix_of(first)}-note"] = "A note that must not be saved"
    data[f"{prefix_of(second)}-sources"] = "https://example.org/ok\nnot a link | Title"
    response = staff_client.post(grid_url(table), data)
    assert response.status_code == 200
    soup = BeautifulSoup(response.content, "lxml")
    bad = soup.select_one(f"td#{prefix_of(second)}")
    assert "Source line 2" in bad.get_text()
    assert not Cell.objects.filter(note="A note that must not be saved").exists()
    assert not second.sources.exists()


def test_notes_are_multi_line_fields_with_their_rendered_note_beside(table, staff_client):
    cell = Cell.objects.filter(capability__table=table).exclude(note="").first()
    cell.note = "See **the help** at [the FAQ](https://example.org/faq)"
    cell.save()
    opened = staff_client.get(grid_url(table), {"row": cell.row_id}).content
    box = BeautifulSoup(opened, "lxml").select_one(f"td#{prefix_of(cell)}")
    assert box.select_one(f'textarea[name="{prefix_of(cell)}-note"]').get_text().strip() == (
        cell.note
    )
    assert box.select_one(".note-preview").decode_contents().strip() == cell.note_html.strip()


def test_rows_and_columns_are_renamed_and_reordered(table, staff_client, client):
    capability = table.capabilities.order_by("order").last()
    row = table.rows.order_by("order").first()
    data = open_grid(staff_client, table)
    data[f"col-{capability.pk}-name"] = "Renamed capability"
    for other in table.capabilities.exclude(pk=capability.pk):
        data[f"col-{other.pk}-order"] = str(other.order + 1)
    data[f"col-{capability.pk}-order"] = "0"
    data[f"row-{row.pk}-name"] = "Renamed platform label"
    assert staff_client.post(grid_url(table), data).status_code == 302
    soup = BeautifulSoup(client.get(table.page.permalink).content, "lxml")
    headers = [th.get_text(" ", strip=True) for th in soup.select(f"#{table.slug} thead th")]
    assert "Renamed capability" in headers[1]
    assert "Renamed platform label" in public_text(client, table)


def test_deleting_a_column_asks_first_then_deletes_it_with_its_cells_in_history(
    table, staff_client, client
):
    capability = table.capabilities.order_by("order").first()
    cells = capability.cells.count()
    assert cells
    data = open_grid(staff_client, table)
    data[f"col-{capability.pk}-delete"] = "on"
    asked = staff_client.post(grid_url(table), data)
    assert asked.status_code == 200
    confirmation = BeautifulSoup(asked.content, "lxml").select_one(".delete-confirmation")
    assert capability.name in confirmation.get_text() and str(cells) in confirmation.get_text()
    assert Capability.objects.filter(pk=capability.pk).exists()

    data["confirm-delete"] = "1"
    assert staff_client.post(grid_url(table), data).status_code == 302
    assert not Capability.objects.filter(pk=capability.pk).exists()
    assert not Cell.objects.filter(capability_id=capability.pk).exists()
    deleted = Capability.history.get(id=capability.pk, history_type="-")
    assert deleted.history_user.username == "chief"
    assert Cell.history.filter(capability_id=capability.pk, history_type="-").count() == cells
    soup = BeautifulSoup(client.get(table.page.permalink).content, "lxml")
    headers = [th.get_text(" ", strip=True) for th in soup.select(f"#{table.slug} thead th")]
    assert not any(capability.name in header for header in headers)


def test_mark_a_column_reviewed_today(table, staff_client):
    capability = table.capabilities.order_by("order").first()
    data = open_grid(staff_client, table)
    data[f"col-{capability.pk}-reviewed_today"] = "on"
    assert staff_client.post(grid_url(table), data).status_code == 302
    today = timezone.localdate()
    for cell in capability.cells.all():
        assert cell.last_reviewed == today or cell.is_empty
    other = Cell.objects.filter(capability__table=table).exclude(capability=capability)
    assert not other.filter(last_reviewed=today).exists()


def test_two_editors_save_the_same_cell_the_second_sees_both_and_other_cells_save(
    table, staff_client, second_editor
):
    contested, elsewhere = Cell.objects.filter(capability__table=table, level=Level.FULL)[:2]
    response = conflict(
        table,
        staff_client,
        second_editor,
        mine={
            f"{prefix_of(contested)}-note": "My wording",
            f"{prefix_of(elsewhere)}-note": "My uncontested change",
        },
        theirs={f"{prefix_of(contested)}-note": "Their wording"},
    )
    assert response.status_code == 200
    contested.refresh_from_db()
    elsewhere.refresh_from_db()
    assert contested.note == "Their wording"
    assert elsewhere.note == "My uncontested change"
    soup = BeautifulSoup(response.content, "lxml")
    box = soup.select_one(f"td#{prefix_of(contested)}")
    assert "has-conflict" in box["class"]
    assert box.select_one(f'textarea[name="{prefix_of(contested)}-note"]').get_text().strip() == (
        "My wording"
    )
    assert "Their wording" in box.select_one(".theirs").get_text()
    merged = box.select_one(f'textarea[name="{prefix_of(contested)}-merged"]').get_text()
    assert "My wording" in merged and "Their wording" in merged

    # Merge: the editor's combined text is saved.
    again = form_fields(response.content, "form.grid-editor")
    again[f"{prefix_of(contested)}-resolve"] = "merge"
    again[f"{prefix_of(contested)}-merged"] = "My wording, and their wording"
    assert staff_client.post(grid_url(table), again).status_code == 302
    contested.refresh_from_db()
    assert contested.note == "My wording, and their wording"


@pytest.mark.parametrize(("choice", "expected"), [("mine", "My wording"), ("theirs", "Theirs")])
def test_after_a_grid_conflict_keep_mine_or_take_theirs(
    table, staff_client, second_editor, choice, expected
):
    contested = Cell.objects.filter(capability__table=table, level=Level.FULL).first()
    note = f"{prefix_of(contested)}-note"
    response = conflict(
        table, staff_client, second_editor, mine={note: "My wording"}, theirs={note: "Theirs"}
    )
    again = form_fields(response.content, "form.grid-editor")
    again[f"{prefix_of(contested)}-resolve"] = choice
    assert staff_client.post(grid_url(table), again).status_code == 302
    contested.refresh_from_db()
    assert contested.note == expected


def test_two_editors_rename_the_same_column_the_second_sees_both_and_the_rest_saves(
    table, staff_client, second_editor
):
    contested, moved = table.capabilities.order_by("order")[:2]
    cell = Cell.objects.filter(capability__table=table, level=Level.FULL).first()
    col = f"col-{contested.pk}"
    response = conflict(
        table,
        staff_client,
        second_editor,
        mine={
            f"{col}-name": "My column name",
            f"{col}-order": "7",
            f"col-{moved.pk}-order": "9",
            f"{prefix_of(cell)}-note": "My note elsewhere",
        },
        theirs={f"{col}-name": "Their column name"},
    )
    assert response.status_code == 200
    contested.refresh_from_db()
    moved.refresh_from_db()
    cell.refresh_from_db()
    assert (contested.name, contested.order) == ("Their column name", 0)
    assert (moved.order, cell.note) == (9, "My note elsewhere")
    soup = BeautifulSoup(response.content, "lxml")
    header = soup.select_one(f'th:has(input[name="{col}-name"])')
    assert "has-conflict" in header["class"]
    # My name and position are in the fields, theirs beside them, and both in the merge box.
    assert header.select_one(f'input[name="{col}-name"]')["value"] == "My column name"
    assert header.select_one(f'input[name="{col}-order"]')["value"] == "7"
    theirs = header.select_one(".theirs").get_text(" ")
    assert "Their column name" in theirs and "Position 0" in theirs
    merged = header.select_one(f'textarea[name="{col}-merged"]').get_text().strip()
    assert merged == "My column name / Their column name"
    assert len(soup.select(".has-conflict")) == 1


@pytest.mark.parametrize(
    ("choice", "merged", "expected"),
    [
        ("mine", None, ("My label", 5)),
        ("theirs", None, ("Their label", 0)),
        ("merge", "My label (their label)", ("My label (their label)", 5)),
    ],
)
def test_after_a_row_header_conflict_keep_mine_take_theirs_or_merge(
    table, staff_client, second_editor, choice, merged, expected
):
    row = table.rows.order_by("order").first()
    header = f"row-{row.pk}"
    response = conflict(
        table,
        staff_client,
        second_editor,
        mine={f"{header}-name": "My label", f"{header}-order": "5"},
        theirs={f"{header}-name": "Their label"},
    )
    assert (
        "Their label"
        in BeautifulSoup(response.content, "lxml").select_one("th.has-conflict .theirs").get_text()
    )
    again = form_fields(response.content, "form.grid-editor")
    assert again[f"{header}-resolve"] == "mine"
    again[f"{header}-resolve"] = choice
    if merged:
        again[f"{header}-merged"] = merged
    assert staff_client.post(grid_url(table), again).status_code == 302
    row.refresh_from_db()
    assert (row.label, row.order) == expected


@pytest.mark.parametrize(("merged", "error"), [("", "required"), ("x" * 201, "at most 200")])
def test_a_merged_column_name_is_held_to_the_names_own_rules(
    table, staff_client, second_editor, merged, error
):
    column = table.capabilities.order_by("order").first()
    name = f"col-{column.pk}-name"
    response = conflict(
        table, staff_client, second_editor, mine={name: "Mine"}, theirs={name: "Theirs"}
    )
    again = form_fields(response.content, "form.grid-editor")
    again |= {f"col-{column.pk}-resolve": "merge", f"col-{column.pk}-merged": merged}
    response = staff_client.post(grid_url(table), again)
    assert "Nothing was saved" in response.content.decode()
    soup = BeautifulSoup(response.content, "lxml")
    box = soup.find(attrs={"name": f"col-{column.pk}-merged"}).find_parent(class_="grid-conflict")
    assert error in box.find(class_="errorlist").get_text()  # beside the box, not hidden
    column.refresh_from_db()
    assert column.name == "Theirs"


def test_an_untouched_cell_keeps_what_someone_else_saved(table, staff_client, second_editor):
    cell = Cell.objects.filter(capability__table=table, level=Level.FULL).first()
    theirs = {f"{prefix_of(cell)}-note": "Saved by the other editor"}
    response = conflict(table, staff_client, second_editor, mine={}, theirs=theirs)
    assert response.status_code == 302
    cell.refresh_from_db()
    assert cell.note == "Saved by the other editor"


def test_a_missing_version_mark_saves_nothing(table, staff_client):
    cell = Cell.objects.filter(capability__table=table).first()
    data = open_grid(staff_client, table)
    del data["version"]
    data[f"{prefix_of(cell)}-note"] = "Without a version"
    response = staff_client.post(grid_url(table), data)
    assert response.status_code == 200
    assert "version mark is missing" in response.content.decode()
    assert not Cell.objects.filter(note="Without a version").exists()


def test_grid_breadcrumbs_lead_through_the_tables_list(table, staff_client):
    soup = BeautifulSoup(staff_client.get(grid_url(table)).content, "lxml")
    crumbs = [li.get_text(strip=True) for li in soup.select("ol.breadcrumbs li")]
    assert crumbs[-3:] == ["Comparison tables", table.title, "Edit all cells"]


def messages_text(response):
    soup = BeautifulSoup(response.content, "lxml")
    return " ".join(" ".join(li.get_text(" ") for li in soup.select(".messagelist li")).split())


def test_a_row_added_meanwhile_keeps_their_cells_and_my_save_goes_through(
    table, staff_client, second_editor
):
    from platforms.models import Platform

    newcomer = Platform.objects.create(name="Bluesky", slug="bluesky", order=99)
    mine = open_grid(staff_client, table)
    # The other editor adds a row, then fills two of its cells.
    theirs = {**open_grid(second_editor, table), "add-row-platform": str(newcomer.pk)}
    assert second_editor.post(grid_url(table), theirs).status_code == 302
    row = table.rows.get(platform=newcomer)
    first, second = table.capabilities.order_by("order")[:2]
    theirs = open_grid(second_editor, table)
    theirs[f"cell-{first.pk}-{row.pk}-note"] = "Their first cell"
    theirs[f"cell-{second.pk}-{row.pk}-note"] = "Their second cell"
    assert second_editor.post(grid_url(table), theirs).status_code == 302

    elsewhere = Cell.objects.filter(capability__table=table, level=Level.FULL).first()
    mine[f"{prefix_of(elsewhere)}-note"] = "My change elsewhere"
    response = staff_client.post(grid_url(table), mine)
    assert response.status_code == 200
    assert "Someone else added" in messages_text(response) and "Bluesky" in messages_text(response)
    elsewhere.refresh_from_db()
    assert elsewhere.note == "My change elsewhere"
    notes = sorted(Cell.objects.filter(row=row).values_list("note", flat=True))
    assert notes == ["Their first cell", "Their second cell"]
    # Saving the page now shown (with their row) keeps their cells too.
    again = form_fields(response.content, "form.grid-editor")
    assert staff_client.post(grid_url(table), again).status_code == 302
    assert sorted(Cell.objects.filter(row=row).values_list("note", flat=True)) == notes


def test_deleting_a_row_someone_just_edited_is_refused_and_shows_their_version(
    table, staff_client, second_editor
):
    cell = Cell.objects.filter(capability__table=table, level=Level.FULL).first()
    mine = open_grid(staff_client, table)
    theirs = open_grid(second_editor, table)
    theirs[f"{prefix_of(cell)}-note"] = "Their correction"
    assert second_editor.post(grid_url(table), theirs).status_code == 302

    mine.update({f"row-{cell.row_id}-delete": "on", "confirm-delete": "1"})
    response = staff_client.post(grid_url(table), mine)
    assert response.status_code == 200
    cell.refresh_from_db()  # the row and the correction are still there
    assert cell.note == "Their correction"
    header = BeautifulSoup(response.content, "lxml").select_one("th.has-conflict")
    assert "Not deleted" in header.select_one(".theirs").get_text()
    # Deleting it again, now that it is seen as they left it, deletes it.
    again = form_fields(response.content, "form.grid-editor")
    again.update({f"row-{cell.row_id}-delete": "on", "confirm-delete": "1"})
    assert staff_client.post(grid_url(table), again).status_code == 302
    assert not Cell.objects.filter(pk=cell.pk).exists()


def test_an_edit_to_a_row_deleted_meanwhile_is_named_not_dropped(
    table, staff_client, second_editor
):
    cell = Cell.objects.filter(capability__table=table, level=Level.FULL).first()
    relevelled = Cell.objects.filter(row=cell.row, level=Level.FULL).exclude(pk=cell.pk).first()
    mine = open_grid(staff_client, table)  # every cell of the row posts its level
    theirs = open_grid(second_editor, table)
    theirs.update({f"row-{cell.row_id}-delete": "on", "confirm-delete": "1"})
    assert second_editor.post(grid_url(table), theirs).status_code == 302

    mine[f"{prefix_of(cell)}-note"] = "My edit to a deleted row"
    mine[f"{prefix_of(relevelled)}-level"] = "No"  # a closed cell's one field, changed
    response = staff_client.post(grid_url(table), mine)
    assert response.status_code == 200
    text = messages_text(response)
    assert "deleted its row or column" in text and "My edit to a deleted row" in text
    assert "Saved. 0 cell(s) changed." not in text
    # The two cells changed are named, the row's others (posted as they were) are not.
    assert text.count(f"{cell.row.display_label}, ") == 2 and "“No support”" in text


def changed_cells_only(page, changes):
    """What the grid's script posts: the version map and the changed cells' fields, whole."""
    prefixes = {name.rsplit("-", 1)[0] for name in changes}
    fields = {k: v for k, v in page.items() if k.rsplit("-", 1)[0] in prefixes}
    return {"version": page["version"], **fields, **changes}


@pytest.mark.parametrize("count", [1, 5])
def test_only_the_changed_cells_are_posted_and_the_rest_stays_as_it_is(table, staff_client, count):
    cells = list(Cell.objects.filter(capability__table=table).order_by("pk"))
    before = {c.pk: (c.level, c.note, c.last_reviewed) for c in cells}
    page = open_grid(staff_client, table)
    wanted = {cell.pk: Level.FULL if cell.level == Level.NONE else Level.NONE for cell in cells}
    label = {Level.FULL: "Yes", Level.NONE: "No"}  # the options' text, which they post
    changes = {f"{prefix_of(cell)}-level": label[wanted[cell.pk]] for cell in cells[:count]}
    data = changed_cells_only(page, changes)
    # The fields posted grow with the cells changed, not with the grid: one a closed cell.
    assert len(data) == 1 + count < len(page)
    response = staff_client.post(grid_url(table), data)
    assert response.status_code == 302
    assert f"Saved. {count} cell(s) changed." in messages_text(staff_client.get(grid_url(table)))
    for cell in cells:
        cell.refresh_from_db()
        if cell in cells[:count]:
            assert (cell.level, cell.note) == (wanted[cell.pk], before[cell.pk][1])
        else:
            assert (cell.level, cell.note, cell.last_reviewed) == before[cell.pk]


def test_a_cell_opened_on_demand_posts_its_fields_and_saves_them(table, staff_client, client):
    cell = Cell.objects.filter(capability__table=table, level=Level.FULL).first()
    page = open_grid(staff_client, table)
    # What the page's script fetches when a cell is opened: the cell with all its fields.
    opened = staff_client.get(grid_url(table), {"cell": prefix_of(cell)})
    fields = form_fields(b"<form>" + opened.content + b"</form>")
    assert set(fields) == {f"{prefix_of(cell)}-{name}" for name in CELL_FIELDS}
    assert fields[f"{prefix_of(cell)}-note"] == cell.note
    fields[f"{prefix_of(cell)}-note"] = "Opened and rewritten"
    fields[f"{prefix_of(cell)}-sources"] = "https://example.org/opened | Opened"
    response = staff_client.post(grid_url(table), {"version": page["version"], **fields})
    assert response.status_code == 302
    cell.refresh_from_db()
    assert (cell.level, cell.note) == (Level.FULL, "Opened and rewritten")
    assert [source.url for source in cell.sources.all()] == ["https://example.org/opened"]
    assert staff_client.get(grid_url(table), {"cell": "cell-0-0"}).status_code == 404


def test_a_closed_cell_posts_its_level_and_keeps_the_note_someone_else_saved(
    table, staff_client, second_editor
):
    cell = Cell.objects.filter(capability__table=table, level=Level.FULL).first()
    mine = open_grid(staff_client, table)  # closed: the level alone
    theirs = open_grid(second_editor, table, row=cell.row_id)
    theirs[f"{prefix_of(cell)}-note"] = "Their note"
    assert second_editor.post(grid_url(table), theirs).status_code == 302
    assert staff_client.post(grid_url(table), mine).status_code == 302  # the whole form
    cell.refresh_from_db()
    assert (cell.level, cell.note) == (Level.FULL, "Their note")


def test_an_unposted_cell_keeps_their_change_and_a_posted_stale_one_conflicts(
    table, staff_client, second_editor
):
    theirs_only, both = Cell.objects.filter(capability__table=table, level=Level.FULL)[:2]
    mine = open_grid(staff_client, table)
    theirs = open_grid(second_editor, table)
    theirs[f"{prefix_of(theirs_only)}-note"] = "Their change"
    theirs[f"{prefix_of(both)}-note"] = "Their wording"
    assert second_editor.post(grid_url(table), theirs).status_code == 302

    data = changed_cells_only(mine, {f"{prefix_of(both)}-note": "My wording"})
    response = staff_client.post(grid_url(table), data)
    assert response.status_code == 200
    theirs_only.refresh_from_db()
    both.refresh_from_db()
    assert (theirs_only.note, both.note) == ("Their change", "Their wording")
    soup = BeautifulSoup(response.content, "lxml")
    assert [td["id"] for td in soup.select("td.has-conflict")] == [prefix_of(both)]
    assert "1 change(s) were not saved" in messages_text(response)


def test_a_post_of_changed_cells_without_the_version_map_saves_nothing(table, staff_client):
    cell = Cell.objects.filter(capability__table=table).first()
    data = changed_cells_only(open_grid(staff_client, table), {f"{prefix_of(cell)}-note": "No"})
    del data["version"]
    response = staff_client.post(grid_url(table), data)
    assert response.status_code == 200 and "version mark is missing" in response.text
    cell.refresh_from_db()
    assert cell.note != "No"


def test_ticking_reviewed_today_on_a_row_reaches_its_cells_though_they_were_not_posted(
    table, staff_client
):
    row = table.rows.order_by("order").first()
    page = open_grid(staff_client, table)
    header = {k: v for k, v in page.items() if k.startswith(f"row-{row.pk}-")}
    data = {"version": page["version"], **header, f"row-{row.pk}-reviewed_today": "on"}
    assert staff_client.post(grid_url(table), data).status_code == 302
    today = timezone.localdate()
    for cell in Cell.objects.filter(row=row):
        assert cell.last_reviewed == today or cell.is_empty
    assert not Cell.objects.filter(capability__table=table, last_reviewed=today).exclude(row=row)


def test_a_conflict_is_listed_atop_the_page_with_a_link_to_its_cell(
    table, staff_client, second_editor
):
    cell = Cell.objects.filter(capability__table=table, level=Level.FULL).first()
    note = f"{prefix_of(cell)}-note"
    response = conflict(
        table, staff_client, second_editor, mine={note: "Mine"}, theirs={note: "Theirs"}
    )
    soup = BeautifulSoup(response.content, "lxml")
    links = soup.select(".grid-flags a")
    assert [a["href"] for a in links] == [f"#{prefix_of(cell)}"]
    assert cell.capability.name in links[0].get_text()
    assert soup.select_one(f"td#{prefix_of(cell)} [name={prefix_of(cell)}-note]")


def test_a_problem_is_listed_atop_the_page_with_a_link_to_its_cell(table, staff_client):
    cell = Cell.objects.filter(capability__table=table).first()
    data = open_grid(staff_client, table)
    data[f"{prefix_of(cell)}-sources"] = "not a link"
    soup = BeautifulSoup(staff_client.post(grid_url(table), data).content, "lxml")
    item = soup.select_one(".grid-flags li")
    assert item.a["href"] == f"#{prefix_of(cell)}" and "problem" in item.get_text()
    assert soup.select_one(f"#{prefix_of(cell)} details").has_attr("open")


def test_every_cell_control_is_named_by_its_row_and_column(table, staff_client):
    cell = Cell.objects.filter(capability__table=table).first()
    for query in ({}, {"row": cell.row_id}):  # closed, then opened with all its fields
        soup = BeautifulSoup(staff_client.get(grid_url(table), query).content, "lxml")
        box = soup.select_one(f'[name="{prefix_of(cell)}-level"]').find_parent("td")
        for control in box.select("select, textarea[name$='-note']"):
            names = [soup.find(id=i).get_text() for i in control["aria-labelledby"].split()]
            assert names[1:] == [cell.row.display_label, cell.capability.name]
        for control in box.select("details input, details textarea:not([name$='-note'])"):
            assert control.find_parent("label").get_text(strip=True) in {"Reviewed", "Sources"}
    assert len(box.select("select, textarea, input")) == len(CELL_FIELDS)


def test_a_200_by_50_grid_is_saved_without_javascript_a_page_of_rows_at_a_time(db, staff_client):
    from django.conf import settings

    from tests.big_tables import build_table

    big = build_table(200, 50, "huge")  # 10,000 cells: over Django's 10,000 fields at one each
    url = grid_url(big)
    soup = BeautifulSoup(staff_client.get(url).content, "lxml")
    pages = [a["href"] for a in soup.select(".grid-pages a")]
    assert pages == ["?page=2", "?page=3", "?page=4", "?page=5"]
    # Each page is fetched once and read for its rows; the first one's form is posted below.
    html = {page: staff_client.get(url + page).content for page in ["?page=1", *pages]}
    rows = [th["id"] for page in html.values() for th in form_rows(page)]
    assert rows == [f"row-{row.pk}" for row in big.rows.order_by("order")]
    for page, (row, column) in [("?page=1", (0, 0)), ("?page=5", (199, 49))]:
        cell = Cell.objects.get(row=big.rows.order_by("order")[row], capability__order=column)
        # The last page afresh: the first page's save came after it was fetched.
        fresh = html["?page=1"] if page == "?page=1" else staff_client.get(url + page).content
        data = form_fields(fresh, "form.grid-editor")
        assert len(data) < settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
        data[f"{prefix_of(cell)}-level"] = "Partly"
        data[f"{prefix_of(cell)}-note"] = "Saved without JavaScript"  # as if its row was opened
        response = staff_client.post(url + page, data)
        assert response.status_code == 302 and response.url == url + page
        cell.refresh_from_db()
        assert (cell.level, cell.note) == (Level.PARTIAL, "Saved without JavaScript")
    assert Cell.objects.filter(capability__table=big, note="Saved without JavaScript").count() == 2
    # A column marked reviewed on one page: its cells on every page.
    column = big.capabilities.order_by("order")[1]
    data = form_fields(staff_client.get(url + "?page=2").content, "form.grid-editor")
    assert staff_client.post(url + "?page=2", {**data, f"col-{column.pk}-reviewed_today": "on"})
    reviewed = Cell.objects.filter(capability__table=big, last_reviewed=timezone.localdate())
    assert set(reviewed.values_list("capability", flat=True)) == {column.pk}
    assert reviewed.count() == 200


def form_rows(html):
    return BeautifulSoup(html, "lxml").select(".grid-editor tbody th")


def test_deleting_a_column_of_a_paged_grid_someone_edited_on_another_page_is_refused(
    db, staff_client, second_editor
):
    from tests.big_tables import build_table

    big = build_table(45, 50, "paged")  # 2,250 cells: two pages of rows
    url = grid_url(big)
    column = big.capabilities.order_by("order")[3]
    mine = form_fields(staff_client.get(url).content, "form.grid-editor")
    # Someone corrects the column's claim in the last row: on the second page, not this one.
    last = Cell.objects.get(capability=column, row=big.rows.order_by("order").last())
    theirs = form_fields(second_editor.get(url + "?page=2").content, "form.grid-editor")
    theirs[f"{prefix_of(last)}-level"] = "No"
    assert second_editor.post(url + "?page=2", theirs).status_code == 302

    mine.update({f"col-{column.pk}-delete": "on", "confirm-delete": "1"})
    response = staff_client.post(url, mine)
    assert response.status_code == 200
    assert Cell.objects.get(pk=last.pk).level == Level.NONE  # the column and their edit stay
    header = BeautifulSoup(response.content, "lxml").select_one("th.has-conflict")
    assert "Not deleted" in header.select_one(".theirs").get_text()
    # Deleting it again, now that it is seen as they left it, deletes it.
    again = form_fields(response.content, "form.grid-editor")
    again.update({f"col-{column.pk}-delete": "on", "confirm-delete": "1"})
    assert staff_client.post(url, again).status_code == 302
    assert not Cell.objects.filter(pk=last.pk).exists()
