"""Rate limits shared by every worker and machine: sliding-window counters on Redis.

All the limits of one SMS are checked and counted by one Lua script, in one
round trip and atomically: the SMS is counted in every limit only if every
limit lets it through, so a refused SMS spends no quota (``window.py`` has the
algorithm, its reference and its error bound). Per key Redis keeps one small
hash of at most 60 counters, which expires when its newest counter stops
counting: never more than one window away.

Without a Redis cache (the embedded default) the same counters live in the
process. When Redis fails they do too, for as long as it fails, bounded to
``LOCAL_KEYS`` keys: one ERROR line when it starts, one WARNING when Redis
answers again, ``sms_gateway_guard_fallback_total`` per SMS counted so; never
an error to Logto.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from redis.exceptions import NoScriptError, RedisError

from ..ops import metrics
from ..ops.redis_cache import shared_client
from . import window
from .config import Limit

logger = logging.getLogger("sms_gateway.guard")

KEY_PREFIX = "sms_gateway:rl"
# Keys the per-process counters hold at most (about 0.5 KB each): beyond that,
# the least recently counted are forgotten. The gateway-wide and country keys
# are counted by every SMS, so they are never the ones forgotten.
LOCAL_KEYS = 20_000

# window.py's decide() then add() for every key, in one atomic call.
# ARGV[1]: now in ms, or "" for Redis' own clock (one clock for every gateway
# machine); ARGV[2]: n, the number of limits. KEYS[1..n]: one hash per limit and
# key (field: sub-window number, value: SMS counted in it); ARGV[3i..3i+2]: its
# limit, sub-window width in ms and sub-windows counted. Keys and arguments past
# those are left for other counters of the same SMS to join this round trip.
# Returns {0, 0} when the SMS was counted in every limit; else {i, wait_ms} for
# the limit with the longest wait (the first on ties), and nothing was counted.
SCRIPT = """
local now = tonumber(ARGV[1])
if not now then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local n = tonumber(ARGV[2])
local refused, longest = 0, 0
local subs, stale = {}, {}
for i = 1, n do
  local key = KEYS[i]
  local limit = tonumber(ARGV[3 * i])
  local width = tonumber(ARGV[3 * i + 1])
  local buckets = tonumber(ARGV[3 * i + 2])
  subs[i] = math.floor(now / width)
  local oldest = subs[i] - buckets + 1
  local flat = redis.call('HGETALL', key)
  local count = 0
  stale[i] = {}
  for j = 1, #flat, 2 do
    if tonumber(flat[j]) >= oldest then
      count = count + tonumber(flat[j + 1])
    else
      stale[i][#stale[i] + 1] = flat[j]
    end
  end
  if count >= limit then
    local live = {}
    for j = 1, #flat, 2 do
      local sub = tonumber(flat[j])
      if sub >= oldest then
        live[#live + 1] = {sub, tonumber(flat[j + 1])}
      end
    end
    table.sort(live, function(a, b) return a[1] < b[1] end)
    local wait = buckets * width
    for _, counter in ipairs(live) do
      count = count - counter[2]
      if count < limit then
        wait = (counter[1] + buckets) * width - now
        break
      end
    end
    if wait > longest then
      refused, longest = i, wait
    end
  end
end
if refused > 0 then
  return {refused, longest}
end
for i = 1, n do
  local key = KEYS[i]
  local width = tonumber(ARGV[3 * i + 1])
  local buckets = tonumber(ARGV[3 * i + 2])
  redis.call('HINCRBY', key, string.format('%d', subs[i]), 1)
  if #stale[i] > 0 then
    redis.call('HDEL', key, unpack(stale[i]))
  end
  redis.call('PEXPIREAT', key, string.format('%d', (subs[i] + buckets) * width))
end
return {0, 0}
"""
SCRIPT_SHA = hashlib.sha1(SCRIPT.encode(), usedforsecurity=False).hexdigest()  # EVALSHA's name


@dataclass(frozen=True)
class Refusal:
    limit: Limit
    retry_after: int  # seconds until this SMS would pass, at least 1


def key_of(limit: Limit, key: str) -> str:
    return f"{KEY_PREFIX}:{limit.scope}:{limit.window_seconds}:{key}"


def hit_all(checks: Sequence[tuple[Limit, str]]) -> Refusal | None:
    """Count one SMS for every (limit, key) if all let it pass; else the refusing one."""
    if not checks:
        return None
    client = shared_client()
    if client is not None:
        try:
            verdict = _on_redis(client, checks)
        except RedisError as err:
            fall_back(err, reported=client.breaker.is_open)
        else:
            back_on_redis()
            return refusal_of(checks, verdict)
    return count_locally(checks)


def count_locally(checks: Sequence[tuple[Limit, str]]) -> Refusal | None:
    """The per-process counters: no shared Redis, or while it fails."""
    return refusal_of(checks, _local.hit(checks, _now_ms()))


def hit(limit: Limit, key: str) -> int | None:
    """One limit alone: None if allowed, else the seconds until one more may pass."""
    refusal = hit_all([(limit, key)])
    return None if refusal is None else refusal.retry_after


def script_input(
    checks: Sequence[tuple[Limit, str]], now_ms: int | None = None
) -> tuple[list[str], list[Any]]:
    """SCRIPT's KEYS and ARGV for these checks."""
    keys = [key_of(limit, key) for limit, key in checks]
    args: list[Any] = ["" if now_ms is None else now_ms, len(keys)]
    for limit, _ in checks:
        geometry = window.Geometry.of(limit.window_seconds)
        args += [limit.limit, geometry.width_ms, geometry.buckets]
    return keys, args


def verdict_of(index: int, wait: int) -> window.Verdict:
    """SCRIPT's answer: {0, 0}, or the refusing limit (from 1) and its wait."""
    return window.Verdict(int(index) - 1 if index else None, int(wait))


def run_script(redis: Any, script: str, sha: str, keys: list[str], args: list[Any]) -> Any:
    """EVALSHA: one round trip (two the first time on a server: EVAL caches it there)."""
    try:
        return redis.evalsha(sha, len(keys), *keys, *args)
    except NoScriptError:  # a new, restarted or flushed server
        return redis.eval(script, len(keys), *keys, *args)


def evaluate(
    redis: Any, checks: Sequence[tuple[Limit, str]], now_ms: int | None = None
) -> window.Verdict:
    """Run the script on ``redis``: one round trip (two the first time on a server).
    ``now_ms`` for tests; the gateway uses Redis' clock."""
    keys, args = script_input(checks, now_ms)
    index, wait = run_script(redis, SCRIPT, SCRIPT_SHA, keys, args)
    return verdict_of(index, wait)


def _on_redis(client: Any, checks: Sequence[tuple[Limit, str]]) -> window.Verdict:
    # Through the breaker: open, CacheUnavailable at once (no socket timeout); after the
    # open period one probe tries Redis, and its answer closes the breaker.
    with client.breaker.call():
        return evaluate(client.get_client(write=True), checks)


def refusal_of(checks: Sequence[tuple[Limit, str]], verdict: window.Verdict) -> Refusal | None:
    if verdict.refused is None:
        return None
    return Refusal(checks[verdict.refused][0], max(1, math.ceil(verdict.wait_ms / 1000)))


def _now_ms() -> int:
    return time.time_ns() // 1_000_000


class LocalCounts:
    """The same counters in this process, for at most ``capacity`` keys: the least
    recently counted are forgotten first. Every operation is O(1) per limit; no
    thread, no sweep."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._counts: OrderedDict[str, dict[int, int]] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._counts)

    def hit(self, checks: Sequence[tuple[Limit, str]], now_ms: int) -> window.Verdict:
        keys = [key_of(limit, key) for limit, key in checks]
        geometries = [window.Geometry.of(limit.window_seconds) for limit, _ in checks]
        with self._lock:
            rules = [
                window.Rule(limit.limit, geometry, self._counts.get(key, {}))
                for (limit, _), geometry, key in zip(checks, geometries, keys, strict=True)
            ]
            verdict = window.decide(rules, now_ms)
            if verdict.refused is None:
                for key, geometry in zip(keys, geometries, strict=True):
                    counts = self._counts.pop(key, None) or {}
                    window.add(counts, geometry, now_ms)
                    self._counts[key] = counts  # now the most recently counted
                while len(self._counts) > self.capacity:
                    self._counts.popitem(last=False)
        return verdict

    def count(self, limit: Limit, key: str, now_ms: int) -> int:
        counts = self._counts.get(key_of(limit, key), {})
        return window.count(counts, window.Geometry.of(limit.window_seconds), now_ms)

    def clear(self) -> None:
        with self._lock:
            self._counts.clear()


_local = LocalCounts(LOCAL_KEYS)
_outage_lock = threading.Lock()
_outage_since: float | None = None  # monotonic time Redis failed, while it does
_outage_level = logging.ERROR  # how its start was logged: its end is said at the same rank


def fall_back(err: Exception, reported: bool = False) -> None:
    """Redis failed: count per process. ``reported``: the cache's breaker has just said
    so at ERROR (Redis unreachable); this line is then INFO, so that an outage is one
    ERROR line when it starts and one WARNING when it ends (per worker). Redis answering
    with an error of its own trips no breaker: this line is the ERROR."""
    global _outage_since, _outage_level
    metrics.GUARD_FALLBACK.inc()
    with _outage_lock:
        if _outage_since is not None:
            return
        _outage_since = time.monotonic()
        _outage_level = logging.INFO if reported else logging.ERROR
    logger.log(
        _outage_level,
        "rate limits count per process until Redis answers again: Redis failed (%s)",
        type(err).__name__,
    )


def back_on_redis() -> None:
    global _outage_since
    if _outage_since is None:
        return
    with _outage_lock:
        since, _outage_since = _outage_since, None
    if since is not None:
        logger.log(
            logging.INFO if _outage_level == logging.INFO else logging.WARNING,
            "rate limits count on Redis again, after %.0f s of per-process counts",
            time.monotonic() - since,
        )


def reset() -> None:
    """Forget every count (tests)."""
    global _outage_since
    _local.clear()
    _outage_since = None
    client = shared_client()
    if client is None:
        return
    with contextlib.suppress(RedisError):  # a Redis that is gone has nothing to forget
        redis = client.get_client(write=True)
        keys = list(redis.scan_iter(match=f"{KEY_PREFIX}:*", count=1000))
        if keys:
            redis.delete(*keys)
