"""Draft / published status with a publish time, shared by comparison pages and articles.
Visibility is decided at query time, so scheduled items go live by themselves."""

from django.db import models
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"


class PublishableQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Status.PUBLISHED, publish_at__lte=timezone.now())

    def scheduled(self):
        return self.filter(status=Status.PUBLISHED, publish_at__gt=timezone.now())


class Publishable(models.Model):
    status = models.CharField(
        max_length=10,
        choices=Status,
        default=Status.DRAFT,
        help_text="Drafts are visible only to signed-in staff, who see a 'Draft preview' banner.",
    )
    publish_at = models.DateTimeField(
        "publish at",
        default=timezone.now,
        help_text="When a published item goes live. A future time schedules it: "
        "it stays hidden from visitors until then, and appears by itself.",
    )

    objects = PublishableQuerySet.as_manager()

    class Meta:
        abstract = True


def get_visible_or_404(request, queryset, **lookup):
    """(object, is_preview): live items to all, the rest to staff who may view them in the admin."""
    obj = get_object_or_404(queryset, **lookup)
    if obj.status == Status.PUBLISHED and obj.publish_at <= timezone.now():  # as published()
        return obj, False
    opts = obj._meta
    if request.user.is_staff and request.user.has_perm(f"{opts.app_label}.view_{opts.model_name}"):
        return obj, True
    raise Http404("Not published")
