"""The visitors' new pages read a fixed number of queries (at most 8), whatever the content:
the same at the launch content and at ten times as many pages, cells and changes."""

import pytest
from django.core.management import call_command

from platforms.models import Cell
from tests.conftest import render_afresh, write_seed_copies

pytestmark = pytest.mark.django_db

TABLE = "Partnerships/partnership-comparison-table"
PAGES = [
    "/search/?q=partnerships",
    "/data/",
    "/data/all.json",
    "/data/datapackage.json",
    "/data/pages/Partnerships.json",
    f"/data/tables/{TABLE}.csv",
    "/changes/",
    "/changes/tiktok/",
    "/changes/feed/",
    "/changes/tiktok/feed/",
    "/feed/atom/",
    "/sitemap/",
    f"/report/?table={TABLE}",
    f"/embed/{TABLE}/",
    f"/embed/{TABLE}/row/tiktok/",
]


def test_new_pages_need_the_same_few_queries_at_ten_times_the_content(
    client, seeded, tmp_path, django_assert_max_num_queries
):
    def counts():
        found = {}
        for url in PAGES:
            render_afresh()
            with django_assert_max_num_queries(8) as captured:
                assert client.get(url).status_code == 200, url
            found[url] = len(captured.captured_queries)
        return found

    def change_notes():
        for cell in Cell.objects.exclude(note="").order_by("pk")[:60]:
            cell.note += " (checked)"
            cell.save()

    change_notes()
    before = counts()
    write_seed_copies(tmp_path, range(2, 11))
    call_command("import_markdown", str(tmp_path), verbosity=0)
    change_notes()
    after = counts()
    # Never more with more content (a page of the change log may mix fewer kinds of entry).
    assert {url: n for url, n in after.items() if n > before[url]} == {}
