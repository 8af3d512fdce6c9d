"""Imports cannot reach inside the operator's network, nor hang on a slow image server.

The address filter is tested by resolving and refusing: no test connects to a private,
link-local or metadata address. The only server any test talks to is on 127.0.0.1, and the
loopback server counts its requests, so a refusal is shown to have sent nothing."""

import time
from http.server import BaseHTTPRequestHandler

import pytest

from platforms.markdown_io import import_documents
from sitecontent import remote_images
from sitecontent.models import Article
from tests.conftest import loopback_server, png_bytes


class Handler(BaseHTTPRequestHandler):
    seen = []

    def do_GET(self):  # noqa: N802 -- http.server's name
        Handler.seen.append(self.path)
        if self.path.startswith("/to/"):  # /to/<address>: a redirect there
            self.send_response(302)
            self.send_header("Location", "http://" + self.path.removeprefix("/to/"))
            self.end_headers()
        elif self.path == "/drip.png":  # one byte at a time, for ever
            self.send_response(200)
            self.send_header("Content-Length", "100000")
            self.end_headers()
            try:
                for _ in range(100):
                    self.wfile.write(b"\x89")
                    self.wfile.flush()
                    time.sleep(0.3)
            except OSError:
                pass
        else:
            body = png_bytes()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def loopback(settings):
    settings.REMOTE_IMAGES = True
    Handler.seen = []
    with loopback_server(Handler) as address:
        yield address


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data/iam",  # cloud metadata (link-local)
        "http://[fd00:ec2::254]/latest/meta-data",  # AWS metadata over IPv6 (unique local)
        "http://10.1.2.3/a.png",
        "http://172.16.0.1/a.png",
        "http://192.168.1.1/a.png",
        "http://100.64.0.1/a.png",  # carrier-grade NAT
        "http://0.0.0.0/a.png",
        "http://[::]/a.png",
        "http://[fe80::1]/a.png",
        "https://[::ffff:10.0.0.1]/a.png",  # an IPv4 private address written as IPv6
        "http://224.0.0.1/a.png",  # multicast
    ],
)
def test_private_link_local_and_metadata_addresses_are_refused_before_connecting(settings, url):
    settings.REMOTE_IMAGES = True
    with pytest.raises(remote_images.ImageFetchError, match="not a public address"):
        remote_images.copy_remote_image(url)


def test_loopback_names_and_addresses_are_refused_and_receive_nothing(loopback):
    port = loopback.split(":")[1]
    for url in [
        f"http://{loopback}/a.png",
        f"http://localhost:{port}/a.png",
        f"http://[::ffff:127.0.0.1]:{port}/a.png",
        f"http://127.1:{port}/a.png",
    ]:
        with pytest.raises(remote_images.ImageFetchError, match="not a public address"):
            remote_images.copy_remote_image(url)
    assert Handler.seen == []


def test_other_schemes_are_refused(settings):
    settings.REMOTE_IMAGES = True
    for url in ["file:///etc/passwd", "ftp://example.org/a.png", "gopher://x/", "http:///a.png"]:
        with pytest.raises(remote_images.ImageFetchError, match="only http and https"):
            remote_images.copy_remote_image(url)


def test_a_redirect_to_an_internal_address_is_refused(loopback, settings):
    settings.REMOTE_IMAGES_ALLOWED_NETWORKS = ["127.0.0.0/8"]  # the first hop only
    with pytest.raises(remote_images.ImageFetchError, match="not a public address"):
        remote_images.copy_remote_image(f"http://{loopback}/to/169.254.169.254/latest/")
    assert Handler.seen == ["/to/169.254.169.254/latest/"]
    # The same server's redirect to itself is followed (the network is allowed here).
    assert remote_images.copy_remote_image(f"http://{loopback}/to/{loopback}/ok.png").startswith(
        "/media/remote/"
    )


def test_a_server_that_drips_bytes_is_given_up_at_the_deadline(loopback, settings, monkeypatch):
    settings.REMOTE_IMAGES_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    monkeypatch.setattr(remote_images, "IMAGE_SECONDS", 1)
    started = time.monotonic()
    with pytest.raises(remote_images.ImageFetchError, match="longer than 1 s"):
        remote_images.copy_remote_image(f"http://{loopback}/drip.png")
    assert time.monotonic() - started < 2


def article(hero):
    return (
        "article.md",
        f"---\ntitle: Pictures\nauthor: Ada\npublish_date: 2025-01-02\nheroImage: '{hero}'\n"
        "heroImageAlt: 'A square'\n---\nIntro.\n".encode(),
    )


def test_an_import_names_the_refused_hero_and_publishes_no_foreign_image(db, loopback):
    report = import_documents([article(f"http://{loopback}/hero.png")])
    assert Handler.seen == []
    assert Article.objects.get().hero_image_url == ""
    assert any("not a public address" in problem for problem in report.problems())


def test_fetching_can_be_turned_off_and_then_nothing_is_fetched(db, loopback, settings):
    settings.REMOTE_IMAGES = False
    settings.REMOTE_IMAGES_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    report = import_documents([article(f"http://{loopback}/hero.png")])
    assert Handler.seen == [] and Article.objects.get().hero_image_url == ""
    assert any("DJANGO_REMOTE_IMAGES=0" in problem for problem in report.problems())


@pytest.mark.django_db(transaction=True)
def test_images_are_fetched_before_the_import_transaction_opens(loopback, settings):
    """While the image server answers, no transaction of the import is open yet: the database
    is free for everyone else (a slow server used to hold row locks for its whole transfer)."""
    from django.db import connection

    settings.REMOTE_IMAGES_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    seen_in_transaction = []
    original = remote_images.download

    def download(url, deadline):
        seen_in_transaction.append(connection.in_atomic_block)
        return original(url, deadline)

    remote_images.download, restore = download, original
    try:
        import_documents([article(f"http://{loopback}/hero.png")])
    finally:
        remote_images.download = restore
    assert seen_in_transaction == [False]
    assert Article.objects.get().hero_image_url.startswith("/media/remote/")


def test_the_hero_is_always_first_party(db, client, admin_client):
    """An address of another site is refused in the admin, and one already stored (an older
    database) is not shown: pages never hotlink another site's image."""
    from django.urls import reverse

    article = Article.objects.create(
        title="Hero",
        author="Ada",
        body="Text.",
        hero_image_url="https://elsewhere.example/a.jpg",
        hero_image_alt="A picture",
    )
    assert b"elsewhere.example" not in client.get(article.get_absolute_url()).content
    change = reverse("admin:sitecontent_article_change", args=[article.pk])
    page = admin_client.get(change)
    form = page.context["adminform"].form
    data = {name: form[name].value() or "" for name in form.fields}
    data.update(hero_image_url="https://elsewhere.example/b.jpg", status="published")
    response = admin_client.post(change, data)
    assert response.status_code == 200  # the form again, with the message
    assert "Only an image on this site" in response.content.decode()
