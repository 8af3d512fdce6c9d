"""Whole public pages from memory, never stale in any configuration.

Each process keeps its own copy of every public page it has rendered (PAGES below), valid only
while the shared *content generation* is unchanged. A hit costs a read of that generation
(about 3 µs, measured on the CI machine) and no SQL:

- with REDIS_URL, the generation is a key in Redis whose changes are published; each process
  polls its subscription socket without waiting and checks the key once a second
  (redis_cache.GenerationChannel);
- without it, a token in a file next to the SQLite database (CONTENT_GENERATION_FILE), which
  every process of the deployment reads with one pread(), plus one in local memory so that
  cache.clear() retires pages too (LocalGeneration).

Saving or deleting anything a page shows writes a new random generation (signals.py), before
and again after the transaction commits, so every process renders afresh on its next request:
a change made by another process (an import, the admin on another worker) shows at once.
Entries also expire when the next scheduled item is due, so a page or article goes live on
time without any job running.

Bounded: the key is the canonical host (lower case, no trailing dot, no foreign port) and the
path, so Host-header variants make no new entries; a process drops all its copies when the
generation changes, so pages that no longer exist are not kept; Redis holds one key.

Fail open: if Redis is unreachable or slow (0.25 s socket timeouts), pages are rendered
uncached, the failure is logged, and Redis is tried again a second later. A change whose
generation could not be written is retried in the background until Redis answers.

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
from contextlib import contextmanager
from functools import wraps
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.core.signals import setting_changed
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
# How long a request waits for another one rendering the same page before rendering it itself.
RENDER_WAIT = 5.0


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


class LocalGeneration:
    """Without Redis: a token in a file that every process reads, and one in local memory.

    The file is read with one pread() on a descriptor kept open (about 1 µs) and written in
    place with one pwrite(), so no process ever needs to open it again; once a second the
    descriptor is checked against the path, in case the file was replaced or removed. A read
    that overlaps a write may see a mix of both tokens: that is just one more new generation.
    The local-memory token makes cache.clear() retire pages too; it is read straight from
    LocMemCache's dictionary (validating and unpickling the key cost more than the file)."""

    WIDTH = 16

    def __init__(self, path, backend):
        self.path = Path(path)
        self.backend = backend
        self.key = backend.make_and_validate_key(GENERATION_KEY)
        self.store = getattr(backend, "_cache", None)
        self.fd = None
        self.retired = []
        self.checked_at = 0.0
        self.lock = threading.Lock()

    def read(self):
        if self.fd is None or time.monotonic() - self.checked_at > 1.0:
            self._check_file()
        fd = self.fd
        token = os.pread(fd, self.WIDTH, 0)
        if len(token) < self.WIDTH:
            self._write(fd)
            token = os.pread(fd, self.WIDTH, 0)
        return (self._local_token(), token)

    def bump(self):
        self.backend.set(GENERATION_KEY, new_token(), timeout=None)
        if self.fd is None:
            self._check_file()
        self._write(self.fd)

    def _local_token(self):
        read = self.store.get if isinstance(self.store, dict) else self.backend.get
        key = self.key if isinstance(self.store, dict) else GENERATION_KEY
        token = read(key)
        if token is None:
            self.backend.add(GENERATION_KEY, new_token(), timeout=None)
            token = read(key)
        return token

    def _write(self, fd):
        os.pwrite(fd, b"%016x" % new_token(), 0)

    def _check_file(self):
        with self.lock:
            try:
                same = self.fd is not None and os.stat(self.path).st_ino == os.fstat(self.fd).st_ino
            except FileNotFoundError:
                same = False
            for fd in self.retired:
                os.close(fd)  # a second after replacing it: no thread is reading it any more
            self.retired = []
            if not same:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
                if self.fd is not None:
                    self.retired.append(self.fd)
                self.fd = fd
            self.checked_at = time.monotonic()


class SharedGeneration:
    """With Redis: the key and its change messages (redis_cache.GenerationChannel)."""

    def __init__(self, channel):
        self.channel = channel

    def read(self):
        return self.channel.read()

    def bump(self):
        self.channel.publish(new_token())


class CacheOnlyGeneration:
    """Another shared cache backend: ask it on every request."""

    def read(self):
        generation = cache.get(GENERATION_KEY)
        if generation is None:
            cache.add(GENERATION_KEY, new_token(), timeout=None)
            generation = cache.get(GENERATION_KEY)
        return generation

    def bump(self):
        cache.set(GENERATION_KEY, new_token(), timeout=None)


