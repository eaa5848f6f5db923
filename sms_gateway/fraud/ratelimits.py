"""Rate limits shared by every worker and machine: ``limits``' moving window on Redis.

Each hit is one atomic Lua call on the Redis the gateway already uses (the
cache's own connection pool), so under any concurrency exactly ``limit`` SMS
pass per window and key. Without a Redis cache (the embedded default) the
limits are per process. When Redis fails, the limits fall back to per-process
counting for as long as the cache's breaker stays open, with an ERROR line and
``sms_gateway_guard_fallback_total``: never an error to Logto.
"""

from __future__ import annotations

import contextlib
import logging
import math
import threading
import time
from typing import Any

from limits import RateLimitItemPerSecond
from limits.storage import MemoryStorage, RedisStorage, Storage
from limits.strategies import MovingWindowRateLimiter
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from ..ops import metrics
from ..ops.redis_cache import shared_client
from .config import Limit

logger = logging.getLogger("sms_gateway.guard")

_lock = threading.Lock()
_limiters: dict[int, MovingWindowRateLimiter] = {}


def _limiter(client: Any) -> MovingWindowRateLimiter:
    """The limiter on ``client``'s Redis pool, or a per-process one for None."""
    key = id(client)
    limiter = _limiters.get(key)
    if limiter is None:
        with _lock:
            limiter = _limiters.get(key)
            if limiter is None:
                storage: Storage
                if client is not None:
                    pool = client._get_connection_pool(write=True)
                    storage = RedisStorage(
                        "redis://", connection_pool=pool, key_prefix="sms_gateway:limits"
                    )
                else:
                    storage = MemoryStorage()
                limiter = _limiters[key] = MovingWindowRateLimiter(storage)
    return limiter


def reset() -> None:
    """Forget every count (tests)."""
    with _lock:
        for limiter in _limiters.values():
            with contextlib.suppress(Exception):  # a Redis that is gone has nothing to forget
                limiter.storage.reset()
        _limiters.clear()


def hit(limit: Limit, key: str) -> int | None:
    """Count one SMS for ``key``; None if allowed, else the seconds until one more may pass."""
    item = RateLimitItemPerSecond(limit.limit, limit.window_seconds)
    identity = (limit.scope, str(limit.window_seconds), key)
    client = shared_client()
    if client is not None:
        try:
            client.breaker.check()
            return _hit(_limiter(client), item, identity)
        except (RedisConnectionError, RedisTimeoutError) as err:
            if type(err).__name__ != "CacheUnavailable":
                client.breaker.trip(err)
                logger.error("rate limits fall back to per-process counts: Redis failed")
            metrics.GUARD_FALLBACK.inc()
    return _hit(_limiter(None), item, identity)


def _hit(limiter: MovingWindowRateLimiter, item, identity: tuple[str, ...]) -> int | None:  # noqa: ANN001
    if limiter.hit(item, *identity):
        return None
    reset_at = limiter.get_window_stats(item, *identity).reset_time
    return max(1, math.ceil(reset_at - time.time()))
