"""One upload policy for every image field: the article's hero image and the Markdown editor.

Each hostile file is sent through each field as an editor would (the admin form, the editor's
upload endpoint) and must be refused with a message, or stored as nothing but clean pixels.
"""

import io
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from sitecontent.models import Article
from sitecontent.publishing import Status

PAYLOAD = b"<script>alert(document.domain)</script>"


def jpeg_bytes(size=(8, 8), **save_options):
    buffer = io.BytesIO()
    Image.new("RGB", size, "navy").save(buffer, format="JPEG", **save_options)
    return buffer.getvalue()


def polyglot_jpeg():
    """A real JPEG with HTML in its comment segment and after its end: what a browser that
    sniffs would run as a page."""
    return jpeg_bytes(comment=PAYLOAD) + b"<html><body>" + PAYLOAD + b"</body></html>"


def png_with_text_chunk():
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Comment", PAYLOAD.decode())
    buffer = io.BytesIO()
    Image.new("RGBA", (8, 8), (255, 0, 0, 128)).save(buffer, format="PNG", pnginfo=info)
    return buffer.getvalue()


def webp_with_exif():
    exif = Image.Exif()
    exif[0x010E] = PAYLOAD.decode()  # ImageDescription
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "green").save(buffer, format="WEBP", exif=exif)
    return buffer.getvalue()


