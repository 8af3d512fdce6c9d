"""An import's remote images, copied into the site's own media under images.py's policy and
named by content (README, "Exploring the data"). Only http(s) to public addresses is fetched:
every resolved address is checked, on every redirect, and connected to as checked, so DNS cannot
answer differently in between; deadlines per image and per import keep an import from hanging."""

import hashlib
import http.client
import ipaddress
import re
import socket
import ssl
import time
from io import BytesIO
from urllib.parse import urljoin, urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from .images import clean_image

IMAGE_SECONDS = 10  # the whole transfer of one image, redirects included
IMPORT_SECONDS = 60  # all the images of one import
WAIT_SECONDS = 3  # one wait for the server: to connect, or for the next bytes
MAX_REDIRECTS = 3
FOLDER = "remote"
MARKDOWN_IMAGE = re.compile(r'!\[(?P<alt>[^\]]*)\]\((?P<url>https?://[^\s)]+)(?:\s+"[^"]*")?\)')
DEFAULT_PORTS = {"http": 80, "https": 443}


class ImageFetchError(Exception):
    pass


def checked_address(host, port):
    """An address of host to connect to, when every address it resolves to may be fetched."""
    try:
        found = {info[4][0] for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)}
    except (OSError, UnicodeError) as error:
        raise ImageFetchError(f"cannot resolve {host}") from error
    allowed = [ipaddress.ip_network(net) for net in settings.REMOTE_IMAGES_ALLOWED_NETWORKS]
    for address in found:
        ip = ipaddress.ip_address(address.split("%")[0])
        ip = getattr(ip, "ipv4_mapped", None) or ip  # ::ffff:127.0.0.1 is 127.0.0.1
        if (not ip.is_global or ip.is_multicast) and not any(ip in net for net in allowed):
            raise ImageFetchError(f"{host} is not a public address ({ip}); it is not fetched")
    return sorted(found)[0]


class CheckedConnection(http.client.HTTPConnection):
    """HTTP or HTTPS to an address checked beforehand; TLS still verifies the host's name."""

    def __init__(self, host, port, address, scheme, timeout):
        super().__init__(host, port, timeout=timeout)
        self.address, self.tls = address, scheme == "https"

    def connect(self):
        sock = socket.create_connection((self.address, self.port), self.timeout)
        if self.tls:
            sock = ssl.create_default_context().wrap_socket(sock, server_hostname=self.host)
        self.sock = sock


def download(url, deadline):
    for _hop in range(MAX_REDIRECTS + 1):
        parts = urlsplit(url)
        if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
            raise ImageFetchError("only http and https addresses can be fetched")
        try:
            port = parts.port or DEFAULT_PORTS[parts.scheme]
        except ValueError as error:
            raise ImageFetchError(f"not a valid address ({error})") from error
        address = checked_address(parts.hostname, port)
        # Every wait for the server (connect, each read) is at most this; the whole transfer's
        # deadline is checked between reads, so a trickle cannot hold it open.
        timeout = max(0.1, min(WAIT_SECONDS, deadline - time.monotonic()))
        connection = CheckedConnection(parts.hostname, port, address, parts.scheme, timeout)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        try:
            connection.request("GET", target, headers={"User-Agent": "platform-compare-importer"})
            response = connection.getresponse()
            location = response.getheader("Location")
            if response.status in {301, 302, 303, 307, 308} and location:
                url = urljoin(url, location)  # checked like the first address, next time round
                continue
            if response.status != 200:
                raise ImageFetchError(f"cannot fetch it (HTTP {response.status})")
            data, limit = bytearray(), settings.IMAGE_UPLOAD_MAX_BYTES
            while len(data) <= limit:
                if time.monotonic() > deadline:
                    raise ImageFetchError(f"it took longer than {IMAGE_SECONDS} s")
                if not (chunk := response.read1(64 * 1024)):
                    return bytes(data)
                data += chunk
            raise ImageFetchError(f"it is larger than {limit // 2**20} MB")
        except (OSError, http.client.HTTPException) as error:
            raise ImageFetchError(f"cannot fetch it ({error})") from error
        finally:
            connection.close()
    raise ImageFetchError(f"more than {MAX_REDIRECTS} redirects")


def copy_remote_image(url, deadline=None):
    """The local URL of a copy of the image at url; raises ImageFetchError saying why not."""
    if not settings.REMOTE_IMAGES:
        raise ImageFetchError("remote images are not fetched here (DJANGO_REMOTE_IMAGES=0)")
    if deadline is not None and deadline <= time.monotonic():
        raise ImageFetchError("the import's time for fetching images ran out")
    data = download(url, min(time.monotonic() + IMAGE_SECONDS, deadline or float("inf")))
    try:
        cleaned = clean_image(BytesIO(data))
    except ValidationError as error:
        raise ImageFetchError(error.messages[0]) from error
    extension = cleaned.name.rsplit(".", 1)[1]
    name = f"{FOLDER}/{hashlib.sha256(data).hexdigest()[:24]}.{extension}"
    if not default_storage.exists(name):
        name = default_storage.save(name, ContentFile(cleaned.read()))
    return default_storage.url(name)


def copy_remote_images(markdown_text, deadline=None):
    """(text with remote images copied or replaced by their alt text, [problem])."""
    problems = []

    def replace(match):
        try:
            return f"![{match['alt']}]({copy_remote_image(match['url'], deadline)})"
        except ImageFetchError as error:
            problems.append(f"image {match['url']}: {error}; shown as its alt text")
            # Said as what it is, not a stray line of italics that reads like a caption.
            return f"(Image not shown: {match['alt']})" if match["alt"].strip() else ""

    return MARKDOWN_IMAGE.sub(replace, markdown_text or ""), problems


def is_first_party(url):
    return url.startswith("/") and not url.startswith("//")


def copy_article_images(fields, report, deadline=None, dry_run=False):
    """Copies an article's remote images (fields changed in place); on failure a report problem: the
    hero is left out (alt kept), a body image becomes its alt text. A dry run only notes them."""
    hero = fields["hero_image_url"]
    hero = "" if not hero or is_first_party(hero) else hero  # none, or the site's own copy
    if dry_run:
        body = [match["url"] for match in MARKDOWN_IMAGE.finditer(fields["body"])]
        report.notes += [f"would copy the image {url}" for url in [hero, *body] if url]
        return
    if hero:
        try:
            fields["hero_image_url"] = copy_remote_image(hero, deadline)
        except ImageFetchError as error:
            fields["hero_image_url"] = ""
            report.problems.append(f"hero image {hero}: {error}; left out, its alt text is kept")
    fields["body"], problems = copy_remote_images(fields["body"], deadline)
    report.problems += problems
