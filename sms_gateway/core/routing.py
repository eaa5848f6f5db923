"""Choosing the route for a number: the most specific matching rule wins.

A prefix rule matches the E.164 digits it starts; its weight is its length.
A country rule matches the number's region and weighs half a digit more than
its calling code, so ``CA`` beats ``1`` but ``1604`` beats ``CA``. The default
rule (neither) matches everything with weight 0.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import phonenumbers


@dataclass(frozen=True)
class Hop:
    provider: str
    sender: str = ""


@dataclass(frozen=True)
class RouteRule:
    prefix: str = ""
    country: str = ""
    hops: tuple[Hop, ...] = ()
    mode: str = "ordered"  # core.shares.Mode
    shares: tuple[float, ...] = ()  # one per hop, unless ordered (core/shares.py)
    # Why these shares (routing/plans.py): copied into each message's route_reason.
    basis: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @property
    def label(self) -> str:
        if self.country:
            return f"country:{self.country}"
        return f"+{self.prefix}" if self.prefix else "default"

    def weight(self, digits: str, region: str | None) -> float | None:
        """How specific a match this rule is for the number, or None if it does not match."""
        if self.country:
            if region != self.country:
                return None
            return len(str(phonenumbers.country_code_for_region(self.country))) + 0.5
        if self.prefix:
            return float(len(self.prefix)) if digits.startswith(self.prefix) else None
        return 0.0


def choose(rules: Iterable[RouteRule], digits: str, region: str | None) -> RouteRule | None:
    best: RouteRule | None = None
    best_weight = -1.0
    for rule in rules:
        weight = rule.weight(digits, region)
        if weight is not None and weight > best_weight:
            best, best_weight = rule, weight
    return best


def arrange(rule: RouteRule, draw: float) -> tuple[RouteRule, dict[str, Any]]:
    """The rule with its hops in the order they are tried for one message, and why.

    Ordered routes (and routes without shares) are returned as they are, with no reason.
    Otherwise the first provider is drawn by its share (``draw`` in [0, 1)); the others
    follow in the rule's order, for failover as on an ordered route."""
    from .shares import ordered_after, pick

    if rule.mode == "ordered" or len(rule.shares) != len(rule.hops) or not rule.hops:
        return rule, {}
    chosen = pick(rule.shares, draw)
    order = ordered_after(len(rule.hops), chosen)
    hops = tuple(rule.hops[i] for i in order)
    reason = {
        "mode": rule.mode,
        "chosen": hops[0].provider,
        "draw": round(draw, 4),
        "shares": {hop.provider: share for hop, share in zip(rule.hops, rule.shares, strict=True)},
        **rule.basis,
    }
    return RouteRule(rule.prefix, rule.country, hops, rule.mode, (), rule.basis), reason