def png_claiming(width, height):
    """A tiny PNG whose header claims width × height pixels: a decompression bomb."""

    def chunk(kind, data):
        checksum = struct.pack(">I", zlib.crc32(kind + data))
        return struct.pack(">I", len(data)) + kind + data + checksum

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    pixels = zlib.compress(b"\x00" * (1 + (width + 7) // 8) * 1)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def _noise(image_format):
    buffer = io.BytesIO()
    Image.effect_noise((96, 96), 64).convert("RGB").save(buffer, format=image_format)
    return buffer.getvalue()


def jpeg_cut_in_half():
    data = _noise("JPEG")
    return data[: len(data) // 2]


def png_with_short_data_chunk():
    """A PNG whose IDAT chunk says it is longer than the data that follows (then IEND)."""
    data = _noise("PNG")
    start = data.index(b"IDAT") - 4
    (length,) = struct.unpack(">I", data[start : start + 4])
    return data[: start + 8 + length // 2] + data[-12:]


def png_with_huge_text_chunk():
    """A PNG with a zTXt chunk that inflates to 50 MB (about 50 KB on the wire)."""

    def chunk(kind, data):
        checksum = struct.pack(">I", zlib.crc32(kind + data))
        return struct.pack(">I", len(data)) + kind + data + checksum

    data = _noise("PNG")
    text = chunk(b"zTXt", b"Comment\0\0" + zlib.compress(b"A" * 50_000_000, 9))
    return data[:33] + text + data[33:]


def mpo_bytes():
    """A camera's MPO: a JPEG with a second image after it (Pillow reads it as format MPO)."""
    first, second = Image.new("RGB", (16, 16), "red"), Image.new("RGB", (16, 16), "blue")
    buffer = io.BytesIO()
    first.save(buffer, format="MPO", save_all=True, append_images=[second])
    return buffer.getvalue()


def oversize_jpeg():
    """A valid JPEG padded past the 5 MB limit (Pillow reads it; the size alone refuses it)."""
    return jpeg_bytes() + b"\0" * (5 * 1024 * 1024 + 1)


REFUSED = {
    "bomb 20000x20000": ("bomb.png", lambda: png_claiming(20000, 20000), "megapixels"),
    "12000x12000": ("big.png", lambda: png_claiming(12000, 12000), "megapixels"),
    "over 5 MB": ("huge.jpg", oversize_jpeg, "at most 5.0"),
    "PDF": ("paper.pdf", lambda: b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF", "not a JPEG"),
    "EPS": ("art.eps", lambda: b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 8 8\n", "not a JPEG"),
    "HTML": ("page.jpg", lambda: b"<html>" + PAYLOAD, "not a JPEG"),
    "SVG": ("logo.svg", lambda: b'<svg xmlns="http://www.w3.org/2000/svg" onload="x()"/>', "not a"),
    "GIF": ("anim.gif", lambda: b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "not a JPEG"),
    "JPEG cut in half": ("half.jpg", jpeg_cut_in_half, "cannot be read whole"),
    "PNG with a short data chunk": ("short.png", png_with_short_data_chunk, "cannot be read"),
    "PNG with a 50 MB text chunk": ("text.png", png_with_huge_text_chunk, "cannot be read"),
}

CLEANED = {
    "JPEG+HTML polyglot": ("photo.html", polyglot_jpeg, "JPEG", ".jpg"),
    "JPEG named .pdf": ("photo.pdf", jpeg_bytes, "JPEG", ".jpg"),
    "PNG with a text chunk": ("diagram.png", png_with_text_chunk, "PNG", ".png"),
    "WebP with EXIF": ("shot.webp", webp_with_exif, "WEBP", ".webp"),
    "MPO from a camera": ("stereo-camera.jpg", mpo_bytes, "JPEG", ".jpg"),
}


def stored_files(root):
    return [path for path in root.rglob("*") if path.is_file()]


# --- the two ways in ---------------------------------------------------------------------------


def upload_in_editor(client, name, content):
    response = client.post(
        "/markdownx/upload/",
        {"image": SimpleUploadedFile(name, content, content_type="image/jpeg")},
        headers={"x-requested-with": "XMLHttpRequest"},
    )
    errors = " ".join(response.json().get("image", [])) if response.status_code == 400 else ""
    return response.status_code, errors


def upload_as_hero(client, name, content):
    data = {
        "title": "Hero test",
        "slug": "hero-test",
        "author": "Editor",
        "status": Status.DRAFT,
        "publish_at_0": "2025-01-01",
        "publish_at_1": "00:00:00",
        "body": "Text",
        "hero_image_alt": "A picture",
        "hero_image": SimpleUploadedFile(name, content, content_type="image/jpeg"),
    }
    response = client.post(reverse("admin:sitecontent_article_add"), data)
    if response.status_code == 302:
        return 200, ""
    form = response.context["adminform"].form
    return 400, " ".join(form.errors.get("hero_image", []))


WAYS_IN = {"editor upload": upload_in_editor, "hero image": upload_as_hero}


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.mark.parametrize("way", WAYS_IN)
@pytest.mark.parametrize("case", REFUSED)
def test_hostile_files_are_refused_with_a_message(staff_client, media, way, case):
    name, make, message = REFUSED[case]
    status, errors = WAYS_IN[way](staff_client, name, make())
    assert status == 400
    assert message in errors
    assert stored_files(media) == []
    assert not Article.objects.exists()


@pytest.mark.parametrize("way", WAYS_IN)
@pytest.mark.parametrize("case", CLEANED)
def test_images_are_stored_as_clean_pixels_under_a_random_name(staff_client, media, way, case):
    name, make, image_format, extension = CLEANED[case]
    status, errors = WAYS_IN[way](staff_client, name, make())
    assert status == 200, errors
    [stored] = stored_files(media)
    assert stored.suffix == extension
    assert len(stored.stem) == 32 and name.rsplit(".", 1)[0] not in stored.name
    content = stored.read_bytes()
    assert b"<script" not in content and b"<html" not in content
    with Image.open(stored) as image:
        assert image.format == image_format
        assert "comment" not in image.info and "exif" not in image.info
        assert not getattr(image, "text", {})


def test_a_drafts_hero_image_is_not_at_a_guessable_address(staff_client, media):
    status, _ = upload_as_hero(staff_client, "launch-plans.jpg", jpeg_bytes())
    assert status == 200
    article = Article.objects.get()
    assert article.status == Status.DRAFT
    assert "launch-plans" not in article.hero_image.name
    assert article.hero_image.name.startswith("heroes/")


def test_an_unchanged_hero_image_is_kept_when_the_article_is_edited(staff_client, media):
    upload_as_hero(staff_client, "a.jpg", jpeg_bytes())
    article = Article.objects.get()
    name = article.hero_image.name
    article.title = "Retitled"
    article.full_clean()
    article.save()
    article.refresh_from_db()
    assert article.hero_image.name == name
    assert len(stored_files(media)) == 1


def test_photos_stay_upright_without_their_orientation_tag(staff_client, media):
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to display
    status, _ = upload_in_editor(staff_client, "p.jpg", jpeg_bytes((40, 20), exif=exif))
    assert status == 200
    [stored] = stored_files(media)
    with Image.open(stored) as image:
        assert image.size == (20, 40)
