"""The guard's Redis work for one SMS in one round trip: the rate limits and the
pumping detector's counters, in one Lua script.

The script is ``ratelimits.SCRIPT`` and ``pumping.SCRIPT``, each as a Lua
function, and a few lines that call them: every rate limit is checked and, only
if all let the SMS through, counted (all or nothing, ``window.py``); then, and
only then, the SMS is counted in its range's pumping counters and their counts
are read. A rate-limited SMS is counted nowhere, as when the two steps made a
round trip each (the detector never saw an SMS the limits refused). One
``EVALSHA``, atomic, on Redis' clock for the limits and the gateway's for the
detector's minute buckets, as before.

``steps.rate_limits`` takes this path when ``steps.pumping_guard`` comes right
after it in ``SMS_GUARD`` (the default) and leaves the counts in the draft's
``guard_notes`` for it; otherwise each step makes its own round trip.

Redis failing: the rate limits count per process (``ratelimits.fall_back``; the
cache's breaker logs the outage: one ERROR line when it starts, one WARNING when
it ends) and the detector is off for the SMS, as each alone does.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from redis.exceptions import RedisError

from ..ops.redis_cache import shared_client
from . import pumping, ratelimits
from .config import Limit


def _as_function(name: str, params: str, body: str) -> str:
    return f"local function {name}({params})\n{body}\nend\n"


SCRIPT = (
    _as_function("rate_limits", "KEYS, ARGV", ratelimits.SCRIPT)
    + _as_function("pumping", "ARGV", pumping.SCRIPT)
    + """
local verdict = rate_limits(KEYS, ARGV)
if verdict[1] ~= 0 then
  return verdict
end
local rest = {}
for i = 3 + 3 * tonumber(ARGV[2]), #ARGV do
  rest[#rest + 1] = ARGV[i]
end
local counts = pumping(rest)
return {0, 0, unpack(counts)}
"""
)
SCRIPT_SHA = hashlib.sha1(SCRIPT.encode(), usedforsecurity=False).hexdigest()


@dataclass(frozen=True)
class Outcome:
    refusal: ratelimits.Refusal | None  # the rate limit that refused the SMS, if one did
    # The detector's counts when the limits let the SMS through (None: a trusted range,
    # or no count made: refused, no shared Redis, or Redis failing).
    counts: pumping.Counts | None
    redis_failed: bool = False  # the detector is off for this SMS: Redis failed


def count(checks: Sequence[tuple[Limit, str]], prefix: str, digits: str) -> Outcome:
    """Check and count the rate limits and, if they let the SMS through, its pumping
    counters: one round trip to Redis."""
    client = shared_client()
    if client is None:  # the embedded default: limits per process, no detector
        return Outcome(ratelimits.count_locally(checks), None)
    keys, args = ratelimits.script_input(checks)
    args += pumping.script_args(prefix, digits)
    try:
        with client.breaker.call():
            redis = client.get_client(write=True)
            values = ratelimits.run_script(redis, SCRIPT, SCRIPT_SHA, keys, args)
    except RedisError as err:
        ratelimits.fall_back(err, reported=client.breaker.is_open)
        return Outcome(ratelimits.count_locally(checks), None, redis_failed=True)
    ratelimits.back_on_redis()
    refusal = ratelimits.refusal_of(checks, ratelimits.verdict_of(values[0], values[1]))
    if refusal is not None:
        return Outcome(refusal, None)
    return Outcome(None, pumping.counts_of(values[2:]))
