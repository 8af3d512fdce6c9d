import re
from urllib.parse import quote

from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import get_resolver

PERMALINK_SHAPE = re.compile(r"^/(?:[A-Za-z0-9._~-]+/)+$")
# What RFC 3986 never allows unescaped in a URL. In a source's URL each would break a way out
# and back in: ">" ends the export's [title](<url>), "|" splits the grid's "URL | title | date",
# whitespace and backslashes end or escape a Markdown link, control characters vanish on save.
NOT_IN_URLS = re.compile(r'[\x00-\x20\x7f"<>\\^`{|}]')


def validate_source_url(value):
    """A source's URL, the one rule of the admin, the grid and the importer: http(s) only,
    and every character a URL may hold unescaped (Django's URLValidator lets "a>b" through)."""
    if re.match(r"[A-Za-z][A-Za-z0-9+.-]*:", value) and not re.match(r"(?i)https?://", value):
        raise ValidationError("Use an http:// or https:// address.")
    if found := sorted(set(NOT_IN_URLS.findall(value))):
        written = ", ".join(f"“{char}” as {quote(char)}" for char in found)
        raise ValidationError(f"Write {written}: a URL holds no such character unescaped.")


def validate_one_line(value):
    """A column's name or a row's label is one line: a line break would end its Markdown table
    row, so the site's own export would no longer import (the grid, admin and importer)."""
    if any(char in value for char in "\r\n\v\f\x85\u2028\u2029"):
        raise ValidationError("Write it on one line.")


def first_segments(patterns, prefix=""):
    """The first path segment of every route of the URLconf but the permalink catch-all."""
    segments = set()
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if hasattr(pattern, "url_patterns"):
            segments |= first_segments(pattern.url_patterns, route)
        elif route and not route.startswith("<"):
            segments.add(route.lstrip("^").split("/")[0].split("<")[0].lower())
    return segments - {""}


def validate_permalink(value):
    """A permalink is a path like /Partnerships/ that no other part of the site answers: checked
    against the URLconf, so paths added later are refused too."""
    if not value.startswith("/") or not value.endswith("/"):
        raise ValidationError("A permalink must start and end with “/”, like /Partnerships/.")
    if not PERMALINK_SHAPE.match(value):
        raise ValidationError(
            "Use letters, digits, “-”, “_”, “.” or “~” between slashes, like /Partnerships/."
        )
    segments = value.strip("/").split("/")
    # "." and ".." would be resolved away by browsers; other dot names are hidden or reserved.
    if any(segment.startswith(".") for segment in segments):
        raise ValidationError("A part of a permalink may not start with “.”.")
    # Nothing under a path the site answers itself: static files (served beside the URLconf),
    # and the first part of every route (/embed/…, /data/…, /blog/…, robots.txt, later ones).
    reserved = (settings.STATIC_URL.lower(), settings.MEDIA_URL.lower())
    routes = first_segments(get_resolver().url_patterns)
    if value.lower().startswith(reserved) or segments[0].lower() in routes:
        raise ValidationError(f"{value} belongs to the site itself; choose another permalink.")
