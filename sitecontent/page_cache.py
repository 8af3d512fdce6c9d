"""Whole public pages from memory, never stale in any configuration.

Each process keeps its own copy of every public page it has rendered (PAGES below), valid only
while the shared *content generation* is unchanged. A hit costs one small read of that
generation and no SQL:

- with REDIS_URL, the generation is one small key in Redis, shared by every worker and
  machine (one round trip per request);
- without it, a token in a file every process of the deployment reads (CONTENT_GENERATION_FILE,
  next to the SQLite database by default) plus one in the local-memory cache (so that
  cache.clear() retires pages too). Reading the file costs about 5 µs a request on the CI
  machine (open + read + close of 32 bytes), against ~300 µs for the whole cached response.

Saving or deleting anything a page shows writes a new random generation (signals.py), before
and again after the transaction commits, so every process renders afresh on its next request:
a change made by another process (an import, the admin on another worker) shows at once.
Entries also expire when the next scheduled item is due, so a page or article goes live on
time without any job running.

Bounded: the key is the canonical host (lower case, no trailing dot, no foreign port) and the
path, so Host-header variants make no new entries; a process drops all its copies when the
generation changes, so pages that no longer exist are not kept.

Fail open: if Redis is unreachable or slow (a short socket timeout, no retries), pages are
rendered uncached, the failure is logged, and Redis is tried again a second later. A change
whose generation could not be written is retried in the background until Redis answers.

The middleware sits right after the security, CSP, frame-options and conditional-GET
middlewares: a hit skips sessions, auth and the view, but still gets fresh security headers,
a fresh CSP nonce, and a 304 when the browser's ETag matches.
"""

import hashlib
import logging
import os
import secrets
import threading
import time
from functools import wraps
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from django.http.request import split_domain_port
from django.utils.cache import patch_cache_control

logger = logging.getLogger(__name__)

GENERATION_KEY = "content-generation"
MAX_AGE = 24 * 60 * 60
EXCLUDED_PREFIXES = ("/admin/", "/markdownx/", "/static/", "/media/")
# After Redis fails, pages are rendered uncached for this long before it is tried again.
RETRY_AFTER = 1.0
# A safety net: the canonical keys already bound the entries to one per page and host.
MAX_ENTRIES = 2000


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


class GenerationUnavailable(Exception):
    """The shared cache could not be asked; the page must be rendered uncached."""


def new_token():
    return secrets.randbits(62)


class Breaker:
    """Remembers a failure of the shared cache, so that an outage costs one timeout a second."""

    def __init__(self):
        self.down_until = 0.0

    def check(self):
        if time.monotonic() < self.down_until:
            raise GenerationUnavailable("shared cache marked down")

    def trip(self, error):
        if time.monotonic() >= self.down_until:
            logger.warning(
                "Page cache unavailable (%s); serving pages uncached, retrying in %.0f s",
                error,
                RETRY_AFTER,
            )
        self.down_until = time.monotonic() + RETRY_AFTER


breaker = Breaker()


def _shared_cache_errors():
    try:
        from redis.exceptions import RedisError
    except ImportError:  # pragma: no cover - redis is a dependency
        return (OSError,)
    return (RedisError, OSError)


CACHE_ERRORS = _shared_cache_errors()


def generation_file():
    path = getattr(settings, "CONTENT_GENERATION_FILE", None)
    return Path(path) if path else None


def read_file_token(path):
    try:
        with open(path, "rb") as file:
            token = file.read()
    except FileNotFoundError:
        token = b""
    if not token:
        write_file_token(path)
        with open(path, "rb") as file:
            token = file.read()
    return token


