"""Images that documents load from other sites are copied into the site's own media storage.

DESIGN.md: no third-party requests. On import, every remote image (an article's hero and the
images in its body) is fetched once, with a size cap and a timeout, accepted only under images.py's
upload policy (Pillow decodes it as JPEG, PNG or WebP within the byte and pixel limits; only its
pixels are re-encoded), and stored under a name made from its content, so importing again finds
the same file. One that cannot be fetched is reported
and replaced by its alt text: a visitor never sees a broken-image icon.
"""

import hashlib
import re
import urllib.error
import urllib.request
from io import BytesIO

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from .images import clean_image, max_bytes

TIMEOUT_SECONDS = 5
FOLDER = "remote"
MARKDOWN_IMAGE = re.compile(r'!\[(?P<alt>[^\]]*)\]\((?P<url>https?://[^\s)]+)(?:\s+"[^"]*")?\)')


class ImageFetchError(Exception):
    pass


def _download(url):
    request = urllib.request.Request(url, headers={"User-Agent": "platform-compare-importer"})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            data = response.read(max_bytes() + 1)
    except (urllib.error.URLError, OSError, ValueError) as error:
        raise ImageFetchError(f"cannot fetch it ({getattr(error, 'reason', error)})") from error
    if len(data) > max_bytes():
        raise ImageFetchError(f"it is larger than {max_bytes() // (1024 * 1024)} MB")
    return data


def copy_remote_image(url):
    """The local URL of a copy of the image at url; raises ImageFetchError saying why not."""
    if not url.lower().startswith(("http://", "https://")):
        raise ImageFetchError("only http and https addresses can be fetched")
    data = _download(url)
    try:
        cleaned = clean_image(BytesIO(data))
    except ValidationError as error:
        raise ImageFetchError(error.messages[0]) from error
    extension = cleaned.name.rsplit(".", 1)[1]
    name = f"{FOLDER}/{hashlib.sha256(data).hexdigest()[:24]}.{extension}"
    if not default_storage.exists(name):
        name = default_storage.save(name, ContentFile(cleaned.read()))
    return default_storage.url(name)


def copy_remote_images(markdown_text):
    """(text with remote images copied or replaced by their alt text, [problem])."""
    problems = []

    def replace(match):
        try:
            return f"![{match['alt']}]({copy_remote_image(match['url'])})"
        except ImageFetchError as error:
            problems.append(f"image {match['url']}: {error}; shown as its alt text")
            return f"*{match['alt']}*" if match["alt"].strip() else ""

    return MARKDOWN_IMAGE.sub(replace, markdown_text or ""), problems


def remote_image_urls(hero_url, markdown_text):
    """The remote images an import would copy: the hero (when remote), then the body's."""
    hero = [hero_url] if hero_url and hero_url.startswith(("http://", "https://")) else []
    return hero + [match["url"] for match in MARKDOWN_IMAGE.finditer(markdown_text or "")]


def copy_hero_image(url):
    """(local URL or "" when it cannot be copied, [problem])."""
    if not url:
        return "", []
    if url.startswith("/") and not url.startswith("//"):
        return url, []  # already the site's own (an export of a copied image)
    try:
        return copy_remote_image(url), []
    except ImageFetchError as error:
        return "", [f"hero image {url}: {error}; left out, its alt text is kept"]
