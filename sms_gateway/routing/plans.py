"""The periodic computation of adaptive and least-cost plans: no cost per SMS.

Every ``SMS_ROUTE_PLAN_INTERVAL`` seconds each gunicorn worker tries a pass; one at a
time across the deployment does it (a PostgreSQL advisory lock, as the reconciler's).
For each adaptive or least-cost route it measures each provider's health in the route's
destination (``health.py``), computes the next shares (``core/shares.py``) or the
least-cost choice (``core/least_cost.py``, with ``prices.py``), stores them in
``Route.plan``, and, when they changed, a ``RouteShareChange`` with the reason and the
inputs, and publishes a new catalog version: every process then reloads its snapshot,
from which the send path reads the shares (``core/route_rules.py``).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from prometheus_client import Gauge

from ..core import least_cost
from ..core.shares import AdaptiveParams, Mode, adaptive
from ..models import Route, RouteShareChange
from ..ops import periodic
from . import health, prices

logger = logging.getLogger("sms_gateway.routing")

# pg_try_advisory_xact_lock's key: any constant no other code of the database uses.
LOCK_KEY = 0x736D735F706C6E  # "sms_pln"

ROUTE_SHARE = Gauge(
    "sms_gateway_route_share",
    "Share of a weighted-choice route's SMS each provider gets first (adaptive, least cost).",
    ["route", "provider"],
    multiprocess_mode="mostrecent",
)
ROUTE_SCORE = Gauge(
    "sms_gateway_route_score",
    "Measured quality (0-1) of each provider in an adaptive route's destination.",
    ["route", "provider"],
    multiprocess_mode="mostrecent",
)


def params() -> AdaptiveParams:
    return AdaptiveParams(**settings.SMS_ADAPTIVE)


def compute(now: datetime | None = None, every: float | None = None) -> int | None:
    """One pass over the adaptive and least-cost routes; returns how many changed, or
    None when another process's pass holds the lock (this one is skipped).

    ``every``: skip the routes whose plan is younger than this many seconds. Every
    worker tries a pass each interval; the lock makes them take turns, and this keeps
    the turns after the first from stepping the shares again within the interval."""
    from ..catalog import snapshot

    now = now or timezone.now()
    changed = 0
    with transaction.atomic():
        if not periodic.only_pass(LOCK_KEY):
            return None
        routes = Route.objects.filter(mode__in=[Mode.ADAPTIVE, Mode.LEAST_COST])
        for route in routes.prefetch_related("hops"):
            if every is not None and _younger(route.plan, now, every):
                continue
            changed += plan_route(route, now)
        if changed:
            snapshot.publish_on_commit()
    return changed


def _younger(plan: dict[str, Any], now: datetime, seconds: float) -> bool:
    try:
        computed = datetime.fromisoformat(plan["computed_at"])
    except (KeyError, TypeError, ValueError):
        return False
    return now - computed < timedelta(seconds=seconds)


def plan_route(route: Route, now: datetime) -> bool:
    hops = sorted(route.hops.all(), key=lambda h: (h.position, h.id))
    if len(hops) < 2:
        return False
    aliases = [hop.provider for hop in hops]
    weights = [hop.weight for hop in hops]
    p = params()
    measured = health.measure(
        route.prefix, route.country, aliases, now - timedelta(minutes=p.window_minutes)
    )
    old = route.plan or {}
    same = old.get("mode") == route.mode and set(old.get("shares") or {}) == set(aliases)
    if route.mode == Mode.ADAPTIVE:
        plan = _adaptive(route, aliases, weights, measured, old if same else {}, p, now)
    else:
        plan = _least_cost(route, aliases, measured, old if same else {}, p, now)
    label = str(route)
    for alias in aliases:
        ROUTE_SHARE.labels(label, alias).set(plan["shares"][alias])
        if plan.get("scores", {}).get(alias) is not None:
            ROUTE_SCORE.labels(label, alias).set(plan["scores"][alias])
    moved = not same or plan["shares"] != old.get("shares") or plan.get("order") != old.get("order")
    Route.objects.filter(pk=route.pk).update(plan=plan)  # no signal, updated_at unchanged
    if moved:
        RouteShareChange.objects.create(
            route=route,
            at=now,
            mode=route.mode,
            shares=plan["shares"],
            previous=old.get("shares") or {},
            reason=plan["reason"][:300],
            inputs=plan["inputs"],
        )
        logger.info("route %s: shares %s (%s)", label, plan["shares"], plan["reason"])
    return moved


def _adaptive(
    route: Route,
    aliases: list[str],
    weights: list[int],
    measured: dict[str, health.Health],
    old: dict[str, Any],
    p: AdaptiveParams,
    now: datetime,
) -> dict[str, Any]:
    previous = [old["shares"][a] for a in aliases] if old else None
    step = adaptive(weights, previous, [measured[a] for a in aliases], p, aliases)
    reason = step.reason if old else f"first plan: {step.reason}"
    return {
        "mode": route.mode,
        "computed_at": now.isoformat(),
        "shares": dict(zip(aliases, step.shares, strict=True)),
        "targets": dict(zip(aliases, step.targets, strict=True)),
        "scores": {
            a: None if s is None else round(s, 4) for a, s in zip(aliases, step.scores, strict=True)
        },
        "reason": reason,
        "inputs": {a: measured[a].as_json() for a in aliases},
    }


def _least_cost(
    route: Route,
    aliases: list[str],
    measured: dict[str, health.Health],
    old: dict[str, Any],
    p: AdaptiveParams,
    now: datetime,
) -> dict[str, Any]:
    country = prices.country_of(route.prefix, route.country)
    rows = prices.current(aliases, country)
    currency = settings.SMS_PRICE_CURRENCY
    amounts = [
        least_cost.in_currency(prices.amount_of(rows.get(a)), currency, settings.SMS_CURRENCY_RATES)
        for a in aliases
    ]
    floor = least_cost.Floor(
        delivery=route.floor_delivery,
        conversion=route.floor_conversion,
        min_samples=p.min_samples,
        exploration=p.exploration,
    )
    choice = least_cost.choose(
        aliases, amounts, [measured[a] for a in aliases], floor, old.get("eligible")
    )
    stale = [a for a, row in rows.items() if prices.is_stale(row.fetched_at, now)]
    reason = choice.reason + (f"; stale prices: {', '.join(stale)}" if stale else "")
    return {
        "mode": route.mode,
        "computed_at": now.isoformat(),
        "shares": dict(zip(aliases, choice.shares, strict=True)),
        "order": [aliases[i] for i in choice.order],
        "eligible": dict(zip(aliases, choice.eligible, strict=True)),
        "prices": {
            a: None if v is None else round(v, 5) for a, v in zip(aliases, amounts, strict=True)
        },
        "currency": currency,
        "country": country,
        "reason": reason,
        "inputs": {a: measured[a].as_json() for a in aliases},
    }


def start_background() -> None:
    """Compute the plans every SMS_ROUTE_PLAN_INTERVAL seconds in a daemon thread."""
    periodic.start(
        "sms-route-plans",
        lambda: compute(every=settings.SMS_ROUTE_PLAN_INTERVAL * 0.9),
        lambda: settings.SMS_ROUTE_PLAN_INTERVAL,
        "route plans not computed",
    )
