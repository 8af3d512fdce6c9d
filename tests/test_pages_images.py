"""Remote images are copied into the site's media on import, or degrade to their alt text.

A real HTTP server on 127.0.0.1 (in a thread) serves a real PNG, a text file named .png, a file
over the size cap and a 404, so the fetch, the cap and Pillow's check all run for real."""

import shutil
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from django.core.management import call_command
from PIL import Image

from sitecontent import remote_images
from sitecontent.models import Article
from tests.conftest import loopback_server, png_bytes

FILES = {
    "/hero.png": png_bytes((8, 6)) + b"trailing payload",
    "/fake.png": b"<html>not an image</html>",
    "/huge.png": b"\x89PNG" + b"0" * 3 * 1024 * 1024,
}


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 -- http.server's name
        body = FILES.get(self.path)
        if body is None:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def image_server(settings):
    """The loopback server, which the fetch may reach only because the test allows it."""
    settings.REMOTE_IMAGES = True
    settings.REMOTE_IMAGES_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    with loopback_server(Handler) as address:
        yield f"http://{address}"


@pytest.fixture
def media(settings):
    """The test media root (the URLconf serves it), with no copies from an earlier run."""
    settings.IMAGE_UPLOAD_MAX_BYTES = 2 * 1024 * 1024  # the policy's cap, smaller to test it
    root = Path(settings.MEDIA_ROOT)
    shutil.rmtree(root / remote_images.FOLDER, ignore_errors=True)
    yield root
    shutil.rmtree(root / remote_images.FOLDER, ignore_errors=True)


def test_a_reachable_png_is_copied_verified_and_reencoded(image_server, media):
    url = remote_images.copy_remote_image(f"{image_server}/hero.png")
    assert url.startswith("/media/remote/") and url.endswith(".png")
    stored = media / url.removeprefix("/media/")
    with Image.open(stored) as image:
        assert image.format == "PNG" and image.size == (8, 6)
    assert b"trailing payload" not in stored.read_bytes()
    # Content-addressed: fetching again gives the same file, not a second copy.
    assert remote_images.copy_remote_image(f"{image_server}/hero.png") == url
    assert len(list((media / "remote").iterdir())) == 1


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("/fake.png", "not a JPEG, PNG or WebP"),
        ("/huge.png", "larger than"),
        ("/gone.png", "cannot fetch"),
    ],
)
def test_a_bad_or_missing_image_is_refused_with_a_reason(image_server, media, path, reason):
    with pytest.raises(remote_images.ImageFetchError, match=reason):
        remote_images.copy_remote_image(image_server + path)
    assert not (media / "remote").exists() or not list((media / "remote").iterdir())


def test_body_images_are_rewritten_or_become_their_alt_text(image_server, media):
    text = (
        f"Before ![A red square]({image_server}/hero.png) and "
        f'![A chart]({image_server}/gone.png "title") after.'
    )
    rewritten, problems = remote_images.copy_remote_images(text)
    assert "![A red square](/media/remote/" in rewritten
    assert "(Image not shown: A chart)" in rewritten and "gone.png" not in rewritten
    assert len(problems) == 1 and "gone.png" in problems[0]


def article_document(tmp_path, hero, body_image):
    (tmp_path / "docs").mkdir()
    path = tmp_path / "docs" / "article.md"
    path.write_text(
        "---\ntitle: Pictures\nauthor: Ada\npublish_date: 2025-01-02\n"
        f"heroImage: '{hero}'\nheroImageAlt: 'A red square'\n---\n"
        f"Intro.\n\n![A diagram of the feed]({body_image})\n\nEnd.\n",
        "utf-8",
    )
    return path


def test_import_copies_the_hero_and_body_images_and_the_page_uses_the_copies(
    db, client, image_server, media, tmp_path
):
    path = article_document(tmp_path, f"{image_server}/hero.png", f"{image_server}/hero.png")
    assert not (media / "remote").exists()
    call_command("import_markdown", str(path), verbosity=0)
    article = Article.objects.get()
    assert article.hero_image_url.startswith("/media/remote/")
    soup = BeautifulSoup(client.get(article.get_absolute_url()).content, "lxml")
    sources = [img["src"] for img in soup.main.find_all("img")]
    assert sources == [article.hero_image_url, article.hero_image_url]
    assert client.get(article.hero_image_url).status_code == 200


def test_an_image_that_cannot_be_fetched_is_reported_and_shows_its_alt_text(
    db, client, image_server, media, tmp_path, capsys
):
    path = article_document(tmp_path, f"{image_server}/gone.png", f"{image_server}/fake.png")
    call_command("import_markdown", str(path), verbosity=0)
    reported = capsys.readouterr().err
    assert "gone.png" in reported and "fake.png" in reported
    article = Article.objects.get()
    soup = BeautifulSoup(client.get(article.get_absolute_url()).content, "lxml")
    assert soup.main.find_all("img") == []
    assert "A diagram of the feed" in soup.main.get_text()


def test_the_seed_article_imports_without_its_unreachable_images(seeded, client):
    article = Article.objects.get()
    assert article.hero_image_url == ""
    assert "magick.ai" not in article.body
    soup = BeautifulSoup(client.get(article.get_absolute_url()).content, "lxml")
    assert soup.main.find_all("img") == []
    assert "(Image not shown: AI Transforming Social Media)" in soup.main.get_text()
    assert not soup.main.select("p > em:only-child")  # no stray line of italics


def test_an_exported_article_imports_again_with_its_copied_images(
    db, client, image_server, media, tmp_path
):
    from platforms.markdown_io import export_documents, import_documents

    path = article_document(tmp_path, f"{image_server}/hero.png", f"{image_server}/hero.png")
    call_command("import_markdown", str(path), verbosity=0)
    before = Article.objects.get()
    documents = [(name, text.encode()) for name, text in export_documents()]
    Article.objects.all().delete()
    import_documents(documents)
    after = Article.objects.get()
    assert after.hero_image_url == before.hero_image_url != ""
    assert after.body == before.body


def test_a_dry_run_fetches_no_image_and_stores_no_file(db, image_server, media, tmp_path):
    from platforms.markdown_io import import_documents

    path = article_document(tmp_path, f"{image_server}/hero.png", f"{image_server}/fake.png")
    report = import_documents([(path.name, path.read_bytes())], dry_run=True)
    assert not (media / remote_images.FOLDER).exists()
    assert not Article.objects.exists()
    text = "\n".join(report.lines())
    assert f"would copy the image {image_server}/hero.png" in text
    assert f"would copy the image {image_server}/fake.png" in text
