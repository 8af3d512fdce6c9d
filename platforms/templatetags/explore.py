from django import template

from platforms.models import Level
from platforms.text import hide_emoji, hide_emoji_html

register = template.Library()
register.filter("hide_emoji", hide_emoji)
register.filter("hide_emoji_html", hide_emoji_html)  # for sanitized inline HTML


@register.inclusion_tag("includes/level_legend.html")
def level_legend():
    """The key to the level marks, for every page that shows levels."""
    return {"levels": list(Level)}
