"""Atom feeds of the public change log: site-wide and per platform."""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse

from sitecontent.feeds import AtomFeed

from . import changes
from .models import Platform

FEED_LENGTH = 30


class ChangesFeed(Feed):
    feed_type = AtomFeed
    subtitle = "Every change to the published comparison research: claims, pages, articles."

    def get_object(self, request, slug=None):
        return get_object_or_404(Platform.objects.public(), slug=slug) if slug else None

    def title(self, platform):
        about = f" about {platform.name}" if platform else ""
        return f"{settings.SITE_NAME}: changes{about}"

    def link(self, platform):
        if platform:
            return reverse("platforms:platform-changes", args=[platform.slug])
        return reverse("platforms:changes")

    def items(self, platform):
        return changes.describe(list(changes.timeline(platform)[:FEED_LENGTH]))

    def item_title(self, change):
        return change.title

    def item_link(self, change):
        return change.url

    item_guid_is_permalink = False

    def item_guid(self, change):
        return f"tag:platform-compare,2026:{change.id}"

    def item_description(self, change):
        # Plain text only: the feed generator escapes it.
        if change.kind != changes.KIND_CELL or not change.note_changed:
            return change.title
        before, after = change.note_before or "(none)", change.note_after or "(none)"
        return f"Note before: {before} → after: {after}"

    def item_pubdate(self, change):
        return change.date

    item_updateddate = item_pubdate
