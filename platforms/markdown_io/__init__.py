"""Comparison pages, articles and the platform register in and out of Markdown documents.

The public API (the import_markdown/export_markdown commands and the admin's import screen use
exactly this):

    import_documents(documents, *, dry_run=False, keep_existing=False) -> ImportReport
        documents: a list of (name, bytes). All or nothing: raises DocumentError, whose str() is
        "file:line: message", with nothing written. dry_run reports what would change and
        writes nothing. ImportReport.lines() is the human-readable summary and diff.
    export_documents() -> [(relative_path, text)]
        Every page and article (drafts too) and the platform register, as documents that
        import_documents reads back into the same database state.
    read_paths(paths) -> [(name, bytes)]
        Files and the documents in folders, in a stable order; symlinks that leave a folder
        are refused.

Modules, one concern each: text (bytes → text), frontmatter (YAML/TOML → typed fields),
structure (token stream → sections, tables, prose), tables (a table → orientation, levels,
cells), apply (→ database, with the report), export (database → documents).
"""

from .errors import DocumentError
from .export import export_documents
from .importing import ImportReport, import_documents, read_paths

__all__ = ["DocumentError", "ImportReport", "export_documents", "import_documents", "read_paths"]
