"""Articles' search vector stored like the cells' one (0006), on PostgreSQL only.

0006's expression index on articles is never used: with a few articles the planner scans the
table, parsing every body (tens of KB each) on every search, 9-19 ms of a search at the launch
content × 10 (EXPLAIN ANALYZE of the article query in platforms/search.py). A column kept by
PostgreSQL's own trigger is read instead: matching parses nothing. It replaces that index.
"""

from django.db import migrations

FIELDS = ("title", "subtitle", "description", "body")
VECTOR = "to_tsvector('english'::regconfig, {})".format(
    " || ' ' || ".join(f"COALESCE({field}, '')" for field in FIELDS)
)

FORWARDS = [
    "DROP INDEX IF EXISTS sitecontent_article_search",
    "ALTER TABLE sitecontent_article ADD COLUMN IF NOT EXISTS search_vector tsvector",
    f"UPDATE sitecontent_article SET search_vector = {VECTOR}",
    "CREATE INDEX IF NOT EXISTS sitecontent_article_search_vector ON sitecontent_article "
    "USING gin (search_vector)",
    "DROP TRIGGER IF EXISTS sitecontent_article_search_vector ON sitecontent_article",
    "CREATE TRIGGER sitecontent_article_search_vector BEFORE INSERT OR UPDATE OF "
    f"{', '.join(FIELDS)} ON sitecontent_article FOR EACH ROW EXECUTE FUNCTION "
    f"tsvector_update_trigger(search_vector, 'pg_catalog.english', {', '.join(FIELDS)})",
]
BACKWARDS = [
    "DROP TRIGGER IF EXISTS sitecontent_article_search_vector ON sitecontent_article",
    "ALTER TABLE sitecontent_article DROP COLUMN IF EXISTS search_vector",
    f"CREATE INDEX IF NOT EXISTS sitecontent_article_search ON sitecontent_article "
    f"USING gin (({VECTOR}))",
]


def run(statements):
    def operation(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return operation


class Migration(migrations.Migration):
    dependencies = [
        ("platforms", "0006_search_vectors"),
        ("sitecontent", "0003_about_page"),
    ]

    operations = [migrations.RunPython(run(FORWARDS), run(BACKWARDS))]