class Config:
    """Settings the middleware needs on every request, read once (and again when changed)."""

    def __init__(self):
        self.reset()

    def reset(self, **kwargs):
        self.__dict__.pop("values", None)

    @property
    def values(self):
        values = self.__dict__.get("values")
        if values is None:
            values = self.__dict__["values"] = self.load()
        return values

    @staticmethod
    def load():
        from django.core.cache import caches

        backend = caches["default"]
        path = getattr(settings, "CONTENT_GENERATION_FILE", None)
        if hasattr(backend, "generation_channel"):
            source = SharedGeneration(backend.generation_channel(GENERATION_KEY))
        elif path:
            source = LocalGeneration(path, backend)
        else:
            source = CacheOnlyGeneration()
        return {
            "source": source,
            "hosts": {
                host.lower().rstrip(".")
                for host in settings.ALLOWED_HOSTS
                if host and not host.startswith(".") and "*" not in host
            },
            "cdn_s_maxage": settings.CDN_S_MAXAGE,
            "cdn_stale": settings.CDN_STALE_WHILE_REVALIDATE,
        }


config = Config()


def settings_changed(*, setting, **kwargs):
    if setting in ("CACHES", "CONTENT_GENERATION_FILE", "ALLOWED_HOSTS") or setting.startswith(
        "CDN_"
    ):
        config.reset()
        PAGES.clear()


setting_changed.connect(settings_changed, dispatch_uid="page-cache-settings")


def current_generation():
    """The shared content generation; GenerationUnavailable when it cannot be read."""
    breaker.check()
    try:
        return config.values["source"].read()
    except CACHE_ERRORS as error:
        breaker.trip(error)
        raise GenerationUnavailable(str(error)) from error


def bump_generation():
    """Retire every cached page in every process. Never raises: a failed write is retried."""
    try:
        config.values["source"].bump()
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
                config.values["source"].bump()
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


class OneRenderAtATime:
    """Concurrent misses of one page in one process: the first request renders it, the others
    wait for its copy (at most RENDER_WAIT seconds) instead of rendering it too. After each
    edit every page is a miss at once; under load_test.py's 64 connections the renders of the
    same page piled up and answers took up to 1.7 s on 2 cores."""

    def __init__(self):
        self.lock = threading.Lock()
        self.renders = {}  # page key -> Event set when its render ends

    @contextmanager
    def turn(self, key):
        """Yields True to the request that should render, False to one that waited."""
        with self.lock:
            done = self.renders.get(key)
            first = done is None
            if first:
                done = self.renders[key] = threading.Event()
        if not first:
            done.wait(RENDER_WAIT)
            yield False
            return
        try:
            yield True
        finally:
            with self.lock:
                self.renders.pop(key, None)
            done.set()


RENDERS = OneRenderAtATime()


def cached_page(url):
    """This process's copy of the page at url ("http://host/path/"), if it has a valid one."""
    try:
        generation = current_generation()
    except GenerationUnavailable:
        return None
    return PAGES.get(page_key(url), generation)


def canonical_host(request, secure):
    """The request's host as the cache knows it, or None when it must not be cached.

    Letter case and a trailing dot do not make another host; a port counts only when it is
    the one the server listens on (a direct connection) or the scheme's default. Hosts that
    only match a pattern of ALLOWED_HOSTS (.example.org) are served but not cached."""
    domain, port = split_domain_port(request.get_host())
    if domain not in config.values["hosts"]:
        return None
    if port in ("", "443" if secure else "80"):
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
        secure = request.is_secure()
        host = canonical_host(request, secure)
        if host is None:
            return self.get_response(request)
        # The page is rendered for the canonical host, so its links match its key.
        request.META["HTTP_HOST"] = host
        try:
            generation = current_generation()
        except GenerationUnavailable:
            return self.get_response(request)
        PAGES.adopt(generation)
        key = page_key(f"{'https' if secure else 'http'}://{host}{request.path}")
        entry = PAGES.get(key, generation)
        if entry:
            return self.rebuild(entry)
        with RENDERS.turn(key) as first:
            entry = None if first else PAGES.get(key, generation)
            if entry:
                return self.rebuild(entry)
            return self.render_and_store(request, key, generation)

    def render_and_store(self, request, key, generation):
        response = self.get_response(request)
        if self.may_store(response):
            digest = hashlib.md5(response.content, usedforsecurity=False).hexdigest()
            response["ETag"] = f'"{digest}"'
            self.mark(response)
            entry = {
                "generation": generation,
                "content": response.content,
                # Headers as they will be sent again on every hit.
                "headers": {
                    "Content-Type": response["Content-Type"],
                    "ETag": response["ETag"],
                    "Content-Length": str(len(response.content)),
                    "Cache-Control": response["Cache-Control"],
                },
                "etag": response["ETag"],
                "expires": PAGES.expiry(time.time()),
            }
            PAGES.put(key, entry)
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
        values = config.values
        if values["cdn_s_maxage"]:
            # A shared cache in front may serve the page for s-maxage seconds (and stale for
            # stale-while-revalidate more while it fetches a new one): edits show that late.
            shared = {"s_maxage": values["cdn_s_maxage"]}
            if values["cdn_stale"]:
                shared["stale_while_revalidate"] = values["cdn_stale"]
            patch_cache_control(response, public=True, max_age=0, **shared)
        else:
            patch_cache_control(response, public=True, max_age=0, must_revalidate=True)

    @staticmethod
    def rebuild(entry):
        response = HttpResponse(entry["content"])
        for name, value in entry["headers"].items():
            response.headers[name] = value
        return response
