from django import template

from platforms.text import hide_emoji

register = template.Library()
register.filter("hide_emoji", hide_emoji)
