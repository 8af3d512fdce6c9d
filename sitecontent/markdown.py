"""The one Markdown dialect (README, "The Markdown dialect") and the one nh3 sanitizer every
bit of HTML leaves through: fields rendered on save, the importer and the admin preview."""

import hashlib
import html
import re
from functools import cache

import nh3
from django.db import models
from django.utils.text import slugify
from markdown_it import MarkdownIt
from mdit_py_plugins.anchors import anchors_plugin
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.footnote.index import (
    render_footnote_anchor,
    render_footnote_anchor_name,
    render_footnote_open,
    render_footnote_ref,
)

MAX_NESTING = 20
MAX_MARKDOWN_CHARS = 100_000
# The parser scans ahead from each of these: tens of thousands (never in a real text) take seconds.
MAX_OPENERS = {"[": 5_000, "<": 10_000, "|": 5_000}

BLOCK_TAGS = {
    "p", "br", "hr", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "blockquote", "pre", "code",
    "table", "thead", "tbody", "tr", "th", "td", "img", "figure", "figcaption", "section",
}  # fmt: skip
INLINE_TAGS = {"a", "strong", "em", "b", "i", "code", "del", "s", "sup", "sub", "br", "abbr", "img"}
ATTRIBUTES = {
    "a": {"href", "title", "id"},
    "img": {"src", "alt", "title", "width", "height"},
    "abbr": {"title"},
    "th": {"scope"},
    **{heading: {"id"} for heading in ("h2", "h3", "h4")},
    "ol": {"start"},
    "li": {"id"},
}
# Footnotes are marked with these classes; no other class passes, and no style (the pages'
# Content-Security-Policy forbids inline styles, so a column's alignment is not kept).
ALLOWED_CLASSES = {
    "sup": {"footnote-ref"},
    "a": {"footnote-backref"},
    "section": {"footnotes"},
    "ol": {"footnotes-list"},
    "li": {"footnote-item"},
    "hr": {"footnotes-sep"},
}
URL_SCHEMES = {"http", "https", "mailto"}


@cache
def parser(inline_breaks=False, blocks_only=False):
    """inline_breaks: a line break is a <br> (cell notes, whose line breaks the author meant).
    blocks_only: inline content left unparsed, for the importer's one linear block parse."""
    md = MarkdownIt("gfm-like", {"maxNesting": MAX_NESTING, "breaks": inline_breaks})
    md.use(footnote_plugin, always_match_refs=True)
    md.core.ruler.before("footnote_tail", "shared_footnotes", _shared_footnotes)
    md.add_render_rule("footnote_ref", _footnote_ref)
    md.add_render_rule("footnote_anchor_name", _footnote_anchor_name)
    md.add_render_rule("footnote_anchor", _footnote_backref)
    md.add_render_rule("footnote_open", _footnote_open)
    md.use(anchors_plugin, min_level=2, max_level=4, slug_func=lambda t: slugify(t) or "section")
    if blocks_only:
        md.core.ruler.disable(["inline", "anchor", "shared_footnotes", "footnote_tail"])
    return md


# A footnote defined in one text and referenced from another on the same page (a table cell, the
# text under the table) is listed with an id made of its label, which the reference links to.
# Footnotes defined and referenced in one text keep the plugin's numbered ids, prefixed per text.
def shared_footnote_id(label):
    return "fn-" + (slugify(label) or "note")


def _shared_footnotes(state):
    data = state.env.get("footnotes")
    if not data:
        return
    defined = {t.meta["label"] for t in state.tokens if t.type == "footnote_reference_open"}
    external = state.env.setdefault("external_footnotes", set())
    for key, entry in list(data["list"].items()):
        if entry.get("label") is not None and entry["label"] not in defined:
            external.add(entry["label"])
            del data["list"][key]
    for key, number in data["refs"].items():
        if number < 0 and key[1:] in defined:  # defined here, referenced from another text
            data["list"][max(data["list"], default=-1) + 1] = {"label": key[1:], "shared": True}


def _footnote(tokens, idx, env):
    return env.get("footnotes", {}).get("list", {}).get(tokens[idx].meta["id"], {})


def _footnote_ref(self, tokens, idx, options, env):
    label = tokens[idx].meta["label"]
    if label in env.get("external_footnotes", ()):
        href = shared_footnote_id(label)
        return f'<sup class="footnote-ref"><a href="#{href}">[{html.escape(label)}]</a></sup>'
    return render_footnote_ref(self, tokens, idx, options, env)


def _footnote_anchor_name(self, tokens, idx, options, env):
    if _footnote(tokens, idx, env).get("shared"):
        return shared_footnote_id(tokens[idx].meta["label"])[2:]
    return render_footnote_anchor_name(self, tokens, idx, options, env)


