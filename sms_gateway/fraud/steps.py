"""The guard's steps, in the order ``SMS_GUARD`` lists them by default.

Each takes the prepared draft and returns ``None`` (go on), a ``Flag`` (go on,
and mark the record) or a ``Refused`` (stop: recorded, never sent). They read
only the catalog snapshot and Redis: no SQL per SMS.
"""

from __future__ import annotations

import math
from functools import cache

from django.conf import settings
from django.utils import timezone
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from ..budgets import prices, spend
from ..core import budgets as core_budgets
from ..core.draft import Draft
from ..core.errors import Refused
from ..core.guard import Flag, GuardConfig
from ..core.tenants import counter_key
from ..ops import degraded, metrics
from . import countries, numbers, pumping, ratelimits, round_trip, texts


def _config(draft: Draft) -> GuardConfig:
    return draft.guard or GuardConfig()


def _safe(draft: Draft) -> bool | None:
    """None: not safe-listed; False: safe from limits; True: from policies too."""
    return _config(draft).safe.get(draft.request.to.e164)


def _refuse(reason: str, message: str, retry_after: int | None = None) -> Refused:
    metrics.GUARD_REFUSALS.labels(reason).inc()
    return Refused(reason, message, retry_after)


def number_type(draft: Draft) -> Refused | None:
    if _safe(draft):
        return None
    to = draft.request.to
    kind = numbers.refused(to.e164, settings.SMS_GUARD_REFUSED_NUMBER_TYPES, to.parsed)
    if kind is None:
        return None
    return _refuse(f"number_type:{kind}", texts.text(texts.UNAVAILABLE, draft.locale))


def country(draft: Draft) -> Refused | Flag | None:
    if _safe(draft):
        return None
    region = draft.request.to.region
    action = countries.decide(region, _config(draft).countries, settings.SMS_GUARD_COUNTRY_MODE)
    if action == countries.BLOCK:
        return _refuse(f"country:{region}", texts.text(texts.UNAVAILABLE, draft.locale))
    if action == countries.MONITOR:
        metrics.GUARD_FLAGS.labels("monitored_country").inc()
        return Flag("monitored_country")
    return None


def blocked_prefix(draft: Draft) -> Refused | None:
    if _safe(draft) is not None:
        return None
    block = _config(draft).active_block(draft.request.to.digits, timezone.now())
    if block is None:
        return None
    return _refuse(f"prefix_blocked:{block.prefix}", texts.text(texts.UNAVAILABLE, draft.locale))


def rate_limits(draft: Draft) -> Refused | None:
    if _safe(draft) is not None:
        return None
    request = draft.request
    keys = {
        "recipient": request.to.digits,
        "ip": request.ip or "",
        "prefix": request.to.digits[: settings.SMS_GUARD_PREFIX_DIGITS],
        "country": request.to.region or "none",
        "global": "all",
    }
    # All or nothing (README); the most specific scope first, named when waits tie.
    # No ip in the payload: that scope does not apply.
    # Each tenant counts against its own limits; the gateway-wide ones hold across tenants.
    tenant = _config(draft).tenant
    limits = _config(draft).limits
    checks = [
        (lim, key if scope == "global" else counter_key(tenant, key))
        for scope, key in keys.items()
        if key
        for lim in limits
        if lim.scope == scope
    ]
    if _pumping_follows(tuple(settings.SMS_GUARD)):
        # One round trip for both steps: the detector's counts wait in the draft for it.
        digits = request.to.digits
        outcome = round_trip.count(checks, pumping.prefix_of(digits), digits)
        draft.guard_notes[PUMPING_COUNTS] = outcome
        refusal = outcome.refusal
    else:
        refusal = ratelimits.hit_all(checks)
    if refusal is None:
        return None
    scope, wait = refusal.limit.scope, refusal.retry_after
    minutes = max(1, math.ceil(wait / 60))
    text = texts.rate_limited(scope, draft.locale, minutes, request.type)
    return _refuse(f"rate_limited:{scope}", text, wait)


