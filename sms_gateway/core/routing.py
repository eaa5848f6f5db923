"""Choosing the route for a number: the most specific matching rule wins.

A prefix rule matches the E.164 digits it starts; its weight is its length.
A country rule matches the number's region and weighs half a digit more than
its calling code, so ``CA`` beats ``1`` but ``1604`` beats ``CA``. The default
rule (neither) matches everything with weight 0.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

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
