"""SMS pumping: bursts to one destination prefix, far above its own baseline.

A pumping bot requests codes for numbers in a range whose operator shares the
termination revenue: many adjacent numbers, in a short window, codes never
used. Per prefix (the number less its last ``SMS_GUARD_PUMPING_TAIL_DIGITS``
digits: 1,000 adjacent numbers by default) Redis keeps, in one round trip per
SMS (one Lua script): per-minute and per-10-minute counts, the distinct
numbers (HyperLogLog), hourly counts for a 24-hour baseline, and the same for
the wider prefix (a walk across its ranges). ``verdict`` (pure)
decides; a prefix whose codes are mostly used (Logto's webhooks, see
delivery/conversion.py) is trusted instead of blocked.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import logging
import time
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.signals import setting_changed
from django.utils import timezone
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import NoScriptError, RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError

from ..ops import metrics
from ..ops.redis_cache import shared_client

logger = logging.getLogger("sms_gateway.guard")

WINDOW_MINUTES = 10
HOUR_MINUTES = 60  # the slow window: drips and walks
BASELINE_HOURS = 24
WIDE_DIGITS = 2  # a walk is seen on the range's wider prefix: 100 ranges of 1,000 numbers
MIN_WIDE_DIGITS = 6  # ... of at least 6 digits (the rate limits' prefix)
REPEAT_DAYS = 30  # blocks of the same prefix this far back make the next one longer
MAX_BLOCK_HOURS = 7 * 24
MONITOR, ENFORCE = "monitor", "enforce"

# The clock of the counters (a simulation replaces it to play an hour in seconds).
clock = time.time


@dataclass(frozen=True)
class Counts:
    recent: int  # SMS to the range in the last WINDOW_MINUTES, this one included
    distinct: int  # distinct numbers among them
    baseline: float  # average SMS per WINDOW_MINUTES over the previous BASELINE_HOURS
    hour: int = 0  # SMS to the range in the last HOUR_MINUTES
    hour_distinct: int = 0  # distinct numbers among them
    wide_hour: int = 0  # SMS to the wider prefix (WIDE_DIGITS fewer) in the last hour
    wide_ranges: int = 0  # distinct ranges among them
    wide_baseline: float = 0.0  # its average SMS per hour over the previous BASELINE_HOURS


@dataclass(frozen=True)
class Thresholds:
    min_recent: int = 10  # never block on fewer SMS than this in the window
    min_distinct: int = 8  # a burst: at least this many numbers (adjacent numbers)
    ratio: float = 5.0  # ... nor below this many times the prefix's own baseline
    # Resends: the same volume to a few numbers. A real user gets at most 5 codes per
    # 10 min (the recipient limit), so 10 SMS to 3 numbers is already 3 resends each.
    min_resent_numbers: int = 3
    min_hour: int = 25  # a drip: this many SMS to the range in an hour...
    min_hour_distinct: int = 8  # ... to this many numbers, under the 10-minute minimum
    min_walk: int = 40  # a walk: this many SMS to the wider prefix in an hour...
    min_walk_ranges: int = 4  # ... spread over this many of its ranges


@dataclass(frozen=True)
class Finding:
    rule: str  # burst | resends | drip | walk
    reason: str  # for the block's page and the log
    wide: bool = False  # the wider prefix is to be blocked, not the range


def verdict(counts: Counts, thresholds: Thresholds) -> Finding | None:
    """Why the range (or its wider prefix) should be blocked, or None. Pure."""
    t = thresholds
    per_hour = counts.baseline * HOUR_MINUTES / WINDOW_MINUTES
    if counts.recent >= max(t.min_recent, t.ratio * counts.baseline):
        rule = "burst" if counts.distinct >= t.min_distinct else "resends"
        if counts.distinct >= min(t.min_distinct, t.min_resent_numbers):
            return Finding(
                rule,
                _why(rule, counts.recent, counts.distinct, "numbers", WINDOW_MINUTES,
                     counts.baseline),
            )  # fmt: skip
    if counts.hour >= max(t.min_hour, t.ratio * per_hour) and (
        counts.hour_distinct >= t.min_hour_distinct
    ):
        return Finding(
            "drip", _why("drip", counts.hour, counts.hour_distinct, "numbers", 60, per_hour)
        )
    if counts.wide_hour >= max(t.min_walk, t.ratio * counts.wide_baseline) and (
        counts.wide_ranges >= t.min_walk_ranges
    ):
        why = _why("walk", counts.wide_hour, counts.wide_ranges, "ranges", 60, counts.wide_baseline)
        return Finding("walk", why, wide=True)
    return None


def _why(rule: str, sms: int, spread: int, what: str, minutes: int, baseline: float) -> str:
    return (
        f"{rule}: {sms} SMS to {spread} {what} in {minutes} min, "
        f"{sms / max(baseline, 0.1):.0f}x its baseline of {baseline:.1f} per {minutes} min"
    )


def block_hours(base: int, previous: int) -> int:
    """A repeat offender's block doubles with each block in the last REPEAT_DAYS. Pure."""
    return min(base * 2 ** min(previous, 8), max(base, MAX_BLOCK_HOURS))


