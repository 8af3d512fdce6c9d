"""The article's search vector, owned here (platforms 0007 used to add one from outside).

PostgreSQL: a generated column with a GIN index. SQLite: an FTS5 table with the porter stemmer,
kept by triggers (sitecontent.text_search)."""

import django.contrib.postgres.search
from django.db import migrations, models

import sitecontent.text_search
from sitecontent.text_search import fts5_operation

INDEX = "CREATE INDEX IF NOT EXISTS article_search ON sitecontent_article USING gin (search)"


def index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(INDEX)


class Migration(migrations.Migration):
    dependencies = [
        ("sitecontent", "0003_about_page"),
    ]

    operations = [
        migrations.AddField(
            model_name="article",
            name="search",
            field=models.GeneratedField(
                db_persist=True,
                expression=sitecontent.text_search.StoredVector(
                    "title", "subtitle", "description", "body"
                ),
                output_field=django.contrib.postgres.search.SearchVectorField(),
            ),
        ),
        migrations.RunPython(index, migrations.RunPython.noop),
        fts5_operation("sitecontent_article", ["title", "subtitle", "description", "body"]),
    ]
