"""Full-text search pieces shared by both apps: a stored search vector and SQLite's FTS5 index.

PostgreSQL keeps each searched text's vector in a generated column (`StoredVector`), so a search
parses no text; SQLite keeps an FTS5 table with the porter stemmer beside the model's table,
filled by triggers (`fts5_statements`, run by migrations). Both stem English, so a search for
"encryption" finds "encrypted" on either database. sitecontent.site.search queries them.
"""

from django.contrib.postgres.search import SearchVector
from django.db import migrations, models

CONFIG = "english"


class StoredVector(SearchVector):
    """The English search vector of some fields, for a GeneratedField; NULL on SQLite, which
    searches its FTS5 table instead (see fts5_statements)."""

    def __init__(self, *fields):
        super().__init__(*fields, config=CONFIG)

    def as_sqlite(self, compiler, connection, **extra_context):
        return "NULL", []


def fts_table(table):
    return f"{table}_fts"


def fts5_statements(table, columns):
    """SQL creating `table`'s FTS5 index of `columns`, kept by triggers, filled from the rows.

    An external-content table (it stores no copy of the text). A migration that rebuilds `table`
    on SQLite (Django does for most field changes) drops its triggers: run these again after it.
    """
    fts, cols = fts_table(table), ", ".join(columns)
    new = ", ".join(f"new.{c}" for c in columns)
    old = ", ".join(f"old.{c}" for c in columns)
    delete = f"INSERT INTO {fts}({fts}, rowid, {cols}) VALUES ('delete', old.id, {old});"
    insert = f"INSERT INTO {fts}(rowid, {cols}) VALUES (new.id, {new});"
    return [
        *drop_fts5_statements(table),
        f"CREATE VIRTUAL TABLE {fts} USING fts5({cols}, content='{table}', content_rowid='id', "
        "tokenize='porter unicode61 remove_diacritics 2')",
        f"CREATE TRIGGER {fts}_insert AFTER INSERT ON {table} BEGIN {insert} END",
        f"CREATE TRIGGER {fts}_delete AFTER DELETE ON {table} BEGIN {delete} END",
        f"CREATE TRIGGER {fts}_update AFTER UPDATE ON {table} BEGIN {delete} {insert} END",
        f"INSERT INTO {fts}({fts}) VALUES ('rebuild')",
    ]


def drop_fts5_statements(table):
    fts = fts_table(table)
    return [
        *(f"DROP TRIGGER IF EXISTS {fts}_{event}" for event in ("insert", "delete", "update")),
        f"DROP TABLE IF EXISTS {fts}",
    ]


def fts5_operation(table, columns):
    """A migration operation creating (and on reverse dropping) the FTS5 index, on SQLite only."""

    def run(statements):
        def operation(apps, schema_editor):
            if schema_editor.connection.vendor == "sqlite":
                for statement in statements:
                    schema_editor.execute(statement)

        return operation

    return migrations.RunPython(
        run(fts5_statements(table, columns)), run(drop_fts5_statements(table))
    )


def without_vector(queryset_class):
    """A manager of `queryset_class` that leaves the stored `search` vector in the database:
    pages never show it, and it is as long as the text it indexes."""

    class Manager(models.Manager.from_queryset(queryset_class)):
        def get_queryset(self):
            return super().get_queryset().defer("search")

    return Manager()
