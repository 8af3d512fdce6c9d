"""Open Graph, Twitter and JSON-LD tags (absolute URLs) for every page from the context: `article`,
comparison `page`, or `og_title`, `og_description`, `json_ld` (one more schema.org document)."""

import json

from django import template
from django.conf import settings
from django.templatetags.static import static
from django.urls import reverse
from django.utils.safestring import mark_safe

register = template.Library()

SCHEMA_ORG = "https://schema.org"


@register.inclusion_tag("includes/discovery_meta.html", takes_context=True)
def discovery_meta(context):
    request = context["request"]
    name = getattr(request.resolver_match, "url_name", "")
    article = context.get("article") if name == "article-detail" else None
    subject = article or (context.get("page") if name == "comparison-page" else None)
    title = context.get("og_title") or (subject.title if subject else settings.SITE_NAME)
    description = context.get("og_description") or getattr(subject, "meta_description", "")
    description = description or settings.SITE_TAGLINE
    image = (article.hero_image_src if article else "") or static("img/og-default.png")
    absolute = request.build_absolute_uri
    home = reverse("home")
    crumbs = [(settings.SITE_NAME, absolute(home))]
    if name == "article-detail":
        crumbs.append(("Blog", absolute(reverse("sitecontent:article-list"))))
    if request.path != home:
        crumbs.append((title, absolute(request.path)))
    items = [
        {"@type": "ListItem", "position": i, "name": crumb, "item": url}
        for i, (crumb, url) in enumerate(crumbs, start=1)
    ]
    documents = [{"@context": SCHEMA_ORG, "@type": "BreadcrumbList", "itemListElement": items}]
    if article is not None:
        documents.append(
            {
                "@context": SCHEMA_ORG,
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
        )
    if context.get("json_ld"):
        documents.append(context["json_ld"])
    # JSON that cannot close its <script> element or start a comment.
    escapes = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026"}
    return {
        "site_name": settings.SITE_NAME,
        "title": title,
        "description": description,
        "type": "article" if article else "website",
        "url": absolute(request.path),
        "image": absolute(image),
        "json_ld": [
            mark_safe(json.dumps(doc, ensure_ascii=False, separators=(",", ":")).translate(escapes))  # noqa: S308
            for doc in documents
        ],
    }
