"""Visitors' tools for pages other features own, e.g. a platform's profile:

    {% load visitor_tools %}{% platform_changes platform %}

shows the latest changes about the platform (two queries), with links to its whole change log,
its Atom feed and the form to report an outdated claim about it."""

from django import template

from .. import changes

register = template.Library()


@register.inclusion_tag("includes/platform_changes.html")
def platform_changes(platform, heading_level=2):
    return {
        "platform": platform,
        "changes": changes.latest_changes(platform, 5),
        "heading_level": heading_level,
    }
