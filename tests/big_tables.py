"""Big levelled tables built straight in the database, for the grid's browser tests and its
benchmark (tests/bench/grid_bench.py): one builder, so both measure the same table."""

from django.utils.html import escape


def build_table(rows=40, columns=40, slug="big"):
    """A published page with one levelled table of `rows` platforms × `columns` capabilities,
    every cell filled; column names long enough to need wrapping."""
    from platforms.models import (
        Capability,
        Cell,
        ComparisonPage,
        ComparisonTable,
        Level,
        Platform,
        TableRow,
    )

    page = ComparisonPage.objects.create(
        title=f"{slug} comparison", permalink=f"/{slug}/", status="published"
    )
    table = ComparisonTable.objects.create(
        page=page, title=f"{slug} table", slug=slug, uses_levels=True
    )
    platforms = Platform.objects.bulk_create(
        Platform(name=f"{slug} platform {i:03d}", slug=f"{slug}-p{i:03d}", order=100 + i)
        for i in range(rows)
    )
    table_rows = TableRow.objects.bulk_create(
        TableRow(table=table, platform=platform, order=i) for i, platform in enumerate(platforms)
    )
    # bulk_create skips save(), which renders names and notes to HTML: give them theirs here.
    capabilities = Capability.objects.bulk_create(
        Capability(
            table=table,
            name=f"Capability number {i:02d} with a long name",
            name_html=f"Capability number {i:02d} with a long name",
            slug=f"capability-{i:02d}",
            order=i,
        )
        for i in range(columns)
    )
    levels = [Level.FULL, Level.NONE, Level.UNKNOWN]
    notes = {
        (i, j): f"Note {i}-{j}: a few words about this claim"
        for i in range(rows)
        for j in range(columns)
    }
    Cell.objects.bulk_create(
        Cell(
            row=row,
            capability=capability,
            level=levels[(i + j) % 3],
            note=notes[i, j],
            note_html=escape(notes[i, j]),
        )
        for i, row in enumerate(table_rows)
        for j, capability in enumerate(capabilities)
    )
    return table
