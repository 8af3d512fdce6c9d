"""The launch About page promised a source and a review date for every claim, which the data does
not have: its paragraph on sourcing now says what is true. A body editors have changed is left as
they wrote it."""

from django.db import migrations

PROMISE = """\
Each claim is checked against the platform's own documentation, help pages or announcements,
and reputable reporting. Sources are listed under each table, numbered from the cell they back,
with the date they were read. Every claim carries the date it was last reviewed; claims not
reviewed for 12 months are marked *possibly outdated*.
"""

FACTS = """\
Claims are researched from the platforms' own documentation, help pages and announcements, and
from reputable reporting. Not every claim cites a source or carries a review date yet: each page
says, at its foot, how many of its claims do. A claim's sources are listed under its table,
numbered from the cell they back, with the date they were read and the date the claim was last
reviewed; claims last reviewed more than 12 months ago are marked *possibly outdated*.
"""


def tell_the_facts(apps, schema_editor):
    from sitecontent.markdown import render_markdown

    AboutPage = apps.get_model("sitecontent", "AboutPage")
    for page in AboutPage.objects.filter(body__contains=PROMISE):
        page.body = page.body.replace(PROMISE, FACTS)
        page.body_html = render_markdown(page.body)
        page.save()


class Migration(migrations.Migration):
    dependencies = [("sitecontent", "0006_hero_image_first_party")]
    operations = [migrations.RunPython(tell_the_facts, migrations.RunPython.noop)]