def _footnote_open(self, tokens, idx, options, env):
    """A footnote cited here: its numbered id, and its label's id for other texts (a table cell)."""
    opening = render_footnote_open(self, tokens, idx, options, env)
    entry = _footnote(tokens, idx, env)
    if entry.get("label") is None or entry.get("shared"):
        return opening
    return f'{opening}<a id="{shared_footnote_id(entry["label"])}"></a>'


def _footnote_backref(self, tokens, idx, options, env):
    if _footnote(tokens, idx, env).get("shared"):
        return ""
    return render_footnote_anchor(self, tokens, idx, options, env)


def sanitize(fragment, inline=False):
    """Keep only the allow-listed tags and attributes; scripts, on* and javascript: never pass."""
    return nh3.clean(
        fragment,
        tags=INLINE_TAGS if inline else BLOCK_TAGS | INLINE_TAGS,
        attributes=ATTRIBUTES,
        allowed_classes=ALLOWED_CLASSES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        set_tag_attribute_values={"img": {"loading": "lazy"}},
        strip_comments=True,
    )


def _unparsable(text):
    return len(text) > MAX_MARKDOWN_CHARS or any(
        text.count(opener) > limit for opener, limit in MAX_OPENERS.items()
    )


def render_markdown(text):
    """Block Markdown (article bodies, intros, takeaways) to sanitized HTML."""
    if not text or not text.strip():
        return ""
    if _unparsable(text):  # escaped paragraphs: nothing lost, nothing parsed
        paragraphs = re.split(r"\n\s*\n", text.strip())
        return sanitize("\n".join(f"<p>{html.escape(p)}</p>" for p in paragraphs if p.strip()))
    # Footnote ids carry a digest of the text: two texts on a page, each with a [^1], never clash.
    doc_id = hashlib.blake2s(text.encode(), digest_size=3).hexdigest()
    return sanitize(parser().render(text, {"docId": doc_id}))


def render_inline(text):
    """A one-line field (cell note, row label, column header, title) as sanitized inline HTML: no
    <p>, no block syntax ("#1", "2004.", "+ 2 more", "> 5 GB" stay), typed line breaks kept."""
    if not text or not text.strip():
        return ""
    if _unparsable(text):
        return html.escape(text)
    return sanitize(parser(inline_breaks=True).renderInline(text.strip()), inline=True)


class RenderedOnSave:
    """A model mixin: saving renders `inline_fields` and `markdown_fields` into `<name>_html`."""

    inline_fields = markdown_fields = ()

    def save(self, *args, **kwargs):
        for name in self.inline_fields:
            setattr(self, f"{name}_html", render_inline(getattr(self, name)))
        for name in self.markdown_fields:
            setattr(self, f"{name}_html", render_markdown(getattr(self, name)))
        super().save(*args, **kwargs)


# Block ends, where the words of two blocks would otherwise run together ("…Twitter Best for…").
BLOCK_END = re.compile(r"<br\s*/?>|</(?:p|li|h[1-6]|td|th|blockquote|pre|dt|dd)>", re.IGNORECASE)


def plain_text(text):
    """Markdown to plain text, for meta descriptions and reading times: each block a sentence."""
    blocks = (plain_text_of_html(part) for part in BLOCK_END.split(render_markdown(text)))
    return " ".join(
        block if block.endswith((".", "!", "?", ":", ";", "…")) else f"{block}."
        for block in blocks
        if block
    )


def plain_text_of_inline(text):
    """A one-line Markdown field as the words it shows (for captions read aloud, sorting)."""
    return plain_text_of_html(render_inline(text))


def plain_text_of_html(fragment):
    # Without a tag (or what the HTML parser drops: NULs, a leading byte order mark) there are
    # only character references to decode, faster without the parser: most names and titles.
    if "<" in fragment or "\x00" in fragment or fragment.startswith("\ufeff"):
        fragment = nh3.clean(fragment, tags=set())
    return re.sub(r"\s+", " ", html.unescape(fragment)).strip()


# XML 1.0 cannot carry these (feeds and sitemaps are XML), and no text here needs them.
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def without_control_characters(value):
    """Text without the C0 controls that XML forbids (tab, newline and return stay)."""
    return CONTROL_CHARACTERS.sub("", value) if isinstance(value, str) else value


def strip_control_characters(sender, instance, **kwargs):
    """pre_save, for every model of the site: no text field stores a control character."""
    for field in instance._meta.concrete_fields:
        if isinstance(field, models.CharField | models.TextField):
            value = getattr(instance, field.attname)
            setattr(instance, field.attname, without_control_characters(value))
