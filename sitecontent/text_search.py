"""Full-text search for both apps (queried by site.search): on PostgreSQL a stored English vector
(StoredVector), on SQLite a porter-stemmed FTS5 table kept by triggers (fts5_operation)."""

from functools import partial

from django.contrib.postgres.search import SearchVector
from django.db import migrations, models

CONFIG = "english"


class StoredVector(SearchVector):
    """The English search vector of some fields, for a GeneratedField; NULL on SQLite."""

    def __init__(self, *fields):
        super().__init__(*fields, config=CONFIG)

    def as_sqlite(self, compiler, connection, **extra_context):
        return "NULL", []


def run_on_sqlite(statements, apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for statement in statements:
            schema_editor.execute(statement)


def fts5_operation(table, columns):
    """Migration operation: on SQLite only, `table`'s external-content FTS5 index of `columns`, kept
    by triggers (dropped on reverse); rebuilding `table` on SQLite drops them: repeat it after."""
    fts, cols = f"{table}_fts", ", ".join(columns)
    new = ", ".join(f"new.{c}" for c in columns)
    old = ", ".join(f"old.{c}" for c in columns)
    delete = f"INSERT INTO {fts}({fts}, rowid, {cols}) VALUES ('delete', old.id, {old});"
    insert = f"INSERT INTO {fts}(rowid, {cols}) VALUES (new.id, {new});"
    drop = [
        *(f"DROP TRIGGER IF EXISTS {fts}_{event}" for event in ("insert", "delete", "update")),
        f"DROP TABLE IF EXISTS {fts}",
    ]
    create = [
        *drop,
        f"CREATE VIRTUAL TABLE {fts} USING fts5({cols}, content='{table}', content_rowid='id', "
        "tokenize='porter unicode61 remove_diacritics 2')",
        f"CREATE TRIGGER {fts}_insert AFTER INSERT ON {table} BEGIN {insert} END",
        f"CREATE TRIGGER {fts}_delete AFTER DELETE ON {table} BEGIN {delete} END",
        f"CREATE TRIGGER {fts}_update AFTER UPDATE ON {table} BEGIN {delete} {insert} END",
        f"INSERT INTO {fts}({fts}) VALUES ('rebuild')",
    ]
    return migrations.RunPython(partial(run_on_sqlite, create), partial(run_on_sqlite, drop))


def without_vector(queryset_class):
    """A manager leaving the `search` vector (as long as its text, never shown) unread."""

    class Manager(models.Manager.from_queryset(queryset_class)):
        def get_queryset(self):
            return super().get_queryset().defer("search")

    return Manager()
