"""Whole public pages from the shared cache, never stale.

Every cached page is stored under the current *content generation*, a counter kept in the same
cache (Redis when REDIS_URL is set, so all gunicorn workers and machines share it). Saving or
deleting anything a page shows bumps the counter (signals.py), which retires every cached page
at once. Entries also expire when the next scheduled item is due, so a page or article goes live
on time without any job running.

The middleware sits right after the security, CSP, frame-options and conditional-GET
middlewares: a hit skips sessions, auth and the view, but still gets fresh security headers,
a fresh CSP nonce, and a 304 when the browser's ETag matches.
"""

import hashlib
import time
from functools import wraps

from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from django.utils.cache import patch_cache_control

GENERATION_KEY = "content-generation"
NEXT_PUBLICATION_KEY = "next-publication"
MAX_AGE = 24 * 60 * 60
EXCLUDED_PREFIXES = ("/admin/", "/markdownx/", "/static/", "/media/")


def cacheable(view):
    """Mark a view's responses as the same for every visitor, so they may be cached."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response.public_page = True
        return response

    return wrapper


def page_key(url):
    return f"page:{hashlib.md5(url.encode(), usedforsecurity=False).hexdigest()}"


def current_generation():
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        cache.add(GENERATION_KEY, time.time_ns(), timeout=None)
        generation = cache.get(GENERATION_KEY)
    return generation


def bump_generation():
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        cache.add(GENERATION_KEY, time.time_ns(), timeout=None)


def retire_on_change(*models):
    """Register models whose saves and deletes change what public pages show.

    Each app calls this from its AppConfig.ready(), so this module never imports their models."""
    from django.db.models.signals import post_delete, post_save

    for model in models:
        label = model._meta.label_lower
        post_save.connect(content_changed, sender=model, dispatch_uid=f"page-cache-save-{label}")
        post_delete.connect(content_changed, sender=model, dispatch_uid=f"page-cache-del-{label}")


def content_changed(**kwargs):
    """Retire cached pages now, and again once the transaction commits, so that no other
    process can cache the old content under the new generation in between."""
    retire_pages()
    transaction.on_commit(retire_pages)


def retire_pages():
    bump_generation()
    # The schedule may have changed too: the next miss works it out again.
    cache.delete(NEXT_PUBLICATION_KEY)


def next_publication(known=None):
    """Timestamp when the next scheduled page or article goes live (0: none scheduled).

    Kept in the cache until content changes (content_changed deletes it) or it is due."""
    due = known
    if due is None or 0 < due <= time.time():
        from platforms.models import ComparisonPage

        from .models import Article

        pages = ComparisonPage.objects.scheduled().order_by().values_list("publish_at", flat=True)
        articles = Article.objects.scheduled().order_by().values_list("publish_at", flat=True)
        first = pages.union(articles).order_by("publish_at").first()
        due = first.timestamp() if first else 0
        cache.set(NEXT_PUBLICATION_KEY, due, None)
    return due


class PublicPageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # Query strings are not cached: anyone could mint endless variants of a page.
        if (
            request.method not in ("GET", "HEAD")
            or request.GET
            or request.path.startswith(EXCLUDED_PREFIXES)
        ):
            return self.get_response(request)
        key = page_key(f"{request.scheme}://{request.get_host()}{request.path}")
        # One round trip: the current generation and the page's entry together.
        found = cache.get_many([GENERATION_KEY, NEXT_PUBLICATION_KEY, key])
        generation = found.get(GENERATION_KEY) or current_generation()
        entry = found.get(key)
        # The entry's own expiry is checked against this server's clock, so a scheduled
        # item goes live on time whatever the cache's own clock says.
        if entry and entry["generation"] == generation and time.time() < entry["expires"]:
            return self.rebuild(entry)
        response = self.get_response(request)
        now = time.time()
        if self.may_store(response):
            entry = {
                "generation": generation,
                "content": response.content,
                "content_type": response["Content-Type"],
                "etag": f'"{hashlib.md5(response.content, usedforsecurity=False).hexdigest()}"',
                "expires": min(
                    now + MAX_AGE,
                    next_publication(found.get(NEXT_PUBLICATION_KEY)) or now + MAX_AGE,
                ),
            }
            cache.set(key, entry, max(1, int(entry["expires"] - now) + 1))
            response["ETag"] = entry["etag"]
            self.mark(response)
        return response

    @staticmethod
    def may_store(response):
        return (
            getattr(response, "public_page", False)
            and response.status_code == 200
            and not response.streaming
            and "no-cache" not in response.get("Cache-Control", "")
            and not response.cookies
        )

    @staticmethod
    def mark(response):
        # Browsers keep the page but check back every time: an editor's save shows at once.
        patch_cache_control(response, public=True, max_age=0, must_revalidate=True)

    def rebuild(self, entry):
        response = HttpResponse(entry["content"], content_type=entry["content_type"])
        response["ETag"] = entry["etag"]
        response["Content-Length"] = str(len(entry["content"]))
        self.mark(response)
        return response
