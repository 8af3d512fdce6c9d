"""Every kind of page reads a fixed number of queries (at most 8), whatever the content: the
same at the launch content and at ten times as many platforms, columns, rows, cells, sources,
pages, articles and changes. One test grows the content once for every page: growing it is
most of the cost, and the pages are the same whoever grows it."""

from django.core.management import call_command

from platforms.models import (
    Capability,
    Cell,
    CellSource,
    ComparisonPage,
    ComparisonTable,
    Platform,
    TableRow,
)
from sitecontent.models import Article
from sitecontent.page_cache import PAGES
from sitecontent.publishing import Status
from tests.conftest import queries_per_page, write_seed_copies

QUERY_BUDGET = 8
TABLE = "Partnerships/partnership-comparison-table"
ARTICLE_PAGES = ["/blog/", "/feed/", "/sitemap.xml"]
EXPLORE_PAGES = [
    "/", "/about/", "/platforms/", "/platforms/tiktok/", "/platforms/tiktok/timeline/",
    "/capabilities/", "/compare/",
    "/compare/instagram-vs-tiktok/",
    "/compare/facebook-vs-telegram-vs-slack-vs-tiktok/differences/",
    "/choose/", "/Personalized-Engagement/", "/Partnerships/",
]  # fmt: skip
DATA_PAGES = [
    "/search/?q=partnerships", "/data/", "/data/all.json", "/data/datapackage.json",
    "/data/pages/Partnerships.json", f"/data/tables/{TABLE}.csv", "/feed/atom/", "/sitemap/",
    f"/report/?table={TABLE}", f"/embed/{TABLE}/", f"/embed/{TABLE}/row/tiktok/",
]  # fmt: skip
# A page of the change log may mix fewer kinds of entry with more content: never more queries.
CHANGE_LOG_PAGES = ["/changes/", "/changes/tiktok/", "/changes/feed/", "/changes/tiktok/feed/"]


def grow_content(factor, folder):
    """factor× the platforms, columns, rows, cells and sources of each table (in bulk), the
    comparison pages and the articles."""
    originals = list(Platform.objects.all())
    platforms = Platform.objects.bulk_create(
        Platform(name=f"{p.name} {i}", slug=f"{p.slug}-{i}", order=100 * i + p.order)
        for i in range(1, factor)
        for p in originals
    )
    for table in ComparisonTable.objects.all():
        columns = list(table.capabilities.all())
        Capability.objects.bulk_create(
            Capability(
                table=table, name=f"{c.name} {i}", slug=f"{c.slug}-{i}", order=100 * i + c.order
            )
            for i in range(1, factor)
            for c in columns
        )
        TableRow.objects.bulk_create(
            TableRow(table=table, platform=p, order=100 + n) for n, p in enumerate(platforms)
        )
        have = set(Cell.objects.filter(capability__table=table).values_list("capability", "row"))
        level = "full" if table.uses_levels else ""
        cells = Cell.objects.bulk_create(
            Cell(capability=c, row=r, level=level, note="More", note_html="More")
            for c in table.capabilities.all()
            for r in table.rows.all()
            if (c.id, r.id) not in have
        )
        CellSource.objects.bulk_create(
            CellSource(cell=cell, url="https://example.org/", title="Source") for cell in cells[::7]
        )
    article = Article.objects.get()
    for i in range(1, factor):
        Article.objects.create(
            title=f"{article.title} {i}", author=article.author, body=article.body,
            status=Status.PUBLISHED,
        )  # fmt: skip
    # factor× the pages: one copy of each imported (tables, cells and their history, as an
    # import makes them), the others bare. Importing factor - 1 copies of each took 16 s of
    # this test's 34 (pytest --durations, this file alone).
    pages = ComparisonPage.objects.count()
    write_seed_copies(folder, [2])
    call_command("import_markdown", str(folder), verbosity=0)
    for i in range(1, (factor - 2) * pages + 1):
        page = ComparisonPage.objects.create(
            title=f"Extra {i}", permalink=f"/Extra-{i}/", status=Status.PUBLISHED
        )
        ComparisonTable.objects.create(page=page, title="Extra", slug="extra")
    PAGES.clear()


def change_notes():
    """Sixty claims edited: entries for the change log and its feeds."""
    for cell in Cell.objects.exclude(note="").order_by("pk")[:60]:
        cell.note += " (checked)"
        cell.save()


def test_every_page_needs_the_same_few_queries_at_ten_times_the_content(seeded, client, tmp_path):
    article = Article.objects.get().get_absolute_url()
    urls = [*EXPLORE_PAGES, *ARTICLE_PAGES, article, *DATA_PAGES, *CHANGE_LOG_PAGES]
    change_notes()
    before = queries_per_page(client, urls)
    launch_pages = ComparisonPage.objects.count()
    grow_content(10, tmp_path)
    change_notes()
    assert Cell.objects.count() > 10 * 350 and ComparisonPage.objects.count() == 10 * launch_pages
    after = queries_per_page(client, urls)
    assert max(after.values()) <= QUERY_BUDGET, after
    assert {url: n for url, n in after.items() if n > before[url]} == {}
    assert {url: after[url] for url in urls if url not in CHANGE_LOG_PAGES} == {
        url: before[url] for url in urls if url not in CHANGE_LOG_PAGES
    }
