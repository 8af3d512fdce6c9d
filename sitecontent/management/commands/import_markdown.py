from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from sitecontent.importer import (
    SEEDS_DIR,
    DocumentError,
    apply_document,
    collect_paths,
    parse_document,
)


class Command(BaseCommand):
    help = (
        "Import Jekyll-style Markdown documents (files or folders) as comparison pages and "
        "articles. With no path, imports the launch content shipped in sitecontent/seeds/. "
        "All or nothing: one bad document leaves the database exactly as it was."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="*", help="Files or folders; default: the seeds.")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Print what would be created, changed (field by field) or left alone; "
            "write nothing.",
        )
        parser.add_argument(
            "--keep-existing",
            action="store_true",
            help="Only add documents that are not in the database yet; never overwrite edits.",
        )

    def handle(self, *args, paths, dry_run, keep_existing, verbosity, **options):
        try:
            documents = [parse_document(path) for path in collect_paths(paths or [SEEDS_DIR])]
            with transaction.atomic():
                for document in documents:
                    report = apply_document(document, keep_existing=keep_existing)
                    if verbosity or dry_run:
                        self.stdout.write(("would be " if dry_run else "") + report.summary())
                    for problem in report.problems:
                        self.stderr.write(f"{document.path}: {problem}")
                    if dry_run or verbosity > 1:
                        for action, what, changes in report.changes:
                            self.stdout.write(f"  {action} {what}")
                            for name, (before, after) in changes.items():
                                self.stdout.write(f"    {name}: {before!r} → {after!r}")
                if dry_run:
                    transaction.set_rollback(True)
        except DocumentError as error:
            raise CommandError(f"Nothing was imported. {error}") from error
        if dry_run:
            self.stdout.write("Dry run: nothing was written.")
