"""Two editors doing the same thing at the same moment get no 500."""

from platforms.grid import GridEditor
from platforms.models import Capability, ComparisonTable, Platform, TableRow

from .conftest import grid_post_data

PE = "/Personalized-Engagement/"


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
