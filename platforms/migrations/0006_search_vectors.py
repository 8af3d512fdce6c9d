"""Faster full-text search on PostgreSQL; nothing on SQLite (search there uses a simpler match).

- Cell notes are what most searches match, thousands of them: their vector is stored in a column
  kept up to date by PostgreSQL's own trigger (Django never writes it, the models do not know it),
  so ranking reads it instead of parsing every matching note again. It replaces 0004's index.
- Capabilities, pages and articles get GIN indexes on the very expressions platforms/search.py
  matches with (SearchVector(*fields, config="english")), so the planner can use them.
"""

from django.db import migrations


def vector(*columns):
    joined = " || ' ' || ".join(f"COALESCE({column}, '')" for column in columns)
    return f"to_tsvector('english'::regconfig, {joined})"


EXPRESSION_INDEXES = {
    "platforms_capability_search": ("platforms_capability", vector("name", "description")),
    "platforms_page_search": (
        "platforms_comparisonpage", vector("title", "heading", "description", "intro")
    ),
    "sitecontent_article_search": (
        "sitecontent_article", vector("title", "subtitle", "description", "body")
    ),
}
CELL_VECTOR = [
    "DROP INDEX IF EXISTS platforms_cell_note_search",
    "ALTER TABLE platforms_cell ADD COLUMN IF NOT EXISTS note_search tsvector",
    f"UPDATE platforms_cell SET note_search = {vector('note')}",
    "CREATE INDEX IF NOT EXISTS platforms_cell_note_vector ON platforms_cell USING gin (note_search)",
    "DROP TRIGGER IF EXISTS platforms_cell_note_search ON platforms_cell",
    "CREATE TRIGGER platforms_cell_note_search BEFORE INSERT OR UPDATE OF note ON platforms_cell "
    "FOR EACH ROW EXECUTE FUNCTION tsvector_update_trigger(note_search, 'pg_catalog.english', note)",
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for statement in CELL_VECTOR:
        schema_editor.execute(statement)
    for name, (table, expression) in EXPRESSION_INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin (({expression}))"
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in EXPRESSION_INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")
    schema_editor.execute("DROP TRIGGER IF EXISTS platforms_cell_note_search ON platforms_cell")
    schema_editor.execute("ALTER TABLE platforms_cell DROP COLUMN IF EXISTS note_search")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS platforms_cell_note_search ON platforms_cell "
        f"USING gin (({vector('note')}))"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("platforms", "0005_merge_0004_claim_reports_0004_inline_markdown_html"),
        ("sitecontent", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
