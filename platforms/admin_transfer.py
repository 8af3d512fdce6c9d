"""Markdown import and export in the admin, for editors who never use a shell: upload files or a
zip, read the importer's dry run, apply it (all or nothing, with import_markdown's errors,
file:line); export every page and article as one zip. Sizes are bounded before any is read whole."""

import io
import zipfile
import zlib
from functools import partial
from pathlib import PurePosixPath

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.crypto import get_random_string

from sitecontent.models import ContentVersion

# The same importer as the import_markdown and export_markdown commands.
from .markdown_io import DOCUMENT_SUFFIXES, DocumentError, export_documents, import_documents

MAX_FILES = 200
MAX_FILE_BYTES = 1024 * 1024  # one document
MAX_TOTAL_BYTES = 4 * 1024 * 1024  # everything uploaded (or unzipped) at once
SESSION_KEY = "markdown-import"
IMPORT_PERMISSIONS = [
    "platforms.add_comparisonpage",
    "platforms.change_comparisonpage",
    "platforms.delete_comparisontable",
    "sitecontent.add_article",
    "sitecontent.change_article",
]
EXPORT_PERMISSIONS = ["platforms.view_comparisonpage", "sitecontent.view_article"]
# A wrong checksum, a password, a damaged stream, a method zipfile cannot read.
UNREADABLE_MEMBER = (zipfile.BadZipFile, RuntimeError, NotImplementedError, zlib.error, EOFError)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(file, initial) for file in files if file]


class UploadForm(forms.Form):
    files = MultipleFileField(
        widget=MultipleFileInput(attrs={"accept": ".md,.markdown,.txt,.zip"}),
        label="Markdown files or a zip",
        help_text=f"Documents ending in .md, .markdown or .txt, or zip files of them: at most "
        f"{MAX_FILES} documents, {MAX_FILE_BYTES // 1024} KB each, "
        f"{MAX_TOTAL_BYTES // (1024 * 1024)} MB in all.",
    )

    def clean_files(self):
        """(name, bytes) of each document, uploaded or in a zip: counts and sizes are checked
        on what the files declare before anything is read, and again while reading."""
        entries = [entry for upload in self.cleaned_data["files"] for entry in members(upload)]
        if not entries:
            raise ValidationError("Choose at least one Markdown file.")
        if len(entries) > MAX_FILES:
            raise ValidationError(f"At most {MAX_FILES} documents at once.")
        if sum(size for _name, size, _open in entries) > MAX_TOTAL_BYTES:
            raise ValidationError(f"At most {MAX_TOTAL_BYTES // 2**20} MB at once.")
        documents = []
        for name, size, open_file in entries:
            if PurePosixPath(name).suffix.lower() not in DOCUMENT_SUFFIXES:
                raise ValidationError(f"{name}: not a Markdown document (.md, .markdown or .txt).")
            try:
                with open_file() as file:
                    data = file.read(MAX_FILE_BYTES + 1)
            except UNREADABLE_MEMBER as error:
                raise ValidationError(f"{name}: cannot be read from the zip ({error}).") from error
            if max(size, len(data)) > MAX_FILE_BYTES:  # a zip may understate a size
                raise ValidationError(f"{name}: larger than {MAX_FILE_BYTES // 1024} KB.")
            documents.append((name, data))
        return documents


def members(upload):
    """(name, declared size, opener) of a document, or of each visible file in a zip."""
    if not upload.name.lower().endswith(".zip"):
        return [(upload.name, upload.size, lambda: upload)]
    try:
        archive = zipfile.ZipFile(upload)
    except zipfile.BadZipFile as error:
        raise ValidationError(f"{upload.name}: not a readable zip file.") from error
    return [
        (f"{upload.name}/{info.filename}", info.file_size, partial(archive.open, info))
        for info in sorted(archive.infolist(), key=lambda info: info.filename)
        if not info.is_dir()
        and not PurePosixPath(info.filename).name.startswith(".")
        and "__MACOSX" not in info.filename
    ]


@permission_required(IMPORT_PERMISSIONS, raise_exception=True)
def import_view(request, model_admin):
    applying = request.method == "POST" and "apply" in request.POST
    upload = request.method == "POST" and not applying
    context = {
        **model_admin.admin_site.each_context(request),
        "title": "Import Markdown documents",
        "opts": model_admin.model._meta,
        "form": UploadForm(request.POST, request.FILES) if upload else UploadForm(),
    }
    try:
        if applying and (done := apply_import(request, context)):
            return done
        if upload and context["form"].is_valid():
            preview(request, context, context["form"].cleaned_data["files"])
    except DocumentError as error:  # the dry run's, or the database changed since the preview
        context["document_error"] = str(error)
    return TemplateResponse(request, "admin/platforms/import.html", context)


def preview(request, context, documents):
    """The dry run's report, and a token that applies this plan and no other."""
    version = ContentVersion.read()  # before the dry run: a change during it outdates the plan
    report = import_documents(documents, dry_run=True)
    token = get_random_string(24)
    texts = [(name, data.decode("latin-1")) for name, data in documents]
    request.session[SESSION_KEY] = {"token": token, "version": version, "documents": texts}
    context.update(report_lines=report.lines(), token=token)


def apply_import(request, context):
    """A redirect once the previewed import is applied; otherwise the page says why not."""
    stored = request.session.get(SESSION_KEY)
    if not stored or stored["token"] != request.POST.get("token"):
        messages.error(request, "That preview has expired (or was replaced): upload again.")
        return redirect("admin:platforms_comparisonpage_import")
    documents = [(name, text.encode("latin-1")) for name, text in stored["documents"]]
    if ContentVersion.read() != stored.get("version"):
        # Someone changed the site since the preview: what it said may no longer hold (a page
        # it would create may exist now), so it is made and shown again before anything is.
        messages.warning(request, "The site changed since your preview: check it again.")
        return preview(request, context, documents)
    report = import_documents(documents)
    del request.session[SESSION_KEY]
    summary = [line for line in report.lines() if not line.startswith(" ")]
    messages.success(request, f"Imported {len(documents)} document(s). " + " ".join(summary))
    return redirect("admin:platforms_comparisonpage_changelist")


@permission_required(EXPORT_PERMISSIONS, raise_exception=True)
def export_view(request, model_admin):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path, text in export_documents():
            archive.writestr(str(path), text)
    name = f"platform-compare-{timezone.localdate().isoformat()}.zip"
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    return HttpResponse(buffer.getvalue(), content_type="application/zip", headers=headers)
