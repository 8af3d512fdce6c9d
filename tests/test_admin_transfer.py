"""Import and export from the admin: dry run first, apply on confirmation, errors by file:line."""

import io
import zipfile

import pytest
from bs4 import BeautifulSoup
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from platforms.models import Cell, ComparisonPage
from sitecontent.models import Article

from .conftest import SEEDS_DIR

IMPORT = "admin:platforms_comparisonpage_import"
EXPORT = "admin:platforms_comparisonpage_export"


def seed_documents():
    return [(path.name, path.read_bytes()) for path in sorted(SEEDS_DIR.glob("*.txt"))]


def upload(name, data):
    return SimpleUploadedFile(name, data, content_type="text/markdown")


def zipped(documents):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in documents:
            archive.writestr(name, data)
    return buffer.getvalue()


def edited_seed(old, new):
    """A launch document containing `old`, with it replaced by `new`."""
    for name, data in seed_documents():
        text = data.decode("utf-8")
        if old in text:
            return name, text.replace(old, new, 1).encode("utf-8")
    raise LookupError(old)


def test_import_shows_the_dry_run_then_applies_on_confirmation(seeded, staff_client):
    cell = Cell.objects.exclude(note="").first()
    name, data = edited_seed(cell.note, "Note changed by an upload")
    preview = staff_client.post(reverse(IMPORT), {"files": [upload(name, data)]})
    assert preview.status_code == 200
    soup = BeautifulSoup(preview.content, "lxml")
    diff = soup.select_one(".import-diff").get_text()
    assert "Note changed by an upload" in diff and cell.note in diff
    cell.refresh_from_db()
    assert cell.note != "Note changed by an upload"  # a preview writes nothing

    token = soup.select_one("input[name=token]")["value"]
    applied = staff_client.post(reverse(IMPORT), {"apply": "1", "token": token})
    assert applied.status_code == 302
    assert Cell.objects.filter(note="Note changed by an upload").exists()
    page = ComparisonPage.objects.get(pk=cell.capability.table.page_id)
    assert "Note changed by an upload" in staff_client.get(page.permalink).text


def test_an_invalid_document_names_its_file_and_line_and_nothing_is_applied(seeded, staff_client):
    before = {c.pk: c.note for c in Cell.objects.all()}
    good_name, good = edited_seed("|", "|")
    bad = (
        b"---\ntitle: Broken\npermalink: /Broken/\n---\n\n| A | B |\n| --- | --- |\n| x | y | z |\n"
    )
    response = staff_client.post(
        reverse(IMPORT), {"files": [upload(good_name, good), upload("broken.md", bad)]}
    )
    assert response.status_code == 200
    error = BeautifulSoup(response.content, "lxml").select_one(".import-error")
    assert "broken.md:8" in error.get_text()
    assert not ComparisonPage.objects.filter(permalink="/Broken/").exists()
    assert {c.pk: c.note for c in Cell.objects.all()} == before


def test_a_zip_of_documents_imports_like_the_files(db, staff_client):
    archive = zipped([(f"launch/{name}", data) for name, data in seed_documents()])
    preview = staff_client.post(
        reverse(IMPORT), {"files": [SimpleUploadedFile("launch.zip", archive)]}
    )
    assert preview.status_code == 200
    token = BeautifulSoup(preview.content, "lxml").select_one("input[name=token]")["value"]
    assert not ComparisonPage.objects.exists()
    assert staff_client.post(reverse(IMPORT), {"apply": "1", "token": token}).status_code == 302
    assert ComparisonPage.objects.filter(permalink="/Partnerships/").exists()
    assert Article.objects.exists()


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("photo.png", b"\x89PNG", "not a Markdown document"),
        ("huge.md", b"a" * (1024 * 1024 + 1), "larger than 1024 KB"),
        ("broken.zip", b"PK not really", "not a readable zip file"),
    ],
)
def test_uploads_are_bounded_and_checked(db, staff_client, name, data, message):
    response = staff_client.post(reverse(IMPORT), {"files": [SimpleUploadedFile(name, data)]})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ComparisonPage.objects.exists()


def test_export_downloads_every_page_and_article_as_a_zip_that_imports_again(seeded, staff_client):
    response = staff_client.get(reverse(EXPORT))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert "attachment" in response["Content-Disposition"]
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        texts = {name: archive.read(name).decode("utf-8") for name in archive.namelist()}
    for page in ComparisonPage.objects.all():
        assert any(f"permalink: {page.permalink}" in text for text in texts.values())
    assert any(Article.objects.get().title in text for text in texts.values())
    preview = staff_client.post(
        reverse(IMPORT), {"files": [SimpleUploadedFile("export.zip", response.content)]}
    )
    assert "Nothing was imported" not in preview.content.decode()


def test_import_and_export_need_permissions(seeded, client, django_user_model):
    helper = django_user_model.objects.create_user("helper", password="pw-helper-1", is_staff=True)
    client.force_login(helper)
    assert client.get(reverse(IMPORT)).status_code == 403
    assert client.get(reverse(EXPORT)).status_code == 403
    client.logout()
    assert client.get(reverse(EXPORT)).status_code == 302  # to the login page


def damaged_zip(damage):
    """A zip of one document whose member is damaged the way `damage` says."""
    text = ("# Notes\n\n" + "Every claim is a row. " * 200).encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as writer:
        writer.writestr("doc.md", text)
    archive = buffer.getvalue()
    header = archive.index(b"PK\x03\x04")
    data_start = header + 30 + len("doc.md")
    central = archive.index(b"PK\x01\x02")
    patched = bytearray(archive)
    if damage == "crc":  # the stored checksum (local header and central directory) is wrong
        for offset in (header + 14, central + 16):
            patched[offset] ^= 0xFF
    elif damage == "encrypted":  # the "encrypted" flag, without a password anyone knows
        for offset in (header + 6, central + 8):
            patched[offset] |= 0x01
    elif damage == "deflate":  # the compressed stream itself is garbage
        for offset in range(data_start, data_start + 40):
            patched[offset] = 0xFF
    elif damage == "method":  # compression method 99 (AES), which zipfile cannot read
        for offset in (header + 8, central + 10):
            patched[offset : offset + 2] = (99).to_bytes(2, "little")
    return bytes(patched)


@pytest.mark.parametrize("damage", ["crc", "encrypted", "deflate", "method"])
def test_a_zip_that_cannot_be_read_is_a_form_error(db, staff_client, damage):
    upload = SimpleUploadedFile("docs.zip", damaged_zip(damage))
    response = staff_client.post(reverse(IMPORT), {"files": [upload]})
    assert response.status_code == 200
    assert "docs.zip/doc.md: cannot be read from the zip" in response.content.decode()
    assert not ComparisonPage.objects.exists()
