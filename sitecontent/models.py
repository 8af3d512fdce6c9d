import math

from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.text import slugify
from markdownx.models import MarkdownxField
from simple_history.models import HistoricalRecords

from .images import VerifiedImageField
from .markdown import RenderedOnSave, plain_text_of_html, render_markdown
from .publishing import Publishable, PublishableQuerySet
from .remote_images import is_first_party
from .text_search import StoredVector, without_vector


def validate_first_party(value):
    if value and not is_first_party(value):
        raise ValidationError(
            "Only an image on this site (an address starting with /): upload the image instead."
        )


WORDS_PER_MINUTE = 200


class Article(Publishable):
    title = models.CharField(max_length=200, help_text="The headline, shown in lists and the feed.")
    slug = models.SlugField(
        max_length=200,
        unique=True,
        help_text="The article's address: /blog/<slug>/. Made from the title if left empty.",
        blank=True,
    )
    subtitle = models.CharField(
        max_length=300, blank=True, help_text="One line under the headline (optional)."
    )
    description = models.TextField(
        blank=True, help_text="A short summary for the blog index, the feed and search engines."
    )
    author = models.CharField(max_length=200, help_text="Shown as the byline and in the feed.")
    created_date = models.DateField(
        null=True, blank=True, help_text="When the article was first written (optional)."
    )
    updated_at = models.DateTimeField(auto_now=True)
    hero_image_url = models.CharField(
        "hero image address",
        max_length=500,
        blank=True,
        validators=[validate_first_party],
        help_text="An image on this site (/media/…): the import sets it when it copies a "
        "document's hero. To use another image, upload it as the hero image (pages show no "
        "other site's image).",
    )
    hero_image = VerifiedImageField(
        upload_to="heroes/",
        blank=True,
        help_text="An uploaded JPEG, PNG or WebP (at most 5 MB); wins over the URL.",
    )
    hero_image_alt = models.CharField(
        "hero image alt text",
        max_length=300,
        blank=True,
        help_text="Describe the image for people who cannot see it.",
    )
    call_to_action = models.TextField(
        blank=True, help_text="Shown in a box after the article (Markdown)."
    )
    call_to_action_html = models.TextField(blank=True, editable=False)
    body = MarkdownxField(help_text="The article in Markdown. Use ## for section headings.")
    body_html = models.TextField(blank=True, editable=False)
    reading_time = models.PositiveIntegerField(
        "reading time (minutes)",
        null=True,
        blank=True,
        help_text="Leave empty to compute it from the body (200 words a minute).",
    )
    reading_minutes = models.PositiveIntegerField(default=1, editable=False)
    # Kept by PostgreSQL itself (SQLite searches an FTS5 table): a search parses no body.
    search = models.GeneratedField(
        expression=StoredVector("title", "subtitle", "description", "body"),
        output_field=SearchVectorField(),
        db_persist=True,
    )

    objects = without_vector(PublishableQuerySet)
    history = HistoricalRecords(excluded_fields=["search"])

    class Meta:
        ordering = ["-publish_at", "-id"]
        get_latest_by = "publish_at"
        permissions = [("upload_image", "Can upload images in the Markdown editor")]

    def __str__(self):
        return self.title

    def clean(self):
        if (self.hero_image or self.hero_image_url) and not self.hero_image_alt.strip():
            raise ValidationError({"hero_image_alt": "Describe the hero image for screen readers."})

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = slugify(self.title)[:200]
        self.body_html = render_markdown(self.body)
        self.call_to_action_html = render_markdown(self.call_to_action)
        words = len(plain_text_of_html(self.body_html).split())
        self.reading_minutes = self.reading_time or max(1, math.ceil(words / WORDS_PER_MINUTE))
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("sitecontent:article-detail", kwargs={"slug": self.slug})

    @property
    def hero_image_src(self):
        if self.hero_image:
            return self.hero_image.url
        return self.hero_image_url if is_first_party(self.hero_image_url) else ""

    @property
    def meta_description(self):
        return self.description or self.subtitle or plain_text_of_html(self.body_html)[:300]


class AboutPage(RenderedOnSave, models.Model):
    """The "About and methodology" page at /about/: one page, maintained by editors."""

    title = models.CharField(max_length=200, default="About and methodology")
    description = models.CharField(
        max_length=300, blank=True, help_text="One or two sentences for search engines."
    )
    body = MarkdownxField(
        help_text="What the levels mean, how claims are sourced and reviewed, how to report a "
        "mistake. Markdown; use ## for section headings."
    )
    body_html = models.TextField(blank=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()
    markdown_fields = ["body"]

    class Meta:
        verbose_name = "about page"

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("sitecontent:about")

    @property
    def meta_description(self):
        return self.description or plain_text_of_html(self.body_html)[:300]


class ContentVersion(models.Model):
    """One row: a number bumped, in the change's own transaction, by every change to what public
    pages show, so the database says when cached pages are out of date (page_cache.py)."""

    value = models.BigIntegerField(default=0)

    def __str__(self):
        return f"content version {self.value}"

    @classmethod
    def read(cls):
        return cls.objects.filter(pk=1).values_list("value", flat=True).first() or 0

    @classmethod
    def bump(cls):
        while not cls.objects.filter(pk=1).update(value=models.F("value") + 1):
            cls.objects.get_or_create(pk=1)  # the row is gone (a test's flush empties tables)
