import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import Resolver404, resolve

PERMALINK_SHAPE = re.compile(r"^/(?:[A-Za-z0-9._~-]+/)+$")


def validate_permalink(value):
    """A permalink is a path like /Partnerships/ that no other part of the site already answers."""
    if not value.startswith("/") or not value.endswith("/"):
        raise ValidationError("A permalink must start and end with “/”, like /Partnerships/.")
    if not PERMALINK_SHAPE.match(value):
        raise ValidationError(
            "Use letters, digits, “-”, “_”, “.” or “~” between slashes, like /Partnerships/."
        )
    reserved = [settings.STATIC_URL, settings.MEDIA_URL, "/admin/", "/markdownx/", "/.well-known/"]
    if any(value.lower().startswith(prefix.lower()) for prefix in reserved):
        raise ValidationError(f"{value} belongs to the site itself; choose another permalink.")
    try:
        match = resolve(value)
    except Resolver404:
        return
    if match.url_name != "comparison-page":
        raise ValidationError(f"{value} belongs to the site itself; choose another permalink.")
