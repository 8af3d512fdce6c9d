"""Comparison pages, articles and the platform register in and out of Markdown documents, for the
import/export commands and the admin: import_documents reads export_documents' output back into the
same database state. Modules: text (bytes → text), frontmatter, structure (token stream → sections,
tables, prose), tables (a table → orientation, levels, cells), apply (→ database), export."""

import time
from pathlib import Path

from django.db import transaction

from sitecontent import remote_images
from sitecontent.models import Article
from sitecontent.page_cache import retiring_once

from .apply import REGISTER_NAMES, PlatformIndex, apply_document, read_document
from .errors import DocumentError
from .export import export_documents

__all__ = ["DocumentError", "ImportReport", "export_documents", "import_documents", "read_paths"]

DOCUMENT_SUFFIXES = {".md", ".markdown", ".txt"}


class ImportReport:
    """What an import did (or, in a dry run, would do), document by document."""

    def __init__(self, reports, dry_run=False):
        self.reports, self.dry_run = reports, dry_run

    @property
    def changed(self):
        return any(report.changes for report in self.reports)

    def problems(self):
        return [f"{r.label}: {problem}" for r in self.reports for problem in r.problems]

    def lines(self, details=True):
        prefix = "would be " if self.dry_run else ""
        lines = []
        for report in self.reports:
            lines.append(prefix + report.summary())
            if report.kept:  # how it reads and what it would change do not matter
                continue
            lines.extend(f"  {note}" for note in report.notes)
            lines.extend(f"  problem: {problem}" for problem in report.problems)
            for action, _kind, what, changes in report.changes if details else []:
                lines.append(f"  {action} {what}")
                lines.extend(f"    {name}: {a!r} → {b!r}" for name, (a, b) in changes.items())
        return [*lines, "Dry run: nothing was written."] if self.dry_run else lines


def import_documents(documents, *, dry_run=False, keep_existing=False):
    """ImportReport of [(name, bytes)]. All or nothing: a DocumentError ("file:line: message")
    leaves the database as it was. A dry run reports what would change and writes nothing."""
    index = PlatformIndex()
    parsed = [read_document(name, data, index) for name, data in documents]
    claimed = {}  # two documents claiming one address or platform slug are an error naming both
    for document, (what, value) in ((d, claim) for d in parsed for claim in d.claims):
        if (other := claimed.setdefault((what, value), document.name)) != document.name:
            message = f"{what} {value} is also claimed by {other}; each must be unique"
            raise DocumentError(document.name, None, message)
    # Remote images are copied (a dry run names them) before the transaction opens: a slow
    # image server must not hold rows locked.
    deadline = time.monotonic() + remote_images.IMPORT_SECONDS
    for article in [d for d in parsed if d.kind == "article"]:
        if not (keep_existing and Article.objects.filter(slug=article.fields["slug"]).exists()):
            remote_images.copy_article_images(article.fields, article.report, deadline, dry_run)
    with transaction.atomic():
        with retiring_once():
            # The platform register first: pages may name platforms it defines.
            ordered = sorted(parsed, key=lambda document: document.kind != "register")
            reports = [apply_document(document, index, keep_existing) for document in ordered]
        if dry_run:
            transaction.set_rollback(True)
    return ImportReport(reports, dry_run)


def read_paths(paths):
    """[(name, bytes)] of files and folders' documents (symlinks out refused), in a stable order."""
    found = []
    for path in map(Path, paths):
        if not (path.is_dir() or path.is_file()):
            raise DocumentError(path, None, "no such file or folder")
        for child in sorted(path.iterdir()) if path.is_dir() else [path]:
            named = child.suffix in DOCUMENT_SUFFIXES or child.name in REGISTER_NAMES
            if not child.is_file() or not (named or child == path):
                continue
            if child.is_symlink() and not child.resolve().is_relative_to(path.resolve()):
                raise DocumentError(child, None, "a link to a file outside the folder; refused")
            found.append((str(child), child.read_bytes()))
    return found
