"""Small text helpers shared by the public pages."""

import re
from functools import lru_cache, partial

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


def hide_emoji_html(fragment):
    """Sanitized HTML whose emoji (outside tags) screen readers skip: "🔍 Tips" is read "Tips"."""
    parts = _TAG.split(fragment or "")  # text, tag, text, tag…
    hide = partial(EMOJI.sub, lambda m: f'<span aria-hidden="true">{m[0]}</span>')
    parts[::2] = map(hide, parts[::2])
    return mark_safe("".join(parts))  # noqa: S308 -- sanitized HTML, only our span added


def hide_emoji(text):
    """hide_emoji_html for text, escaped first."""
    return hide_emoji_html(escape(text or ""))


def page_key(permalink):
    """A comparison page's part of a capability's address: /Partnerships/ → partnerships."""
    return slugify(permalink.strip("/").replace("/", "-")) or "page"


def linkable_html(fragment, fallback):
    """Inline HTML that may go inside a link of ours (<a> cannot nest): a fragment with a link
    of its own gives its plain text; an empty one the escaped fallback."""
    if not fragment:
        return escape(fallback)
    return escape(plain_text_of_html(fragment)) if "<a" in fragment else fragment


# Cached: a compare page asks for the plain text of the same few inline titles dozens of times.
plain_text = lru_cache(maxsize=4096)(plain_text_of_html)