def prefix_of(digits: str) -> str:
    tail = settings.SMS_GUARD_PUMPING_TAIL_DIGITS
    return digits[: max(1, len(digits) - tail)]


def wide_of(prefix: str) -> str:
    """The range's wider prefix, never shorter than MIN_WIDE_DIGITS: a short number's
    would be a whole country code (+683 Niue, 7 digits), so it has none (itself)."""
    return prefix[: max(len(prefix) - WIDE_DIGITS, min(len(prefix), MIN_WIDE_DIGITS))]


@functools.cache  # read for every SMS; the settings change only in tests (cleared then)
def thresholds() -> Thresholds:
    return Thresholds(
        min_recent=settings.SMS_GUARD_PUMPING_MIN_SMS,
        min_distinct=settings.SMS_GUARD_PUMPING_MIN_NUMBERS,
        ratio=settings.SMS_GUARD_PUMPING_RATIO,
        min_hour=settings.SMS_GUARD_PUMPING_MIN_SMS_PER_HOUR,
        min_walk=settings.SMS_GUARD_PUMPING_MIN_WALK,
    )


def _on_setting_changed(setting: str, **kwargs: object) -> None:
    if setting.startswith("SMS_GUARD_PUMPING_"):
        thresholds.cache_clear()


setting_changed.connect(_on_setting_changed)


# Counts one SMS in its range and its wider prefix and reads their counts, in one
# EVALSHA (it was a pipeline of 10 commands; 19 for these counters, twice the CPU).
# ARGV: range key, wider key, number, range, minute, 10-minute bucket, hour. Per key:
# :m:<minute> and :d:<minute> (count, HyperLogLog of numbers) for the 10-minute window;
# :s:<tens> and :sd:<tens> (the wider key's HyperLogLog holds ranges) for the hour,
# the current 10-minute bucket and the 5 before (50 to 60 minutes); :h:<hour> for the
# 24-hour baseline; :trusted. Returns recent, distinct, hour, hour_distinct, hourly,
# wide_hour, wide_ranges, wide_hourly, range trusted, wider prefix trusted.
SCRIPT = """
local key, wide, digits, prefix = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local minute, tens, hour = tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7])
local function add(name, ttl, member)
  if member then redis.call('PFADD', name, member) else redis.call('INCR', name) end
  redis.call('EXPIRE', name, ttl)
end
local function names(k, from, to)
  local out = {}
  for i = from, to do out[#out + 1] = k .. i end
  return out
end
local function sum(k, from, to)
  local total = 0
  for _, v in ipairs(redis.call('MGET', unpack(names(k, from, to)))) do
    if v then total = total + tonumber(v) end
  end
  return total
end
local function distinct(k, from, to)
  return redis.call('PFCOUNT', unpack(names(k, from, to)))
end
add(key .. ':m:' .. minute, 660)
add(key .. ':d:' .. minute, 660, digits)
for _, kv in ipairs({{key, digits}, {wide, prefix}}) do
  add(kv[1] .. ':s:' .. tens, 4200)
  add(kv[1] .. ':sd:' .. tens, 4200, kv[2])
  add(kv[1] .. ':h:' .. hour, 93600)
end
return {
  sum(key .. ':m:', minute - 9, minute), distinct(key .. ':d:', minute - 9, minute),
  sum(key .. ':s:', tens - 5, tens), distinct(key .. ':sd:', tens - 5, tens),
  sum(key .. ':h:', hour - 24, hour - 1),
  sum(wide .. ':s:', tens - 5, tens), distinct(wide .. ':sd:', tens - 5, tens),
  sum(wide .. ':h:', hour - 24, hour - 1),
  redis.call('EXISTS', key .. ':trusted'), redis.call('EXISTS', wide .. ':trusted'),
}
"""
SCRIPT_SHA = hashlib.sha1(SCRIPT.encode()).hexdigest()  # noqa: S324 (Redis' script id)


