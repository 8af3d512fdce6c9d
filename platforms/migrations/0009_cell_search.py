"""Search through Django's public API (sitecontent.text_search, sitecontent.site.search).

- PostgreSQL: the cells' vector becomes a generated column the model declares (`search`), with
  its GIN index, replacing 0006's trigger-kept `note_search`. What 0006/0007 added to
  sitecontent's article table is removed here: the article's own vector is sitecontent 0004.
- SQLite: FTS5 tables with the porter stemmer for the searched text of cells, capabilities,
  comparison pages and platforms, kept by triggers. After the AddField, which rebuilds the
  cell table on SQLite (and would drop triggers made before it).
"""

import django.contrib.postgres.search
from django.db import migrations, models

import sitecontent.text_search
from sitecontent.text_search import fts5_operation

OLD_VECTORS = [
    "DROP TRIGGER IF EXISTS platforms_cell_note_search ON platforms_cell",
    "ALTER TABLE platforms_cell DROP COLUMN IF EXISTS note_search",
    "DROP TRIGGER IF EXISTS sitecontent_article_search_vector ON sitecontent_article",
    "ALTER TABLE sitecontent_article DROP COLUMN IF EXISTS search_vector",
    "DROP INDEX IF EXISTS sitecontent_article_search",
]
INDEX = "CREATE INDEX IF NOT EXISTS cell_search ON platforms_cell USING gin (search)"


def on_postgresql(statements):
    def operation(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return operation


class Migration(migrations.Migration):
    dependencies = [
        ("platforms", "0008_cell_updated_at_index"),
    ]

    operations = [
        # Going back leaves the old columns gone: 0007's and 0006's reverses drop them if present.
        migrations.RunPython(on_postgresql(OLD_VECTORS), migrations.RunPython.noop),
        migrations.AddField(
            model_name="cell",
            name="search",
            field=models.GeneratedField(
                db_persist=True,
                expression=sitecontent.text_search.StoredVector("note"),
                output_field=django.contrib.postgres.search.SearchVectorField(),
            ),
        ),
        migrations.RunPython(on_postgresql([INDEX]), migrations.RunPython.noop),
        fts5_operation("platforms_cell", ["note"]),
        fts5_operation("platforms_capability", ["name", "description"]),
        fts5_operation("platforms_comparisonpage", ["title", "heading", "description", "intro"]),
        fts5_operation("platforms_platform", ["name", "parent_company"]),
    ]
