"""The ten platforms the launch research covers, with their parent companies.

The seeds label platforms differently from table to table ("Google (YouTube)", "Google";
"WhatsApp (Meta)", "WhatsApp"); the importer matches a row to a platform by the name before
the parenthesis (its slug), and keeps each table's own label on the row.
"""

from django.db import migrations

PLATFORMS = [
    ("facebook", "Facebook", "Meta"),
    ("twitter", "Twitter (X)", ""),
    ("google", "Google/YouTube", "Google"),
    ("telegram", "Telegram", ""),
    ("whatsapp", "WhatsApp", "Meta"),
    ("instagram", "Instagram", "Meta"),
    ("slack", "Slack", "Salesforce"),
    ("viber", "Viber", ""),
    ("linkedin", "LinkedIn", "Microsoft"),
    ("tiktok", "TikTok", "ByteDance"),
]


def add_platforms(apps, schema_editor):
    Platform = apps.get_model("platforms", "Platform")
    for order, (slug, name, parent) in enumerate(PLATFORMS, start=1):
        Platform.objects.get_or_create(
            slug=slug, defaults={"name": name, "parent_company": parent, "order": order}
        )


class Migration(migrations.Migration):
    dependencies = [("platforms", "0001_initial")]

    operations = [migrations.RunPython(add_platforms, migrations.RunPython.noop)]
