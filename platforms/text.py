"""Small text helpers shared by the public pages."""

import re
from functools import lru_cache

from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.text import slugify

from sitecontent.markdown import plain_text_of_html

# Pictographs, symbols and the joiners and variation selectors that extend them.
EMOJI = re.compile(
    "(?:[\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff\u2190-\u21ff\u2300-\u23ff]"
    "[\ufe0f\u200d\U0001f3fb-\U0001f3ff]*)+"
)
_TAG = re.compile(r"(<[^>]*>)")


def _hide(text):
    return EMOJI.sub(lambda m: f'<span aria-hidden="true">{m[0]}</span>', text)


def hide_emoji(text):
    """Escaped text whose emoji screen readers skip: "🔍 Key insights" is read "Key insights"."""
    return mark_safe(_hide(escape(text or "")))  # noqa: S308 -- escaped first; our span added


def hide_emoji_html(fragment):
    """hide_emoji for sanitized HTML: emoji in text (never inside a tag) are wrapped."""
    parts = _TAG.split(fragment or "")  # text, tag, text, tag…
    parts[::2] = map(_hide, parts[::2])
    return mark_safe("".join(parts))  # noqa: S308 -- sanitized HTML, only our span added


def page_key(permalink):
    """A comparison page's part of a capability's address: /Partnerships/ → partnerships."""
    return slugify(permalink.strip("/").replace("/", "-")) or "page"


def linkable_html(fragment, fallback):
    """Inline HTML that may go inside a link of ours (<a> cannot nest): a fragment with a link
    of its own gives its plain text; an empty one the escaped fallback."""
    if not fragment:
        return escape(fallback)
    return escape(plain_text_of_html(fragment)) if "<a" in fragment else fragment


@lru_cache(maxsize=4096)
def plain_text(fragment):
    """Plain text of sanitized inline HTML; most names have no markup and skip the parser.
    Remembered: a compare page asks for the same few titles dozens of times."""
    return plain_text_of_html(fragment) if "<" in fragment or "&" in fragment else fragment
