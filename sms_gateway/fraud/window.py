"""Sliding-window counters: the rate limits' algorithm. Pure.

Figma's "sliding window counters" (Nikrad Mahdi, *An alternative approach to
rate limiting*, 2017, https://www.figma.com/blog/an-alternative-approach-to-rate-limiting/):
a window of W seconds is cut into ``SUB_WINDOWS`` sub-windows of W/60 each;
a key keeps one counter per sub-window that saw an SMS, and its count is the
sum of the last 60 (the current one included). So a key holds at most 60
small integers whatever its traffic, and every SMS counts for between
W - W/60 and W after it was sent (W - 2 W/60 at worst when W/60 is not a
whole number of ms: ``Geometry.of``). Hence the error bound against the exact
moving window (which keeps one timestamp per SMS):

* it never refuses an SMS the exact moving window would let through, and its
  Retry-After is never later (an SMS it counts is less than W old);
* it lets at most L through in any W - W/60 seconds (9 min 50 s for 10 min):
  an SMS is forgotten at most W/60 early.

``decide`` checks every limit of one SMS before ``add`` counts it in any:
all or nothing. ``ratelimits.SCRIPT`` is the same algorithm in Lua, for Redis.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, MutableMapping, Sequence
from dataclasses import dataclass

SUB_WINDOWS = 60


@dataclass(frozen=True)
class Geometry:
    width_ms: int  # one sub-window
    buckets: int  # sub-windows counted, the current one included: buckets * width_ms <= W

    @classmethod
    @functools.cache  # a handful of windows, asked for by every limit of every SMS
    def of(cls, window_seconds: int) -> Geometry:
        window_ms = max(1, window_seconds) * 1000
        width = max(1, window_ms // SUB_WINDOWS)
        return cls(width, window_ms // width)


@dataclass(frozen=True)
class Rule:
    """One limit applied to one key's counters (sub-window number -> SMS counted in it)."""

    limit: int
    geometry: Geometry
    counts: Mapping[int, int]


@dataclass(frozen=True)
class Verdict:
    refused: int | None  # index of the refusing rule, None when every rule lets the SMS pass
    wait_ms: int = 0  # until the refusing rule would let one more pass


def current(geometry: Geometry, now_ms: int) -> int:
    """The sub-window ``now_ms`` falls in."""
    return now_ms // geometry.width_ms


def live(counts: Mapping[int, int], geometry: Geometry, now_ms: int) -> dict[int, int]:
    """The counters still inside the window."""
    oldest = current(geometry, now_ms) - geometry.buckets + 1
    return {sub: n for sub, n in counts.items() if sub >= oldest}


def count(counts: Mapping[int, int], geometry: Geometry, now_ms: int) -> int:
    return sum(live(counts, geometry, now_ms).values())


def wait_ms(rule: Rule, now_ms: int) -> int:
    """0 if one more SMS may pass now, else the milliseconds until one may."""
    counters = live(rule.counts, rule.geometry, now_ms)
    remaining = sum(counters.values())
    if remaining < rule.limit:
        return 0
    for sub in sorted(counters):
        remaining -= counters[sub]
        if remaining < rule.limit:
            return (sub + rule.geometry.buckets) * rule.geometry.width_ms - now_ms
    return rule.geometry.buckets * rule.geometry.width_ms  # a limit of 0: never


def decide(rules: Sequence[Rule], now_ms: int) -> Verdict:
    """The rule that refuses one more SMS now, or none. Of several, the one with the
    longest wait (the first on ties): the SMS cannot pass before it."""
    refused, longest = None, 0
    for index, rule in enumerate(rules):
        wait = wait_ms(rule, now_ms)
        if wait > longest:
            refused, longest = index, wait
    return Verdict(refused, longest)


def add(counts: MutableMapping[int, int], geometry: Geometry, now_ms: int) -> None:
    """Count one SMS now, and drop the counters that left the window."""
    oldest = current(geometry, now_ms) - geometry.buckets + 1
    for sub in [sub for sub in counts if sub < oldest]:
        del counts[sub]
    sub = current(geometry, now_ms)
    counts[sub] = counts.get(sub, 0) + 1


def expires_at_ms(geometry: Geometry, now_ms: int) -> int:
    """When the counters of a key last counted at ``now_ms`` stop counting: at most W away."""
    return (current(geometry, now_ms) + geometry.buckets) * geometry.width_ms
