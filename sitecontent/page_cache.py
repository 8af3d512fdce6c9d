"""Whole public pages from memory, never stale (README, "The page cache").

Every change bumps ContentVersion in its own transaction (retire_on_change(), retire_pages()). Each
process labels its copies with the version it last read, read again (one SELECT) once CHECK_EVERY
old or sooner on news (a Redis message, else a rewrite of CONTENT_GENERATION_FILE). News carries no
version: nothing Redis does can delay a change more. A hit skips sessions, auth and the view, not
the middlewares before it (security headers and frame options, CSP nonce, 304s)."""

import logging
import os
import secrets
import threading
import time
from contextlib import contextmanager, suppress
from functools import wraps
from pathlib import Path

import redis
from django.apps import apps
from django.conf import settings
from django.db import DatabaseError, transaction
from django.db.models.signals import post_delete, post_save
from django.http import HttpResponse
from django.http.request import split_domain_port
from django.utils.cache import patch_cache_control, set_response_etag

from .models import ContentVersion
from .publishing import Publishable

logger = logging.getLogger(__name__)

CHECK_EVERY = 0.5
NEWS_CHANNEL = "platform-compare:content-changed"
MAX_AGE = 24 * 60 * 60
EXCLUDED_PREFIXES = ("/admin/", "/markdownx/", "/static/", "/media/")
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


class FileNews:
    """Without Redis: a file replaced on each change; readers stat() it once per request."""

    def __init__(self):
        self.path = Path(settings.CONTENT_GENERATION_FILE)

    def mark(self):
        with suppress(OSError):
            status = os.stat(self.path)
            return (status.st_ino, status.st_mtime_ns)
        return None  # no file yet

    def announce(self):
        self.path.parent.mkdir(parents=True, exist_ok=True)
        draft = self.path.with_name(f"{self.path.name}.{os.getpid()}.{threading.get_ident()}")
        draft.write_text(secrets.token_hex(8))
        os.replace(draft, self.path)  # a new inode: every reader sees a change


class RedisNews:
    """With Redis: a thread of each process counts the messages, and every (re)subscription,
    after which messages may have been missed; a request never waits for Redis."""

    def __init__(self):
        self.client = redis.Redis.from_url(settings.REDIS_URL, **settings.REDIS_CACHE_OPTIONS)
        self.count = 0
        self.listener = None
        self.stopped = threading.Event()
        # Threads do not survive a fork (gunicorn's workers).
        os.register_at_fork(after_in_child=lambda: setattr(self, "listener", None))

    def mark(self):
        if self.listener is None:
            self.listener = threading.Thread(target=self.listen, name="page-news", daemon=True)
            self.listener.start()
        return self.count

    def announce(self):
        self.client.publish(NEWS_CHANNEL, b"changed")

    def listen(self):
        last_warning = 0.0
        while not self.stopped.is_set():
            try:
                with self.client.pubsub() as pubsub:
                    pubsub.subscribe(NEWS_CHANNEL)
                    while not self.stopped.is_set():
                        if pubsub.get_message(timeout=1.0) is not None:
                            self.count += 1
            except (redis.RedisError, OSError) as error:
                self.count += 1
                if time.monotonic() - last_warning > 60:
                    last_warning = time.monotonic()
                    logger.warning(
                        "No news of changes from Redis (%s); reading the database", error
                    )
                self.stopped.wait(CHECK_EVERY)


class VersionWatch:
    def __init__(self):
        self.lock = threading.Lock()
        self.news = self.version = None
        self.checked_at = float("-inf")
        self.forget()

    def forget(self):
        """Read the database on the next request (this process changed something)."""
        self.mark = object()  # no news source gives this mark: the next request reads

    def news_source(self):
        if self.news is None:
            self.news = RedisNews() if settings.REDIS_URL else FileNews()
        return self.news

    def current(self, timed=True):
        """Read again from the database on news and, when timed, once CHECK_EVERY has passed."""
        mark = self.news_source().mark()
        if mark == self.mark and not (timed and self.due()):
            return self.version
        with self.lock:
            if mark != self.mark or (timed and self.due()):
                checked_at = time.monotonic()  # before the read: a change after it is unseen
                self.version = ContentVersion.read()
                self.mark, self.checked_at = mark, checked_at
            return self.version

    def due(self):
        return time.monotonic() - self.checked_at >= CHECK_EVERY


watch = VersionWatch()


# Announcements made by each thread: a transaction that saves many objects announces once.
announcements = threading.local()


def announce_change(after):
    """Tell every process to read the content version now, once per transaction: `after` is
    the thread's count of announcements at the change; one made since came after the commit."""
    count = getattr(announcements, "count", 0)
    if count > after:
        return
    announcements.count = count + 1
    watch.forget()
    try:
        watch.news_source().announce()
    except (redis.RedisError, OSError) as error:
        logger.warning(
            "Could not announce the change (%s); other processes read it from the database "
            "within %.1f s",
            error,
            CHECK_EVERY,
        )


def retire_pages(**signal_arguments):
    """Retire every cached page in every process: bump the content version in the current
    transaction (the caller's, for a change that sends no signal) and announce it on commit."""
    if getattr(announcements, "changed", None) is not None:
        announcements.changed = True  # retiring_once() retires them as its block ends
        return
    ContentVersion.bump()
    watch.forget()
    after = getattr(announcements, "count", 0)
    transaction.on_commit(lambda: announce_change(after))