def script_args(prefix: str, digits: str, now: float | None = None) -> tuple[object, ...]:
    """SCRIPT's ARGV for one SMS to ``digits`` in the range ``prefix``."""
    now = now or clock()
    key, wide = f"sms_gateway:pump:{prefix}", f"sms_gateway:pump:{wide_of(prefix)}"
    return (key, wide, digits, prefix, int(now // 60), int(now // 600), int(now // 3600))


def counts_of(values: list[int]) -> Counts | None:
    """SCRIPT's answer as Counts; None when the range is trusted."""
    recent, distinct, hour, hour_distinct, hourly, wide_hour, ranges, wide_hourly = (
        int(v) for v in values[:8]
    )
    if values[8]:
        return None
    return Counts(
        recent=recent,
        distinct=distinct,
        baseline=hourly / (BASELINE_HOURS * 60 / WINDOW_MINUTES),
        hour=hour,
        hour_distinct=hour_distinct,
        wide_hour=0 if values[9] else wide_hour,
        wide_ranges=ranges,
        wide_baseline=wide_hourly / BASELINE_HOURS,
    )


def count(prefix: str, digits: str, now: float | None = None) -> Counts | None:
    """Count this SMS in its range and its wider prefix and read their counts: one
    round trip (SCRIPT). None without Redis, or when the range is trusted. The guard
    joins this round trip to the rate limits' (fraud/round_trip.py); this is the
    detector alone, when no rate-limit step runs just before it."""
    client = shared_client()
    if client is None:
        return None  # no shared Redis: the detector is off (the embedded default)
    args = script_args(prefix, digits, now)
    with client.breaker.call():
        redis = client.get_client(write=True)
        try:
            values = redis.evalsha(SCRIPT_SHA, 0, *args)
        except NoScriptError:  # a restarted or flushed Redis: sent once more in full
            values = redis.eval(SCRIPT, 0, *args)
    return counts_of(values)


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


def block(prefix: str, reason: str, counts: Counts, enforced: bool = True) -> bool:
    """Block the prefix once for everyone; True if this call created the block.
    ``enforced=False`` (monitor mode) records what would have been blocked instead."""
    client = shared_client()
    if client is not None:
        with client.breaker.call():
            lock = f"sms_gateway:pump:{prefix}:blocking:{int(enforced)}"
            if not client.get_client(write=True).set(lock, 1, nx=True, ex=60):
                return False  # another worker is blocking it right now
    try:
        return _create_block(prefix, reason, counts, enforced)
    except BaseException:
        if client is not None:  # let the next SMS try again, not only in a minute
            with contextlib.suppress(RedisError), client.breaker.call():
                client.get_client(write=True).delete(lock)
        raise


def _create_block(prefix: str, reason: str, counts: Counts, enforced: bool) -> bool:
    from ..models import BlockedPrefix  # saving it publishes a new catalog version

    now = timezone.now()
    blocks = BlockedPrefix.objects.filter(prefix=prefix, enforced=enforced)
    if blocks.filter(unblocked_at=None, until__gt=now).exists():
        return False
    # Blocks an operator lifted were mistakes: they do not make the next one longer.
    previous = blocks.filter(
        automatic=True, unblocked_at=None, blocked_at__gte=now - timedelta(days=REPEAT_DAYS)
    ).count()
    hours = block_hours(settings.SMS_GUARD_PUMPING_BLOCK_HOURS, previous)
    BlockedPrefix.objects.create(
        prefix=prefix,
        reason=reason,
        evidence={
            "recent": counts.recent,
            "distinct_numbers": counts.distinct,
            "baseline_per_window": round(counts.baseline, 2),
            "window_minutes": WINDOW_MINUTES,
            "last_hour": counts.hour,
            "distinct_numbers_last_hour": counts.hour_distinct,
            "wider_prefix_last_hour": counts.wide_hour,
            "wider_prefix_ranges": counts.wide_ranges,
            "previous_blocks": previous,
        },
        automatic=True,
        enforced=enforced,
        until=now + timedelta(hours=hours),
    )
    if enforced:
        metrics.GUARD_BLOCKS.inc()
        logger.error("pumping guard blocked +%s for %s h: %s", prefix, hours, reason)
    else:
        logger.warning("pumping guard (monitor) would have blocked +%s: %s", prefix, reason)
    return True
