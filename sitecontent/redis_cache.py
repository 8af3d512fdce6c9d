"""Django's Redis cache, failing open: while Redis cannot be reached, reads miss and writes are
dropped (logged at most once a second), so what keeps data here (rate limits, for one) keeps
serving rather than answering 500. The page cache does not use it (page_cache.py)."""

import logging
import time
from functools import wraps

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)
warned_at = [0.0]


def fail_open(method, fallback):
    @wraps(method)
    def wrapper(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except (RedisError, OSError) as error:
            if time.monotonic() - warned_at[0] > 1.0:
                warned_at[0] = time.monotonic()
                logger.warning("Redis cache unavailable (%s): treated as a miss", error)
            return fallback(*args, **kwargs)

    return wrapper


def missing_key(key, *args, **kwargs):
    raise ValueError(f"Key '{key}' not found (Redis unavailable)")


class FailOpenRedisCache(RedisCache):
    get = fail_open(RedisCache.get, lambda key, default=None, version=None: default)
    get_many = fail_open(RedisCache.get_many, lambda *args, **kwargs: {})
    has_key = fail_open(RedisCache.has_key, lambda *args, **kwargs: False)
    add = fail_open(RedisCache.add, lambda *args, **kwargs: False)
    set = fail_open(RedisCache.set, lambda *args, **kwargs: None)
    set_many = fail_open(RedisCache.set_many, lambda data, *args, **kwargs: list(data))
    touch = fail_open(RedisCache.touch, lambda *args, **kwargs: False)
    delete = fail_open(RedisCache.delete, lambda *args, **kwargs: False)
    delete_many = fail_open(RedisCache.delete_many, lambda *args, **kwargs: None)
    incr = fail_open(RedisCache.incr, missing_key)
    clear = fail_open(RedisCache.clear, lambda: False)
