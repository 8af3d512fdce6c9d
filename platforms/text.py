"""Small text helpers shared by the public pages."""

import re
from functools import lru_cache

from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.text import slugify

# Pictographs, symbols and the joiners and variation selectors that extend them.
EMOJI = re.compile(
    "(?:[\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff\u2190-\u21ff\u2300-\u23ff]"
    "[\ufe0f\u200d\U0001f3fb-\U0001f3ff]*)+"
)


def hide_emoji(text):
    """Escaped text whose emoji are hidden from screen readers: headings like "🔍 Key
    insights" are read as "Key insights", while sighted readers still see the picture."""
    return mark_safe(  # noqa: S308 -- the text is escaped first; only our span is added
        EMOJI.sub(lambda m: f'<span aria-hidden="true">{m[0]}</span>', escape(text or ""))
    )


def page_key(permalink):
    """A comparison page's part of a capability's address: /Partnerships/ → partnerships."""
    return slugify(permalink.strip("/").replace("/", "-")) or "page"


_TAG = re.compile(r"(<[^>]*>)")


def hide_emoji_html(fragment):
    """hide_emoji for sanitized HTML: emoji in text (never inside a tag) are wrapped."""
    parts = _TAG.split(fragment or "")
    for index in range(0, len(parts), 2):
        parts[index] = EMOJI.sub(lambda m: f'<span aria-hidden="true">{m[0]}</span>', parts[index])
    return mark_safe("".join(parts))  # noqa: S308 -- sanitized HTML, only our span added


def linkable_html(fragment, fallback):
    """Inline HTML that may go inside a link of ours: a fragment holding its own link (<a>
    cannot nest) gives its plain text instead; an empty one the escaped fallback."""
    if not fragment:
        return escape(fallback)
    if "<a" in fragment:
        from sitecontent.markdown import plain_text_of_html

        return escape(plain_text_of_html(fragment))
    return fragment


@lru_cache(maxsize=4096)
def plain_text(fragment):
    """Plain text of sanitized inline HTML; most names have no markup and skip the parser.
    Remembered: a 4-platform compare asks for the same few titles 76 times (1 ms of 9 ms,
    tests/bench/benchmark.py, 2026-12-03)."""
    if "<" in fragment or "&" in fragment:
        from sitecontent.markdown import plain_text_of_html

        return plain_text_of_html(fragment)
    return fragment
