"""Django's Redis cache with one client per process and a circuit breaker.

Django builds a cache backend per thread, and its Redis backend a connection
pool per backend and a new ``redis.Redis`` object per call: with many threads
that is many pools, and a client object built on every request. Here every
thread of a process shares one of each (redis-py's clients and pools are
thread-safe; a forked process gets new connections by itself).

A Redis that stops answering costs one socket timeout (``CACHE_SOCKET_TIMEOUT``),
then the breaker opens: for ``CACHE_BREAKER_SECONDS`` every cache call fails at
once with ``CacheUnavailable`` (a redis ``ConnectionError``, which callers
already handle), and the next call after that tries Redis again.
"""

from __future__ import annotations

import functools
import logging
import threading
import time
from typing import Any

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient
from django.utils.functional import cached_property
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)
_lock = threading.Lock()


class CacheUnavailable(RedisConnectionError):
    """The breaker is open: Redis failed moments ago and is not tried again yet."""


class Breaker:
    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.open_until = 0.0

    def check(self) -> None:
        if self.open_until and time.monotonic() < self.open_until:
            raise CacheUnavailable("Redis failed moments ago; not tried again yet")

    def trip(self, err: Exception) -> None:
        if not self.open_until or time.monotonic() >= self.open_until:
            logger.error(
                "redis unavailable (%s); cache calls fail fast for %s s",
                type(err).__name__,
                self.seconds,
            )
        self.open_until = time.monotonic() + self.seconds

    def reset(self) -> None:
        self.open_until = 0.0


def _guarded(method: Any) -> Any:
    @functools.wraps(method)
    def call(self: SharedRedisCacheClient, *args: Any, **kwargs: Any) -> Any:
        self.breaker.check()
        try:
            result = method(self, *args, **kwargs)
        except (RedisConnectionError, RedisTimeoutError) as err:
            self.breaker.trip(err)
            raise
        if self.breaker.open_until:
            self.breaker.reset()
        return result

    return call


_clients: dict[tuple[Any, ...], SharedRedisCacheClient] = {}


class SharedRedisCacheClient(RedisCacheClient):
    def __init__(self, *args: Any, breaker_seconds: float = 5.0, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._redis: dict[int, Any] = {}
        self.breaker = Breaker(breaker_seconds)

    add = _guarded(RedisCacheClient.add)
    get = _guarded(RedisCacheClient.get)
    set = _guarded(RedisCacheClient.set)
    touch = _guarded(RedisCacheClient.touch)
    delete = _guarded(RedisCacheClient.delete)
    get_many = _guarded(RedisCacheClient.get_many)
    has_key = _guarded(RedisCacheClient.has_key)
    incr = _guarded(RedisCacheClient.incr)
    set_many = _guarded(RedisCacheClient.set_many)
    delete_many = _guarded(RedisCacheClient.delete_many)
    clear = _guarded(RedisCacheClient.clear)

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        index = self._get_connection_pool_index(write)
        client = self._redis.get(index)
        if client is None:
            with _lock:
                client = self._redis.get(index)
                if client is None:
                    pool = self._get_connection_pool(write)
                    client = self._redis[index] = self._client(connection_pool=pool)
        return client


class RedisCache(DjangoRedisCache):
    @cached_property
    def _cache(self) -> SharedRedisCacheClient:
        key = (tuple(self._servers), repr(sorted(self._options.items())))
        with _lock:
            client = _clients.get(key)
            if client is None:
                client = _clients[key] = SharedRedisCacheClient(self._servers, **self._options)
        return client


def shared_client() -> SharedRedisCacheClient | None:
    """The default cache's process-wide Redis client, or None when the cache is not Redis
    (the embedded default): what the fraud guard counts on."""
    from django.core.cache import cache

    client = getattr(cache, "_cache", None)
    return client if isinstance(client, SharedRedisCacheClient) else None
