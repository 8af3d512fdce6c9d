"""Small text helpers shared by the public pages."""

import re

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
