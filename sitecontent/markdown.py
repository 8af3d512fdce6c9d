"""The one way Markdown becomes HTML on this site: python-markdown, then the nh3 allow-list.

Every path uses it: stored fields rendered on save, the importer, and the markdownx admin preview
(settings.MARKDOWNX_MARKDOWNIFY_FUNCTION). Nothing else may produce HTML from editor input.
"""

import html
import re

import markdown
import nh3

BLOCK_TAGS = {
    "p", "br", "hr", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "blockquote", "pre", "code",
    "table", "thead", "tbody", "tr", "th", "td", "img", "figure", "figcaption",
}  # fmt: skip
INLINE_TAGS = {"a", "strong", "em", "b", "i", "code", "del", "sup", "sub", "br", "abbr"}
ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "abbr": {"title"},
    "th": {"scope"},
    "h2": {"id"},
    "h3": {"id"},
    "h4": {"id"},
    "ol": {"start"},
}
URL_SCHEMES = {"http", "https", "mailto"}
EXTENSIONS = ["tables", "fenced_code", "sane_lists", "toc"]
EXTENSION_CONFIGS = {"toc": {"permalink": False}}


def sanitize(html, inline=False):
    """Keep only the allow-listed tags and attributes; scripts, on* and javascript: never pass."""
    return nh3.clean(
        html,
        tags=INLINE_TAGS if inline else BLOCK_TAGS | INLINE_TAGS,
        attributes=ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        set_tag_attribute_values={"img": {"loading": "lazy"}} if not inline else None,
        strip_comments=True,
    )


def render_markdown(text):
    """Block Markdown (article bodies, intros, takeaways) to sanitized HTML."""
    if not text or not text.strip():
        return ""
    html = markdown.markdown(text, extensions=EXTENSIONS, extension_configs=EXTENSION_CONFIGS)
    return sanitize(html)


_OUTER_PARAGRAPH = re.compile(r"^\s*<p>(.*)</p>\s*$", re.DOTALL)


def render_inline(text):
    """One line of Markdown (a table cell's note) to sanitized inline HTML, without the <p>."""
    if not text or not text.strip():
        return ""
    html = markdown.markdown(text)
    match = _OUTER_PARAGRAPH.match(html)
    return sanitize(match.group(1) if match else html, inline=True)


def plain_text(text):
    """Markdown to plain text, for meta descriptions and reading times."""
    return plain_text_of_html(render_markdown(text))


def plain_text_of_html(fragment):
    stripped = html.unescape(nh3.clean(fragment, tags=set()))
    return re.sub(r"\s+", " ", stripped).strip()
