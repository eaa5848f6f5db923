"""SMS pumping: bursts to one destination prefix, far above its own baseline.

A pumping bot requests codes for numbers in a range whose operator shares the
termination revenue: many adjacent numbers, in a short window, codes never
used. Per prefix (the number less its last ``SMS_GUARD_PUMPING_TAIL_DIGITS``
digits: 1,000 adjacent numbers by default) Redis keeps, in one pipelined round
trip per SMS: per-minute counts, the distinct numbers per minute
(HyperLogLog), and hourly counts for a 24-hour baseline. ``verdict`` (pure)
decides; a prefix whose codes are mostly used (Logto's webhooks, see
delivery/conversion.py) is trusted instead of blocked.
"""

from __future__ import annotations

import contextlib
import logging
import time
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError

from ..ops import metrics
from ..ops.redis_cache import shared_client

logger = logging.getLogger("sms_gateway.guard")

WINDOW_MINUTES = 10
BASELINE_HOURS = 24


@dataclass(frozen=True)
class Counts:
    recent: int  # SMS to the prefix in the last WINDOW_MINUTES, this one included
    distinct: int  # distinct numbers among them
    baseline: float  # average SMS per WINDOW_MINUTES over the previous BASELINE_HOURS


@dataclass(frozen=True)
class Thresholds:
    min_recent: int = 10  # never block on fewer SMS than this in the window
    min_distinct: int = 8  # ... nor on fewer distinct numbers (a burst to adjacent numbers)
    ratio: float = 5.0  # ... nor below this many times the prefix's own baseline


def verdict(counts: Counts, thresholds: Thresholds) -> str | None:
    """Why the prefix should be blocked, or None. Pure."""
    if counts.distinct < thresholds.min_distinct:
        return None
    ceiling = max(thresholds.min_recent, thresholds.ratio * counts.baseline)
    if counts.recent < ceiling:
        return None
    return (
        f"{counts.recent} SMS to {counts.distinct} numbers in {WINDOW_MINUTES} min, "
        f"{counts.recent / max(counts.baseline, 0.1):.0f}x its baseline of "
        f"{counts.baseline:.1f} per {WINDOW_MINUTES} min"
    )


def prefix_of(digits: str) -> str:
    tail = settings.SMS_GUARD_PUMPING_TAIL_DIGITS
    return digits[: max(1, len(digits) - tail)]


def thresholds() -> Thresholds:
    return Thresholds(
        min_recent=settings.SMS_GUARD_PUMPING_MIN_SMS,
        min_distinct=settings.SMS_GUARD_PUMPING_MIN_NUMBERS,
        ratio=settings.SMS_GUARD_PUMPING_RATIO,
    )


def count(prefix: str, digits: str, now: float | None = None) -> Counts | None:
    """Count this SMS and read the prefix's counts: one round trip. None without Redis."""
    client = shared_client()
    if client is None:
        return None  # no shared Redis: the detector is off (the embedded default)
    now = now or time.time()
    minute, hour = int(now // 60), int(now // 3600)
    key = f"sms_gateway:pump:{prefix}"
    with client.breaker.call():
        pipe = client.get_client(write=True).pipeline(transaction=False)
        pipe.incr(f"{key}:m:{minute}")
        pipe.expire(f"{key}:m:{minute}", (WINDOW_MINUTES + 1) * 60)
        pipe.pfadd(f"{key}:d:{minute}", digits)
        pipe.expire(f"{key}:d:{minute}", (WINDOW_MINUTES + 1) * 60)
        pipe.incr(f"{key}:h:{hour}")
        pipe.expire(f"{key}:h:{hour}", (BASELINE_HOURS + 2) * 3600)
        pipe.mget([f"{key}:m:{m}" for m in range(minute - WINDOW_MINUTES + 1, minute + 1)])
        pipe.pfcount(*[f"{key}:d:{m}" for m in range(minute - WINDOW_MINUTES + 1, minute + 1)])
        pipe.mget([f"{key}:h:{h}" for h in range(hour - BASELINE_HOURS, hour)])
        pipe.get(f"{key}:trusted")
        *_, recent, distinct, hourly, trusted = pipe.execute()
    if trusted:
        return None
    per_window = sum(int(v) for v in hourly if v) / (BASELINE_HOURS * 60 / WINDOW_MINUTES)
    return Counts(sum(int(v) for v in recent if v), int(distinct), per_window)


def converting(prefix: str) -> bool:
    """Most of the prefix's recent codes were used: real users, not a bot. One query."""
    from ..delivery.conversion import conversion_rate

    rate = conversion_rate(prefix=prefix, window=timedelta(hours=1))
    sent = getattr(rate, "sent", 0)
    converted = getattr(rate, "converted", 0)
    return sent >= settings.SMS_GUARD_PUMPING_MIN_SMS and converted >= sent / 2


def trust(prefix: str) -> None:
    """Trust the prefix for 10 minutes: its codes are used. Best effort: without Redis
    the next SMS asks the conversion signal again."""
    client = shared_client()
    if client is None:
        return
    with contextlib.suppress(RedisConnectionError, RedisTimeoutError), client.breaker.call():
        client.get_client(write=True).set(f"sms_gateway:pump:{prefix}:trusted", 1, ex=600)


def block(prefix: str, reason: str, counts: Counts) -> bool:
    """Block the prefix once for everyone; True if this call created the block."""
    client = shared_client()
    hours = settings.SMS_GUARD_PUMPING_BLOCK_HOURS
    if client is not None:
        with client.breaker.call():
            lock = f"sms_gateway:pump:{prefix}:blocking"
            if not client.get_client(write=True).set(lock, 1, nx=True, ex=60):
                return False  # another worker is blocking it right now
    try:
        return _create_block(prefix, reason, counts, hours)
    except BaseException:
        if client is not None:  # let the next SMS try again, not only in a minute
            with contextlib.suppress(RedisError), client.breaker.call():
                client.get_client(write=True).delete(f"sms_gateway:pump:{prefix}:blocking")
        raise


def _create_block(prefix: str, reason: str, counts: Counts, hours: int) -> bool:
    from ..models import BlockedPrefix  # saving it publishes a new catalog version

    now = timezone.now()
    if BlockedPrefix.objects.filter(prefix=prefix, unblocked_at=None, until__gt=now).exists():
        return False
    BlockedPrefix.objects.create(
        prefix=prefix,
        reason=reason,
        evidence={
            "recent": counts.recent,
            "distinct_numbers": counts.distinct,
            "baseline_per_window": round(counts.baseline, 2),
            "window_minutes": WINDOW_MINUTES,
        },
        automatic=True,
        until=now + timedelta(hours=hours),
    )
    metrics.GUARD_BLOCKS.inc()
    logger.error("pumping guard blocked +%s for %s h: %s", prefix, hours, reason)
    return True
