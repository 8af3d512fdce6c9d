from django.core.management.base import BaseCommand, CommandError

from platforms.markdown_io import DocumentError, import_documents, read_paths
from sitecontent.seeds import SEEDS_DIR


class Command(BaseCommand):
    help = (
        "Import Markdown documents (files, folders; by default the launch content) as comparison "
        "pages, articles and the platform register (platforms.yaml). All or nothing: an error "
        "names its file and line, and nothing is written."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="*", help="Files or folders; default: the seeds.")
        dry_run = "Print what would be created, changed (field by field) or left; write nothing."
        parser.add_argument("--dry-run", action="store_true", help=dry_run)
        keep = "Only add documents that are not in the database yet; never overwrite edits."
        parser.add_argument("--keep-existing", action="store_true", help=keep)

    def handle(self, *args, paths, dry_run, keep_existing, verbosity, **options):
        try:
            documents = read_paths(paths or [SEEDS_DIR])
            report = import_documents(documents, dry_run=dry_run, keep_existing=keep_existing)
        except DocumentError as error:
            raise CommandError(f"Nothing was imported. {error}") from error
        for problem in report.problems():
            self.stderr.write(problem)
        if verbosity or dry_run:
            for line in report.lines(details=dry_run or verbosity > 1):
                self.stdout.write(line)