def pumping_guard(draft: Draft) -> Refused | Flag | None:
    """README, "Pumping detector". Fallbacks: Redis down, the detector is off (the
    breaker logs it once); the conversion lookup failing, this SMS is refused but the
    prefix not blocked (a real rush cannot be told from a bot); the block failing,
    this SMS is refused all the same and the next one tries to block again. In
    monitor mode (``SMS_GUARD_PUMPING_MODE``) nothing is refused: what would have
    been blocked is recorded (not enforced) and the SMS flagged."""
    if _safe(draft) is not None:
        return None
    digits = draft.request.to.digits
    prefix = pumping.prefix_of(digits)
    counted = draft.guard_notes.pop(PUMPING_COUNTS, None)
    if counted is not None:  # counted in the rate limits' round trip
        if counted.redis_failed:
            metrics.GUARD_FALLBACK.inc()
            return None
        counts = counted.counts
    else:
        try:
            counts = pumping.count(prefix, digits)
        except (RedisConnectionError, RedisTimeoutError):  # through the breaker: said once
            metrics.GUARD_FALLBACK.inc()
            return None
    if counts is None or _config(draft).trusted_prefix(digits, timezone.now()) is not None:
        return None  # an operator unblocked it: trusted until then
    finding = pumping.verdict(counts, pumping.thresholds())
    if finding is None:
        return None
    target = pumping.wide_of(prefix) if finding.wide else prefix
    enforce = settings.SMS_GUARD_PUMPING_MODE != pumping.MONITOR

    def refusal() -> Refused | Flag:
        if not enforce:
            metrics.GUARD_FLAGS.labels("pumping_monitor").inc()
            return Flag("pumping_monitor")
        return _refuse(f"pumping:{target}", texts.text(texts.UNAVAILABLE, draft.locale))

    try:
        converting = pumping.converting(target)
    except Exception as err:
        metrics.GUARD_FALLBACK.inc()
        degraded.failed(STEP, "conversion", err, "refusing without blocking")
        return refusal()
    degraded.recovered(STEP, "conversion")
    if converting:
        pumping.trust(target)
        return None
    try:
        pumping.block(target, finding.reason, counts, enforced=enforce)
    except Exception as err:
        metrics.GUARD_FALLBACK.inc()
        degraded.failed(STEP, "block", err, "refusing, the block retried on the next SMS")
        return refusal()
    degraded.recovered(STEP, "block")
    return refusal()


STEP = pumping_guard.__name__  # its name in /readyz and the metrics
PUMPING_COUNTS = "pumping_counts"  # round_trip.Outcome, in Draft.guard_notes


@cache
def _pumping_follows(paths: tuple[str, ...]) -> bool:
    """``pumping_guard`` runs right after ``rate_limits``: one round trip serves both."""
    here = f"{__name__}.{rate_limits.__name__}"
    return any(
        path == here and after == f"{__name__}.{pumping_guard.__name__}"
        for path, after in zip(paths, paths[1:], strict=False)
    )


def budget(draft: Draft) -> Refused | None:
    """Counts the SMS's estimated cost (its first provider's price times its segments)
    against the spend caps; refuses it when a cap whose action refuses this type would
    be passed (budgets/spend.py). Last in ``SMS_GUARD``: a refused SMS spends nothing."""
    route = draft.route
    if route is None or not route.hops:
        return None
    provider, country = route.hops[0].provider, draft.request.to.region or ""
    cost = prices.cost(provider, country, draft.segments, _config(draft).prices)
    if cost is None:
        metrics.SPEND_UNPRICED.labels(provider, country or "none").inc()
        return None  # nothing to count: check W051 names unpriced aliases
    amount = core_budgets.to_micros(cost)
    if amount <= 0:
        return None
    charged = spend.charge(
        country,
        amount,
        timezone.now(),
        _config(draft).budgets,
        draft.request.type,
        frozenset(settings.SMS_BUDGET_ESSENTIAL_TYPES),
        _config(draft).tenant,
    )
    if charged.refused is None:
        return None
    counter = charged.refused
    return _refuse(
        f"budget:{counter.scope}:{counter.period}", texts.text(texts.UNAVAILABLE, draft.locale)
    )
