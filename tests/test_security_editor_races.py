"""Two editors doing the same thing at the same moment get no 500."""

import threading
import time

import pytest
from bs4 import BeautifulSoup
from django.db import connection, transaction
from django.urls import reverse

from platforms.grid import GridEditor
from platforms.models import Capability, Cell, ComparisonTable, Platform, TableRow

from .conftest import form_fields, grid_post_data

PE = "/Personalized-Engagement/"
GRID = "form.grid-editor"


def editors_of_the_same_grid(staff_client, **changes):
    """Two grid editors validated on the same state, as when both press Save together."""
    table = ComparisonTable.objects.get(page__permalink=PE)
    data = {**grid_post_data(table, staff_client), **changes}
    editors = [GridEditor(ComparisonTable.objects.with_cells().get(pk=table.pk), data)]
    editors.append(GridEditor(ComparisonTable.objects.with_cells().get(pk=table.pk), data))
    assert all(editor.is_valid() for editor in editors)
    return table, editors


def test_two_editors_adding_the_same_column_make_it_once(seeded, staff_client):
    table, editors = editors_of_the_same_grid(staff_client, **{"add-column-name": "Custom Feeds"})
    for editor in editors:
        editor.save()
    assert Capability.objects.filter(table=table, name="Custom Feeds").count() == 1


def test_two_editors_adding_the_same_platform_make_one_row(seeded, staff_client):
    newcomer = Platform.objects.create(name="Bluesky", slug="bluesky", order=99)
    table, editors = editors_of_the_same_grid(staff_client, **{"add-row-platform": newcomer.pk})
    for editor in editors:
        editor.save()
    assert TableRow.objects.filter(table=table, platform=newcomer).count() == 1


def test_two_editors_saving_one_empty_cell_at_once_get_a_winner_and_a_conflict(
    transactional_db, seeded, staff_client, second_editor
):
    """Editor A's save is still open (its transaction not committed) when B saves the same
    empty cell: B waits, then is shown A's version beside its own. Needs PostgreSQL: SQLite
    has one writer at a time."""
    if connection.vendor != "postgresql":
        pytest.skip("needs DATABASE_URL=postgres://… (two writers at once)")
    table = ComparisonTable.objects.get(page__permalink=PE)
    emptied = Cell.objects.filter(capability__table=table).first()
    emptied.delete()
    url = reverse("admin:platforms_comparisontable_grid", args=[table.pk])
    note = f"cell-{emptied.capability_id}-{emptied.row_id}-note"
    mine = {**form_fields(staff_client.get(url).content, GRID), note: "Mine"}
    theirs = {**form_fields(second_editor.get(url).content, GRID), note: "Theirs"}
    answers = []

    def their_save():
        try:
            answers.append(second_editor.post(url, theirs))
        except Exception as error:  # the test client re-raises a 500's exception
            answers.append(error)
        finally:
            connection.close()  # this thread's own connection

    with transaction.atomic():
        assert staff_client.post(url, mine).status_code == 302
        saving = threading.Thread(target=their_save)
        saving.start()
        deadline = time.monotonic() + 10
        with connection.cursor() as cursor:  # until B waits for A's locks
            while time.monotonic() < deadline:
                cursor.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                    " AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
                )
                if cursor.fetchone()[0]:
                    break
                time.sleep(0.05)
    saving.join(30)
    [answer] = answers
    assert not isinstance(answer, Exception), answer
    assert answer.status_code == 200
    assert Cell.objects.get(capability_id=emptied.capability_id, row_id=emptied.row_id).note == (
        "Mine"
    )
    box = BeautifulSoup(answer.content, "lxml").select_one(
        f"td#cell-{emptied.capability_id}-{emptied.row_id}"
    )
    assert "has-conflict" in box["class"] and "Mine" in box.select_one(".theirs").get_text()
