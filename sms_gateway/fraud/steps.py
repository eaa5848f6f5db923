"""The guard's steps, in the order ``SMS_GUARD`` lists them by default.

Each takes the prepared draft and returns ``None`` (go on), a ``Flag`` (go on,
and mark the record) or a ``Refused`` (stop: recorded, never sent). They read
only the catalog snapshot and Redis: no SQL per SMS.
"""

from __future__ import annotations

import math

from django.conf import settings
from django.utils import timezone

from ..budgets import prices, spend
from ..core import budgets as core_budgets
from ..core.errors import Refused
from ..ops import metrics
from ..sending.guard import Flag
from ..sending.state import Draft
from . import countries, numbers, pumping, ratelimits, texts
from .config import GuardConfig


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
    kind = numbers.refused(draft.request.to.e164, settings.SMS_GUARD_REFUSED_NUMBER_TYPES)
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
    limits = _config(draft).limits
    checks = [
        (lim, key) for scope, key in keys.items() if key for lim in limits if lim.scope == scope
    ]
    refusal = ratelimits.hit_all(checks)
    if refusal is None:
        return None
    scope, wait = refusal.limit.scope, refusal.retry_after
    minutes = max(1, math.ceil(wait / 60))
    text = texts.rate_limited(scope, draft.locale, minutes, request.type)
    return _refuse(f"rate_limited:{scope}", text, wait)


def pumping_guard(draft: Draft) -> Refused | None:
    if _safe(draft) is not None:
        return None
    digits = draft.request.to.digits
    prefix = pumping.prefix_of(digits)
    try:
        counts = pumping.count(prefix, digits)
    except Exception:  # Redis down: the detector is off until it is back (README)
        metrics.GUARD_FALLBACK.inc()
        return None
    if counts is None:
        return None
    reason = pumping.verdict(counts, pumping.thresholds())
    if reason is None:
        return None
    if pumping.converting(prefix):
        pumping.trust(prefix)
        return None
    pumping.block(prefix, reason, counts)
    return _refuse(f"pumping:{prefix}", texts.text(texts.UNAVAILABLE, draft.locale))


def budget(draft: Draft) -> Refused | None:
    """Counts the SMS's estimated cost (its first provider's price times its segments)
    against the spend caps; refuses it when a cap whose action refuses this type would
    be passed (budgets/spend.py). Last in ``SMS_GUARD``: a refused SMS spends nothing."""
    route = draft.route
    if route is None or not route.hops:
        return None
    provider, country = route.hops[0].provider, draft.request.to.region or ""
    cost = prices.cost(provider, country, draft.segments)
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
    )
    if charged.refused is None:
        return None
    counter = charged.refused
    return _refuse(
        f"budget:{counter.scope}:{counter.period}", texts.text(texts.UNAVAILABLE, draft.locale)
    )
