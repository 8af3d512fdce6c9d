from pathlib import Path

from django.core.management.base import BaseCommand

from platforms.markdown_io import export_documents


class Command(BaseCommand):
    help = (
        "Write every comparison page and article, drafts included, and the platform register "
        "as Markdown into DIR. import_markdown reads it back into the same content."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path)

    def handle(self, *args, directory, **options):
        directory.mkdir(parents=True, exist_ok=True)
        for relative_path, text in export_documents():
            (directory / relative_path).write_text(text, encoding="utf-8")
            self.stdout.write(f"wrote {directory / relative_path}")