@contextmanager
def retiring_once():
    """Saves in this block (this thread, in a transaction) retire the pages once, as it ends without
    error. Bumping for each of an import's thousands of rows, the launch documents took 1.27 s to
    import, not 1.11 s (call_command("import_markdown", seeds) into migrated SQLite, twice each)."""
    outer = getattr(announcements, "changed", None)
    announcements.changed = False
    try:
        yield
    finally:
        changed, announcements.changed = announcements.changed, outer
    if outer is not None:
        announcements.changed = outer or changed  # the outer block retires them
    elif changed:
        retire_pages()


# Apps register their models from AppConfig.ready(), so this module never imports them.
def retire_on_change(*models):
    """Models whose saves and deletes change what public pages show."""
    for model in models:
        post_save.connect(retire_pages, sender=model)
        post_delete.connect(retire_pages, sender=model)


class PageStore:
    """This process's copies of public pages, all of one content version."""

    def __init__(self):
        self.clear()

    def clear(self, version=None):
        """Forget every copy (pages deleted since are not kept)."""
        self.version = version
        self.entries = {}
        self.next_due = None  # when the next scheduled item goes live (0: none), once looked up

    def get(self, key, version):
        if version != self.version:
            self.clear(version)
        entry = self.entries.get(key)
        return entry if entry and time.time() < entry["expires"] else None

    def put(self, key, entry):
        if entry["version"] != self.version:
            return  # rendered under a version that has been retired meanwhile
        if len(self.entries) >= MAX_ENTRIES:
            self.entries = {}
        self.entries[key] = entry

    def expiry(self, now):
        """Pages expire when the next scheduled item of any Publishable model is due."""
        if self.next_due is None or 0 < self.next_due <= now:
            first, *others = [
                model.objects.scheduled().order_by().values_list("publish_at", flat=True)
                for model in apps.get_models()
                if issubclass(model, Publishable)
            ]
            due = first.union(*others).order_by("publish_at").first()  # one query for all
            self.next_due = due.timestamp() if due else 0
        return min(now + MAX_AGE, self.next_due or now + MAX_AGE)


PAGES = PageStore()


# Concurrent misses of one page in one process: the first request renders, the others wait (at most
# RENDER_WAIT seconds) for its copy. After an edit every page misses at once: under load_test.py's
# 64 connections, renders of one page piled up and answers took up to 1.7 s on 2 cores.
RENDERS = {}  # page key -> Event set when its render ends
RENDERS_LOCK = threading.Lock()


@contextmanager
def render_turn(key):
    """Yields True to the request that should render, False to one that waited."""
    mine = threading.Event()
    with RENDERS_LOCK:
        done = RENDERS.setdefault(key, mine)
    if done is not mine:
        done.wait(RENDER_WAIT)
        yield False
        return
    try:
        yield True
    finally:
        with RENDERS_LOCK:
            RENDERS.pop(key, None)
        done.set()


def canonical_host(request):
    """The host as the cache knows it (lower case, no trailing dot, a port only when it is the
    server's own or the scheme's default), or None when the page must not be cached."""
    domain, port = split_domain_port(request.get_host())
    # Only ALLOWED_HOSTS' names: its patterns ("*", ".example.com") may match endless hosts.
    names = {host.lower().rstrip(".") for host in settings.ALLOWED_HOSTS}
    if domain not in names or domain.startswith("."):
        return None
    if port in ("", "443" if request.is_secure() else "80"):
        return domain
    return f"{domain}:{port}" if port == request.META.get("SERVER_PORT") else None


class PublicPageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # Query strings are not cached: anyone could mint endless variants of a page.
        if (
            request.method not in ("GET", "HEAD")
            or request.GET
            or request.path.startswith(EXCLUDED_PREFIXES)
            or (host := canonical_host(request)) is None
        ):
            return self.get_response(request)
        # The page is rendered for the canonical host, so its links match its key.
        request.META["HTTP_HOST"] = host
        key = f"{request.scheme}://{host}{request.path}"
        try:
            # A render may keep an older label (no news, no change here): if the content
            # changed since, the copy is dropped at the next read.
            version = watch.current(timed=key in PAGES.entries)
        except DatabaseError as error:
            logger.warning("Content version unreadable (%s); page rendered uncached", error)
            return self.get_response(request)
        entry = PAGES.get(key, version)
        if entry is None:
            with render_turn(key) as first:
                entry = None if first else PAGES.get(key, version)
                if entry is None:
                    return self.render_and_store(request, key, version)
        return HttpResponse(entry["content"], headers=entry["headers"])

    def render_and_store(self, request, key, version):
        response = self.get_response(request)
        if not (
            getattr(response, "public_page", False)
            and response.status_code == 200
            and not response.streaming
            and "no-cache" not in response.get("Cache-Control", "")
            and not response.cookies
        ):
            return response
        set_response_etag(response)
        # Browsers keep the page but check back every time: an editor's save shows at once. A
        # CDN may keep it s-maxage seconds (stale-while-revalidate more): edits show that late.
        shared = {"must_revalidate": True}
        if settings.CDN_S_MAXAGE:
            shared = {"s_maxage": settings.CDN_S_MAXAGE}
            if settings.CDN_STALE_WHILE_REVALIDATE:
                shared["stale_while_revalidate"] = settings.CDN_STALE_WHILE_REVALIDATE
        patch_cache_control(response, public=True, max_age=0, **shared)
        entry = {
            "version": version,
            "content": response.content,
            # What the view and the middlewares after this one set, sent again on every hit
            # (the security headers and the CSP nonce come fresh from those before it).
            "headers": dict(response.headers),
            "expires": PAGES.expiry(time.time()),
        }
        PAGES.put(key, entry)
        return response
