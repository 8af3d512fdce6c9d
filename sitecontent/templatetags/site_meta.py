"""Open Graph, Twitter card and JSON-LD tags for every page, with absolute URLs, read from what
the view put in the context: an `article`, a comparison `page`, or `og_title`, `og_description`
and `json_ld` (one more schema.org document)."""

import json

from django import template
from django.conf import settings
from django.templatetags.static import static
from django.urls import reverse
from django.utils.safestring import mark_safe

register = template.Library()

DEFAULT_IMAGE = "img/og-default.png"


def json_for_script(data):
    """JSON that cannot close its <script> element or start a comment."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def breadcrumbs(request, title, name, absolute):
    home = reverse("home")
    crumbs = [(settings.SITE_NAME, absolute(home))]
    if name == "article-detail":
        crumbs.append(("Blog", absolute(reverse("sitecontent:article-list"))))
    if request.path != home:
        crumbs.append((title, absolute(request.path)))
    return {
        "@context": "https://schema.org",
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": i, "name": crumb, "item": url}
            for i, (crumb, url) in enumerate(crumbs, start=1)
        ],
    }


def article_json_ld(article, absolute, image):
    return {
        "@context": "https://schema.org",
        "@type": "Article",
        "headline": article.title,
        "description": article.meta_description,
        "author": {"@type": "Person", "name": article.author},
        "datePublished": article.publish_at.isoformat(),
        "dateModified": article.updated_at.isoformat(),
        "image": absolute(image),
        "mainEntityOfPage": absolute(article.get_absolute_url()),
        "publisher": {"@type": "Organization", "name": settings.SITE_NAME},
    }


@register.inclusion_tag("includes/discovery_meta.html", takes_context=True)
def discovery_meta(context):
    request = context["request"]
    name = getattr(request.resolver_match, "url_name", "")
    article = context.get("article") if name == "article-detail" else None
    subject = article or (context.get("page") if name == "comparison-page" else None)
    title = context.get("og_title") or (subject.title if subject else settings.SITE_NAME)
    description = context.get("og_description") or getattr(subject, "meta_description", "")
    description = description or settings.SITE_TAGLINE
    image = (article.hero_image_src if article else "") or static(DEFAULT_IMAGE)
    absolute = request.build_absolute_uri
    documents = [breadcrumbs(request, title, name, absolute)]
    if article is not None:
        documents.append(article_json_ld(article, absolute, image))
    if context.get("json_ld"):
        documents.append(context["json_ld"])
    return {
        "site_name": settings.SITE_NAME,
        "title": title,
        "description": description,
        "type": "article" if article else "website",
        "url": absolute(request.path),
        "image": absolute(image),
        "json_ld": [mark_safe(json_for_script(doc)) for doc in documents],  # noqa: S308
    }
