"""A route's rule as the send path reads it: its hops, mode and shares. Pure.

- ordered: no shares (the hops in order, as always);
- weighted: the operator's weights, normalized;
- adaptive: the last plan's shares, or the resting point (the weights) before the first
  plan or when the providers changed since;
- least cost: the last plan's order (the chosen first, then by price) and shares; before
  the first plan, the route's order with everything on its first provider.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .routing import Hop, RouteRule
from .shares import Mode, normalize


def build(
    prefix: str,
    country: str,
    mode: str,
    hops: Sequence[Hop],
    weights: Sequence[int],
    plan: Mapping[str, Any],
) -> RouteRule:
    hops = tuple(hops)
    if mode == Mode.ORDERED or len(hops) < 2:
        return RouteRule(prefix, country, hops)
    aliases = [hop.provider for hop in hops]
    planned = plan.get("shares") or {}
    fresh = bool(planned) and set(planned) == set(aliases)
    basis: dict[str, Any] = {}
    if mode == Mode.WEIGHTED:
        shares = normalize(weights)
        basis = {"weights": dict(zip(aliases, weights, strict=True))}
    elif mode == Mode.ADAPTIVE:
        shares = tuple(float(planned[a]) for a in aliases) if fresh else normalize(weights)
        basis = _basis(plan) if fresh else {"note": "resting shares: no plan yet"}
    elif mode == Mode.LEAST_COST:
        order = [a for a in plan.get("order", []) if a in aliases] if fresh else []
        order += [a for a in aliases if a not in order]
        by_alias = {hop.provider: hop for hop in hops}
        hops = tuple(by_alias[a] for a in order)
        if fresh:
            shares = tuple(float(planned[a]) for a in order)
            basis = _basis(plan)
        else:
            shares = (1.0,) + (0.0,) * (len(hops) - 1)
            basis = {"note": "route order: no plan yet"}
    else:
        return RouteRule(prefix, country, hops)
    return RouteRule(prefix, country, hops, str(mode), tuple(shares), basis)


def _basis(plan: Mapping[str, Any]) -> dict[str, Any]:
    """What each message keeps of the plan: when, why, the scores and prices."""
    keep = ("computed_at", "reason", "scores", "prices", "currency")
    return {key: plan[key] for key in keep if key in plan}
