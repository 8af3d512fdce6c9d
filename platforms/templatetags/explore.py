from django import template

from platforms.models import Level
from platforms.text import hide_emoji, hide_emoji_html

register = template.Library()
register.filter("hide_emoji", hide_emoji)
register.filter("hide_emoji_html", hide_emoji_html)  # for sanitized inline HTML


@register.inclusion_tag("includes/level_legend.html")
def level_legend(legend=()):
    """The key to the level marks, for every page that shows levels, then a table's legend."""
    keys = [(level.mark, level.short_label, level) for level in Level]
    for symbol, level, meaning in legend:  # an image shows its level's mark, as its claims do
        keys.append((Level(level).mark if symbol.isascii() else symbol, meaning, Level(level)))
    return {"keys": keys}


def chart_levels(prefix):
    """A chart's <defs>: each level's fill (site.css draws it), url(#<prefix>-<level>); its key."""
    return {"levels": list(Level), "prefix": prefix}


register.inclusion_tag("includes/level_patterns.html", name="level_patterns")(chart_levels)
register.inclusion_tag("includes/chart_key.html", name="chart_key")(chart_levels)
