"""Django's Redis cache with one client per process and a circuit breaker.

Django builds a cache backend per thread, and its Redis backend a connection
pool per backend and a new ``redis.Redis`` object per call: with many threads
that is many pools, and a client object built on every request. Here every
thread of a process shares one of each (redis-py's clients and pools are
thread-safe; a forked process gets new connections by itself).

A Redis that stops answering costs one socket timeout (``CACHE_SOCKET_TIMEOUT``),
then the breaker opens: for ``CACHE_BREAKER_SECONDS`` every cache call fails at
once with ``CacheUnavailable`` (a redis ``ConnectionError``, which callers
already handle). Then it is half-open: one call, the probe, tries Redis while
every other still fails at once; the probe's success closes the breaker, its
failure opens it for another period. So however many threads wait, an outage
costs one socket timeout per period, not one per thread. One ERROR line when
it opens, one WARNING when it closes again, whatever the outage's length.

Every Redis call goes through ``Breaker.call()`` (the cache methods below, the
fraud guard's counters), or ``check()`` then ``trip()``/``succeeded()``.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import threading
import time
from collections.abc import Iterator
from typing import Any

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient
from django.utils.functional import cached_property
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)
_lock = threading.Lock()


class CacheUnavailable(RedisConnectionError):
    """The breaker is open: Redis failed moments ago and is not tried again yet."""


class Breaker:
    """Closed → open (``seconds``) → half-open (one probe) → closed or open again."""

    def __init__(self, seconds: float, probe_seconds: float = 1.0) -> None:
        self.seconds = seconds
        # A probe that never reports (a caller that only calls check()) frees its
        # slot after this long, so the breaker cannot stay half-open for good.
        self.probe_seconds = probe_seconds
        self.open_until = 0.0  # 0: closed
        self.opened_at = 0.0
        self.probe_until = 0.0  # a probe is in flight until then
        self._lock = threading.Lock()

    @property
    def is_open(self) -> bool:
        """Redis failed and has not answered since (open or half-open)."""
        return bool(self.open_until)

    def check(self) -> bool:
        """Raise ``CacheUnavailable`` unless this call may try Redis; True for the probe."""
        if not self.open_until:  # closed: no lock on the hot path
            return False
        with self._lock:
            now = time.monotonic()
            if not self.open_until:
                return False
            if now < self.open_until or now < self.probe_until:
                raise CacheUnavailable("Redis failed moments ago; not tried again yet")
            self.probe_until = now + self.probe_seconds
            return True

    def trip(self, err: Exception) -> None:
        """Redis failed: open (again) for ``seconds``."""
        with self._lock:
            now = time.monotonic()
            if not self.open_until:
                self.opened_at = now
                logger.error(
                    "redis unavailable (%s); cache calls fail fast, one probe every %s s",
                    type(err).__name__,
                    self.seconds,
                )
            self.open_until = now + self.seconds
            self.probe_until = 0.0

    def succeeded(self) -> None:
        """Redis answered: close."""
        if not self.open_until:
            return
        with self._lock:
            if not self.open_until:
                return
            logger.warning("redis available again after %.1f s", time.monotonic() - self.opened_at)
            self.open_until = self.probe_until = 0.0

    def reset(self) -> None:
        self.succeeded()

    @contextlib.contextmanager
    def call(self) -> Iterator[None]:
        """Around one Redis call: fail fast while open, and learn from its outcome."""
        probe = self.check()
        try:
            yield
        except (RedisConnectionError, RedisTimeoutError) as err:
            if not isinstance(err, CacheUnavailable):
                self.trip(err)
            raise
        except RedisError:  # Redis answered, with an error of its own: it is up
            self.succeeded()
            raise
        except BaseException:
            if probe:  # Redis was never asked: let the next call probe
                self.probe_until = 0.0
            raise
        self.succeeded()


def _guarded(method: Any) -> Any:
    @functools.wraps(method)
    def call(self: SharedRedisCacheClient, *args: Any, **kwargs: Any) -> Any:
        with self.breaker.call():
            return method(self, *args, **kwargs)

    return call


_clients: dict[tuple[Any, ...], SharedRedisCacheClient] = {}


class SharedRedisCacheClient(RedisCacheClient):
    def __init__(self, *args: Any, breaker_seconds: float = 5.0, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._redis: dict[int, Any] = {}
        # A probe may wait for a connect and a reply: room for both timeouts, twice.
        timeouts = (kwargs.get("socket_connect_timeout") or 0.25) + (
            kwargs.get("socket_timeout") or 0.25
        )
        self.breaker = Breaker(breaker_seconds, probe_seconds=max(1.0, 2 * timeouts))

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
