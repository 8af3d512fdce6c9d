"""Articles in and out of Markdown documents (front matter + body), for the importer and
exporter of platforms.markdown_io, which hands this module the documents that are articles."""

import re

from django.utils import timezone
from django.utils.text import slugify

from .documents import front_matter_text, publication_fields, sync
from .models import Article
from .remote_images import copy_hero_image, copy_remote_images, remote_image_urls

ARTICLE_KEYS = {"author", "publish_date", "subtitle", "heroImage", "cta", "read_time"}


def is_article(metadata):
    return bool(ARTICLE_KEYS & metadata.keys())


def article_fields(front_matter, title):
    """Article fields from a document's FrontMatter (which raises file:line errors)."""
    if not front_matter.text("author"):
        raise front_matter.error("author", "an article needs an author in its front matter")
    reading_time = front_matter.get("read_time")
    match = re.match(r"^\s*(\d+)", str(reading_time))
    if reading_time not in (None, "") and not match:
        raise front_matter.error("read_time", f"read_time “{reading_time}” is not minutes")
    return {
        "title": title,
        "slug": slugify(front_matter.text("slug") or title)[:200],
        "subtitle": front_matter.text("subtitle"),
        "description": front_matter.text("description"),
        "author": front_matter.text("author"),
        "created_date": front_matter.date("created_date"),
        "hero_image_url": front_matter.text("heroImage"),
        "hero_image_alt": front_matter.text("heroImageAlt") or title,
        "call_to_action": front_matter.text("cta"),
        "body": front_matter.body.strip(),
        "reading_time": int(match[1]) if match else None,
        **front_matter.publication(),
    }


def apply_article(fields, report, keep_existing=False, dry_run=False):
    fields = dict(fields)
    slug = fields.pop("slug")
    existing = Article.objects.filter(slug=slug).first()
    if keep_existing and existing:
        report.kept = True
        return
    if fields["publish_at"] is None:
        fields["publish_at"] = existing.publish_at if existing else timezone.now()
    # A dry run fetches nothing and stores no file: it names the images the import would copy.
    if dry_run:
        remote = remote_image_urls(fields["hero_image_url"], fields["body"])
        report.notes.extend(f"would copy the image {url}" for url in remote)
    sync(report, "article", Article, {"slug": slug}, fields, existing)


def copy_images(fields, deadline, keep_existing=False):
    """Remote images become local copies, or their alt text (never a broken image). Called
    before the import's transaction opens: a slow image server must not hold rows locked."""
    if keep_existing and Article.objects.filter(slug=fields["slug"]).exists():
        return fields, []
    fields = dict(fields)
    fields["hero_image_url"], hero_problems = copy_hero_image(fields["hero_image_url"], deadline)
    fields["body"], body_problems = copy_remote_images(fields["body"], deadline)
    return fields, hero_problems + body_problems


def export_article(article):
    fields = {
        "title": article.title,
        "slug": article.slug,
        "subtitle": article.subtitle,
        "description": article.description,
        "author": article.author,
        "read_time": f"{article.reading_time} mins" if article.reading_time else None,
        **publication_fields(article),
        "created_date": article.created_date.isoformat() if article.created_date else None,
        "heroImage": article.hero_image_src,
        "heroImageAlt": article.hero_image_alt,
        "cta": article.call_to_action,
    }
    return front_matter_text(fields) + "\n" + article.body.strip() + "\n"
