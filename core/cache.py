"""The shared cache, failing open: Redis trouble never turns a request into an error or a hang.

The cache holds only what can be recomputed or forgotten (the API throttles' request counts), so
while Redis is down or hanging every read is a miss and every write is dropped: the throttles then
let requests through, which is the lesser harm next to refusing every official during an outage.
A failure is logged, and for CACHE_FAILURE_BACKOFF_SECONDS this process does not ask Redis at all,
so a Redis that hangs costs one request at most CACHE_SOCKET_TIMEOUT, not every request.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

from core.backoff import Backoff

logger = logging.getLogger(__name__)

_backoff = Backoff(lambda: getattr(settings, "CACHE_FAILURE_BACKOFF_SECONDS", 5))


def _failed(operation: str, exc: Exception) -> None:
    if _backoff.failed():
        logger.warning("cache unavailable (%s: %s: %s); failing open for %ss", operation, type(exc).__name__, exc,
                       getattr(settings, "CACHE_FAILURE_BACKOFF_SECONDS", 5))


def _fail_open(name: str, fallback):
    method = getattr(RedisCache, name)

    def wrapper(self, *args, **kwargs):
        if _backoff.resting():
            return fallback(*args, **kwargs)
        try:
            return method(self, *args, **kwargs)
        except (RedisError, OSError) as exc:
            _failed(name, exc)
            return fallback(*args, **kwargs)

    wrapper.__name__ = name
    wrapper.__doc__ = f"RedisCache.{name}, or {fallback.__doc__} while Redis fails."
    return wrapper


def _default(key, default=None, *args, **kwargs):
    """the default (a miss)"""
    return default


def _false(*args, **kwargs):
    """False (nothing stored)"""
    return False


def _none(*args, **kwargs):
    """None"""
    return None


def _empty(*args, **kwargs):
    """nothing"""
    return {}


def _keys(data=None, *args, **kwargs):
    """every key not stored"""
    return list(data or [])


def _incr(key, delta=1, *args, **kwargs):
    """delta (as if the key were new)"""
    return delta


class FailOpenRedisCache(RedisCache):
    """Django's RedisCache whose every operation fails open (see the module docstring)."""

    get = _fail_open("get", _default)
    set = _fail_open("set", _none)
    add = _fail_open("add", _false)
    touch = _fail_open("touch", _false)
    delete = _fail_open("delete", _false)
    has_key = _fail_open("has_key", _false)
    incr = _fail_open("incr", _incr)
    get_many = _fail_open("get_many", _empty)
    set_many = _fail_open("set_many", _keys)
    delete_many = _fail_open("delete_many", _none)
    clear = _fail_open("clear", _false)
