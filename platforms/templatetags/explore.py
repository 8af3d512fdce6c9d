"""What the home page shows of the comparison data, without sitecontent importing it."""

from django import template

from platforms.models import Platform
from platforms.text import hide_emoji

register = template.Library()


@register.simple_tag
def all_platforms():
    # By name: a list to find one in (the site order is for tables).
    return Platform.objects.public().order_by("name")


@register.simple_tag
def table_titles(page):
    """The page's table headings, to say what it covers."""
    return [t.title or t.section_heading for t in page.tables.all() if t.title or t.section_heading]


register.filter("hide_emoji", hide_emoji)
