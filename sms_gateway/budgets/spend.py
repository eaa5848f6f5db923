"""Spend counters on Redis, checked against the caps and counted in one round trip.

One Lua script per SMS (one ``EVALSHA``, atomic): it reads the four counters an
SMS adds to (its country and the whole gateway, today and this month) and, unless
a cap that refuses this SMS would be passed, adds the SMS's cost to all four. A
refused SMS spends nothing. Without Redis (or while it fails) the same counters
live in each process, as the rate limits do: per process, so a cap then holds
per worker, not across the deployment (README, "Budgets").
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import NoScriptError, RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError

from ..core import budgets
from ..core.budgets import Counter
from ..core.tenants import DEFAULT_TENANT_ID, counter_key
from ..ops import metrics
from ..ops.redis_cache import shared_client

KEY_PREFIX = "sms_gateway:spend:"
# How long a period's counter outlives the period's start: the dashboard shows
# the current day and month; a little history stays for an operator's look.
TTL_SECONDS = {budgets.DAY: 8 * 86400, budgets.MONTH: 62 * 86400}

# KEYS: the counters. ARGV[1]: the SMS's cost (micro-units); ARGV[2i], ARGV[2i+1]:
# counter i's cap when it refuses this SMS (-1: it does not) and its TTL in seconds.
# Returns {0, spent...} when counted (the new values), else {i, spent...} for the
# first counter whose cap refused it (the values as they were: nothing counted).
SCRIPT = """
local amount = tonumber(ARGV[1])
local values = {}
for i = 1, #KEYS do
  values[i] = tonumber(redis.call('GET', KEYS[i]) or '0')
end
for i = 1, #KEYS do
  local cap = tonumber(ARGV[2 * i])
  if cap >= 0 and values[i] + amount > cap then
    table.insert(values, 1, i)
    return values
  end
end
for i = 1, #KEYS do
  values[i] = redis.call('INCRBY', KEYS[i], amount)
  redis.call('EXPIRE', KEYS[i], tonumber(ARGV[2 * i + 1]))
end
table.insert(values, 1, 0)
return values
"""
SCRIPT_SHA = hashlib.sha1(SCRIPT.encode(), usedforsecurity=False).hexdigest()


@dataclass(frozen=True)
class Charge:
    counters: tuple[Counter, ...]
    spent: tuple[int, ...]  # after the SMS when counted, before it when refused
    refused: Counter | None = None


def charge(
    country: str,
    amount: int,
    now: datetime,
    caps: Sequence[budgets.Cap],
    message_type: str,
    essential: frozenset[str],
    tenant: int = DEFAULT_TENANT_ID,
) -> Charge:
    """Count ``amount`` micro-units for one SMS, unless a cap refuses it; a tenant's
    caps count its own spend (``key_prefix``)."""
    counters = budgets.counters(country, now, caps, message_type, essential, key_prefix(tenant))
    client = shared_client()
    result = None
    if client is not None:
        try:
            result = _on_redis(client, counters, amount)
        except RedisError:
            metrics.GUARD_FALLBACK.inc()
    if result is None:
        result = _local.charge(counters, amount)
    index, spent = result
    charged = Charge(tuple(counters), tuple(spent), counters[index] if index is not None else None)
    _observe(charged, country, amount)
    return charged


def _on_redis(client, counters: Sequence[Counter], amount: int) -> tuple[int | None, list[int]]:  # noqa: ANN001
    client.breaker.check()  # open: fails at once, no socket timeout
    redis = client.get_client(write=True)
    keys = [c.key for c in counters]
    args: list[int] = [amount]
    for counter in counters:
        args += [counter.cap.cap_micros if counter.refuses else -1, TTL_SECONDS[counter.period]]
    try:
        try:
            reply = redis.evalsha(SCRIPT_SHA, len(keys), *keys, *args)
        except NoScriptError:
            reply = redis.eval(SCRIPT, len(keys), *keys, *args)
    except (RedisConnectionError, RedisTimeoutError) as err:
        client.breaker.trip(err)
        raise
    if client.breaker.open_until:
        client.breaker.reset()
    index = int(reply[0])
    return (index - 1 if index else None), [int(v) for v in reply[1:]]


def key_prefix(tenant: int = DEFAULT_TENANT_ID) -> str:
    """Where a tenant's spend counters are: the default tenant's as before tenants."""
    return KEY_PREFIX + counter_key(tenant, "")


def _period_of(key: str) -> tuple[str, ...]:
    return tuple(key.split(":")[-3:-1])


class LocalSpend:
    """The same counters in this process (no Redis, or Redis failing)."""

    def __init__(self) -> None:
        self._values: dict[str, int] = {}
        self._lock = threading.Lock()

    def charge(self, counters: Sequence[Counter], amount: int) -> tuple[int | None, list[int]]:
        with self._lock:
            spent = [self._values.get(c.key, 0) for c in counters]
            index = budgets.refusing(spent, amount, counters)
            if index is not None:
                return index, spent
            for counter in counters:
                self._values[counter.key] = self._values.get(counter.key, 0) + amount
            # Past periods are never read again: forget them (every tenant's; a key
            # ends in period:id:scope whatever its tenant's prefix).
            live = {_period_of(c.key) for c in counters}
            for key in [k for k in self._values if _period_of(k) not in live]:
                del self._values[key]
            return None, [self._values[c.key] for c in counters]

    def get(self, key: str) -> int:
        return self._values.get(key, 0)

    def clear(self) -> None:
        with self._lock:
            self._values.clear()


_local = LocalSpend()


def _observe(charged: Charge, country: str, amount: int) -> None:
    if charged.refused is None:
        metrics.SPEND.labels(country or "none").inc(amount / 1_000_000)
    else:
        metrics.BUDGET_REFUSALS.labels(charged.refused.scope, charged.refused.period).inc()
    for counter, spent in zip(charged.counters, charged.spent, strict=True):
        if counter.cap is not None:
            labels = (counter.scope, counter.period)
            metrics.BUDGET_USED.labels(*labels).set(budgets.used_ratio(spent, counter.cap))
            metrics.BUDGET_ALERT.labels(*labels).set(counter.cap.alert_ratio)


def read(keys: Sequence[str]) -> list[int]:
    """What the counters hold now (the dashboard); 0 for a counter never counted."""
    client = shared_client()
    if client is not None:
        try:
            client.breaker.check()
            values = client.get_client(write=False).mget(list(keys))
            return [int(v or 0) for v in values]
        except RedisError:
            pass
    return [_local.get(key) for key in keys]


def reset() -> None:
    """Forget every count (tests)."""
    _local.clear()
    client = shared_client()
    if client is None:
        return
    try:
        redis = client.get_client(write=True)
        keys = list(redis.scan_iter(match=f"{KEY_PREFIX}*", count=1000))
        if keys:
            redis.delete(*keys)
    except RedisError:
        pass
