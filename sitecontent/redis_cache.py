"""Django's Redis cache, plus the page cache's content generation kept in Redis.

SharedClientRedisCache: Django's RedisCacheClient builds a client around its connection pool
on each call, which costs more CPU than the cache hit it serves. A client is thread-safe and
cheap to keep, so keep one per pool.

GenerationChannel: every process learns of a new content generation without asking Redis on
every request. A change is written and published in one transaction (MULTI: SET + PUBLISH);
each process subscribes once, then on each request only looks, without waiting, whether a
message is waiting on its subscription socket (one non-blocking poll, a few µs) and checks
the key itself once a second in case a message was lost. Asking Redis on every request (one
GET round trip) cost 20-30% of the cached page's throughput on the 2-core CI machine; this
costs about as much as a local-memory hit (figures in the README). redis-py's own client-side
caching does the same with RESP3 tracking but needs Redis ≥ 7.4; the CI machine has 7.0.

A save's response reaches the editor only after Redis has written the message to every
subscriber's socket, so a request sent after it sees the change. If the subscription breaks
(Redis restarted or unreachable), pages are served uncached until it is back (page_cache.py).
"""

import contextlib
import logging
import select
import threading
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

# How often a process checks the generation key itself, beside the messages.
VERIFY_EVERY = 1.0
# The process's GenerationChannels, by (Redis servers, full key name).
_CHANNELS = {}


class ReusingRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class SharedClientRedisCache(RedisCache):
    """Fails open: while Redis cannot be reached, reads miss and writes are dropped (logged),
    so whatever keeps data here (rate limits, for one) keeps serving rather than a 500."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusingRedisCacheClient

    def get(self, key, default=None, version=None):
        with unavailable_as(None):
            return super().get(key, default, version)
        return default

    def get_many(self, keys, version=None):
        with unavailable_as(None):
            return super().get_many(keys, version)
        return {}

    def has_key(self, key, version=None):
        with unavailable_as(None):
            return super().has_key(key, version)
        return False

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        with unavailable_as(None):
            return super().add(key, value, timeout, version)
        return False

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        with unavailable_as(None):
            super().set(key, value, timeout, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        with unavailable_as(None):
            return super().set_many(data, timeout, version)
        return list(data)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        with unavailable_as(None):
            return super().touch(key, timeout, version)
        return False

    def delete(self, key, version=None):
        with unavailable_as(None):
            return super().delete(key, version)
        return False

    def delete_many(self, keys, version=None):
        with unavailable_as(None):
            super().delete_many(keys, version)

    def incr(self, key, delta=1, version=None):
        with unavailable_as(None):
            return super().incr(key, delta, version)
        raise ValueError(f"Key '{key}' not found (Redis unavailable)")

    def generation_channel(self, name):
        """The one GenerationChannel of this process for the key `name` on this Redis."""
        key = (tuple(self._servers), self.make_and_validate_key(name))
        channel = _CHANNELS.get(key)
        if channel is None:
            channel = _CHANNELS.setdefault(key, GenerationChannel(self, name))
        return channel

    def clear(self):
        # Clearing the cache retires every page in every process, as with local memory. The
        # channels are the process's, not this object's: Django gives each thread its own
        # cache object, and a clear() in one thread must reach the channel another made.
        super().clear()
        for (servers, _key), channel in list(_CHANNELS.items()):
            if servers == tuple(self._servers):
                channel.publish_new()


_last_warning = [0.0]


@contextlib.contextmanager
def unavailable_as(_value):
    """Swallow (and log, at most once a second) the errors of an unreachable Redis."""
    try:
        yield
    except (RedisError, OSError) as error:
        if time.monotonic() - _last_warning[0] > 1.0:
            _last_warning[0] = time.monotonic()
            logger.warning("Redis cache unavailable (%s): treated as a miss", error)


class GenerationChannel:
    def __init__(self, cache, name):
        self.cache = cache
        self.key = cache.make_and_validate_key(name)
        self.channel = f"{self.key}:changes"
        self.lock = threading.Lock()
        self.pubsub = None
        self.generation = None
        self.verified_at = 0.0

    @property
    def client(self):
        return self.cache._cache.get_client(write=True)

    def read(self):
        """The current generation (bytes); raises redis errors when Redis cannot be asked."""
        with self.lock:
            try:
                if self.pubsub is None:
                    self._subscribe()
                else:
                    self._drain()
                if time.monotonic() - self.verified_at > VERIFY_EVERY:
                    self._verify()
            except Exception:
                self._drop()
                raise
            return self.generation

    def publish(self, token):
        """Set and announce a new generation, both or neither."""
        pipeline = self.client.pipeline(transaction=True)
        pipeline.set(self.key, token)
        pipeline.publish(self.channel, token)
        pipeline.execute()

    def publish_new(self):
        from .page_cache import new_token

        self.publish(new_token())

    def _subscribe(self):
        pubsub = self.client.pubsub()
        self.pubsub = pubsub
        pubsub.subscribe(self.channel)
        timeout = self.cache._cache._pool_options.get("socket_timeout") or 1.0
        confirmation = pubsub.get_message(timeout=timeout)
        if not confirmation or confirmation["type"] != "subscribe":
            raise ConnectionError("no confirmation of the generation subscription")
        self._watch_socket()
        # Read only once subscribed, so that no change can fall between the two.
        self._verify()

    def _watch_socket(self):
        self.socket = self.pubsub.connection._sock
        if self.socket is None:
            raise ConnectionError("the generation subscription has no connection")
        self.poller = select.poll()
        self.poller.register(self.socket, select.POLLIN | select.POLLPRI)

    def _drain(self):
        # One poll() without waiting: redis-py's own check costs ten times more.
        if not self.poller.poll(0):
            return
        while (message := self.pubsub.get_message(timeout=0.0)) is not None:
            if message["type"] == "message":
                self.generation = message["data"]
        if self.pubsub.connection._sock is not self.socket:
            # redis-py reconnected and subscribed again: messages may have been missed.
            self._watch_socket()
            self._verify()

    def _verify(self):
        from .page_cache import new_token

        client = self.client
        value = client.get(self.key)
        if value is None:
            client.set(self.key, new_token(), nx=True)
            value = client.get(self.key)
        self.generation = value
        self.verified_at = time.monotonic()

    def _drop(self):
        pubsub, self.pubsub = self.pubsub, None
        self.generation = None
        self.verified_at = 0.0
        if pubsub is not None:
            # Closing a broken connection may fail too.
            with contextlib.suppress(Exception):
                pubsub.close()
