"""What the home page shows of the comparison data, without sitecontent importing it."""

from django import template

from platforms.models import Level, Platform
from platforms.text import hide_emoji

register = template.Library()


@register.simple_tag
def all_platforms():
    return Platform.objects.public()  # in the site's order, as every other list of them


@register.inclusion_tag("includes/level_legend.html")
def level_legend():
    """The key to the level marks, for every page that shows levels."""
    return {"levels": list(Level)}


@register.simple_tag
def table_titles(page):
    """The page's table headings, to say what it covers."""
    return [t.title or t.section_heading for t in page.tables.all() if t.title or t.section_heading]


@register.filter(name="hide_emoji")
def hide_emoji_filter(text):
    """Escaped text with its emoji hidden from screen readers (they are decoration)."""
    return hide_emoji(text)
