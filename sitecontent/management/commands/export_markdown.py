from pathlib import Path

from django.core.management.base import BaseCommand

from sitecontent.exporter import export_all


class Command(BaseCommand):
    help = (
        "Write every comparison page and article, drafts included, as Jekyll-style Markdown "
        "into DIR (sources and review dates as footnotes). import_markdown reads it back."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path)

    def handle(self, *args, directory, **options):
        for path in export_all(directory):
            self.stdout.write(f"wrote {path}")