def write_file_token(path):
    """Atomically, so that a reader in another process never sees a half-written token."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}")
    temporary.write_bytes(b"%x" % new_token())
    os.replace(temporary, path)


def current_generation():
    """The shared content generation; GenerationUnavailable when it cannot be read."""
    breaker.check()
    try:
        generation = cache.get(GENERATION_KEY)
        if generation is None:
            cache.add(GENERATION_KEY, new_token(), timeout=None)
            generation = cache.get(GENERATION_KEY)
        path = generation_file()
        if path is not None:
            generation = (generation, read_file_token(path))
    except CACHE_ERRORS as error:
        breaker.trip(error)
        raise GenerationUnavailable(str(error)) from error
    return generation


def bump_generation():
    """Retire every cached page in every process. Never raises: a failed write is retried."""
    try:
        cache.set(GENERATION_KEY, new_token(), timeout=None)
        path = generation_file()
        if path is not None:
            write_file_token(path)
    except CACHE_ERRORS as error:
        breaker.trip(error)
        logger.error("Could not retire cached pages (%s); retrying in the background", error)
        pending_bump.start()
        return False
    return True


class PendingBump:
    """Retries a generation change that failed, until the shared cache takes it.

    Until then every process that cannot reach Redis renders uncached, and the processes
    that still hold copies get the new generation as soon as Redis answers again."""

    def __init__(self):
        self.lock = threading.Lock()
        self.thread = None

    def start(self):
        with self.lock:
            if self.thread is None or not self.thread.is_alive():
                self.thread = threading.Thread(target=self.run, name="page-cache-bump", daemon=True)
                self.thread.start()

    def run(self):
        while True:
            time.sleep(RETRY_AFTER / 2)
            try:
                cache.set(GENERATION_KEY, new_token(), timeout=None)
            except CACHE_ERRORS:
                continue
            logger.warning("Cached pages retired after the shared cache came back")
            return


pending_bump = PendingBump()


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


def next_publication():
    """Timestamp when the next scheduled page or article goes live (0: none scheduled)."""
    from platforms.models import ComparisonPage

    from .models import Article

    pages = ComparisonPage.objects.scheduled().order_by().values_list("publish_at", flat=True)
    articles = Article.objects.scheduled().order_by().values_list("publish_at", flat=True)
    first = pages.union(articles).order_by("publish_at").first()
    return first.timestamp() if first else 0


class PageStore:
    """This process's copies of public pages, all of one content generation."""

    def __init__(self):
        self.generation = None
        self.entries = {}
        self.next_due = None  # when the next scheduled item goes live, once looked up

    def adopt(self, generation):
        """Forget everything of an older generation (pages deleted since are not kept)."""
        if generation != self.generation:
            self.entries = {}
            self.next_due = None
            self.generation = generation

    def get(self, key, generation):
        entry = self.entries.get(key)
        if entry and entry["generation"] == generation and time.time() < entry["expires"]:
            return entry
        return None

    def put(self, key, entry):
        if entry["generation"] != self.generation:
            return  # rendered under a generation that has been retired meanwhile
        if len(self.entries) >= MAX_ENTRIES:
            self.entries = {}
        self.entries[key] = entry

    def expiry(self, now):
        """Entries expire when the next scheduled item is due (looked up once per generation)."""
        if self.next_due is None or 0 < self.next_due <= now:
            self.next_due = next_publication()
        return min(now + MAX_AGE, self.next_due or now + MAX_AGE)

    def clear(self):
        self.adopt(object())


PAGES = PageStore()


def cached_page(url):
    """This process's copy of the page at url ("http://host/path/"), if it has a valid one."""
    try:
        generation = current_generation()
    except GenerationUnavailable:
        return None
    return PAGES.get(page_key(url), generation)


def listed_hosts():
    """ALLOWED_HOSTS entries that name one host (patterns like .example.org are not cached)."""
    return {
        host.lower().rstrip(".")
        for host in settings.ALLOWED_HOSTS
        if host and not host.startswith(".") and "*" not in host
    }


def canonical_host(request):
    """The request's host as the cache knows it, or None when it must not be cached.

    Letter case and a trailing dot do not make another host; a port counts only when it is
    the one the server listens on (a direct connection) or the scheme's default."""
    domain, port = split_domain_port(request.get_host())
    if domain not in listed_hosts():
        return None
    if port in ("", "443" if request.is_secure() else "80"):
        return domain
    if port == request.META.get("SERVER_PORT"):
        return f"{domain}:{port}"
    return None


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
        host = canonical_host(request)
        if host is None:
            return self.get_response(request)
        # The page is rendered for the canonical host, so its links match its key.
        request.META["HTTP_HOST"] = host
        try:
            generation = current_generation()
        except GenerationUnavailable:
            return self.get_response(request)
        PAGES.adopt(generation)
        key = page_key(f"{request.scheme}://{host}{request.path}")
        entry = PAGES.get(key, generation)
        if entry:
            return self.rebuild(entry)
        response = self.get_response(request)
        if self.may_store(response):
            entry = {
                "generation": generation,
                "content": response.content,
                "content_type": response["Content-Type"],
                "etag": f'"{hashlib.md5(response.content, usedforsecurity=False).hexdigest()}"',
                "expires": PAGES.expiry(time.time()),
            }
            PAGES.put(key, entry)
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
        if settings.CDN_S_MAXAGE:
            # A shared cache in front may serve the page for s-maxage seconds (and stale for
            # stale-while-revalidate more while it fetches a new one): edits show that late.
            shared = {"s_maxage": settings.CDN_S_MAXAGE}
            if settings.CDN_STALE_WHILE_REVALIDATE:
                shared["stale_while_revalidate"] = settings.CDN_STALE_WHILE_REVALIDATE
            patch_cache_control(response, public=True, max_age=0, **shared)
        else:
            patch_cache_control(response, public=True, max_age=0, must_revalidate=True)

    def rebuild(self, entry):
        response = HttpResponse(entry["content"], content_type=entry["content_type"])
        response["ETag"] = entry["etag"]
        response["Content-Length"] = str(len(entry["content"]))
        self.mark(response)
        return response
