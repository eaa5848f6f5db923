"""Least cost above a quality floor, as a pure function.

The cheapest provider whose measured delivery rate (and conversion rate, when the
route sets a floor for it) in the destination holds the operator's floor is chosen;
the next cheapest otherwise. A provider must prove itself: with too few samples it is
not eligible unless it was before (its last known state holds), and every provider
cheaper than the chosen one keeps the exploration share, so that one that recovers
(or a new one) is measured and, once it holds the floor, chosen. A provider that was
eligible stays so until it falls ``margin`` below the floor (no flapping at the edge).

Prices are compared in one currency: a price in another is converted with the
operator's rate, or, without a rate, counts as no price (last in the order).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from .shares import Health


@dataclass(frozen=True)
class Floor:
    delivery: float = 0.9  # minimum delivery rate from receipts
    conversion: float = 0.0  # minimum conversion rate (0: not checked)
    margin: float = 0.02  # an eligible provider stays so down to floor - margin
    min_samples: int = 20
    exploration: float = 0.05


@dataclass(frozen=True)
class Price:
    amount: Decimal
    currency: str


@dataclass(frozen=True)
class Choice:
    order: tuple[int, ...]  # provider indexes: the chosen first, then by price
    shares: tuple[float, ...]  # per provider index: the chosen's, the explored ones'
    eligible: tuple[bool, ...]
    prices: tuple[float | None, ...]  # in the reference currency
    reason: str


def in_currency(price: Price | None, currency: str, rates: Mapping[str, float]) -> float | None:
    """``price`` in ``currency``; ``rates`` give how many units of ``currency`` one unit
    of another currency is worth. None: no price, or no rate to compare it."""
    if price is None:
        return None
    if price.currency == currency:
        return float(price.amount)
    rate = rates.get(price.currency)
    return float(price.amount) * rate if rate else None


def eligible(health: Health, floor: Floor, was_eligible: bool | None) -> bool:
    delivery = health.delivery_rate(floor.min_samples)
    conversion = health.conversion_rate(floor.min_samples) if floor.conversion > 0 else 1.0
    if delivery is None or conversion is None:
        return bool(was_eligible)  # unknown: the last known state holds; new: not yet
    slack = floor.margin if was_eligible else 0.0
    return delivery >= floor.delivery - slack and conversion >= floor.conversion - slack


def choose(
    names: Sequence[str],
    prices: Sequence[float | None],
    health: Sequence[Health],
    floor: Floor,
    previous: Mapping[str, bool] | None = None,
) -> Choice:
    n = len(names)
    previous = previous or {}
    ok = tuple(eligible(health[i], floor, previous.get(names[i])) for i in range(n))
    by_price = sorted(range(n), key=lambda i: (prices[i] is None, prices[i] or 0.0, i))
    candidates = [i for i in by_price if ok[i]]
    if candidates:
        chosen = candidates[0]
        skipped = [names[i] for i in by_price[: by_price.index(chosen)]]
        reason = f"{names[chosen]}: cheapest holding the floor"
        if prices[chosen] is not None:
            reason += f" at {prices[chosen]:.4f}"
        if skipped:
            reason += f"; cheaper but below the floor or unproven: {', '.join(skipped)}"
    else:
        measured = [
            (health[i].delivery_rate(floor.min_samples), i)
            for i in range(n)
            if health[i].delivery_rate(floor.min_samples) is not None
        ]
        chosen = max(measured)[1] if measured else 0
        reason = (
            f"no provider holds the floor: {names[chosen]}, best measured delivery"
            if measured
            else f"no provider measured yet: {names[chosen]}, first in the route"
        )
    order = (chosen, *(i for i in by_price if i != chosen))
    # Exploration: every provider cheaper than the chosen one (or not proven) keeps a
    # small share so that its recovery is seen; dearer proven ones wait for failover.
    chosen_price = prices[chosen]
    explored = [
        i
        for i in range(n)
        if i != chosen
        and (
            not ok[i]
            and (prices[i] is not None and (chosen_price is None or prices[i] < chosen_price))
        )
    ]
    raw = [0.0] * n
    for i in explored:
        raw[i] = floor.exploration
    raw[chosen] = 1.0 - floor.exploration * len(explored)
    shares = tuple(round(v, 6) for v in raw)
    return Choice(order, shares, ok, tuple(prices), reason)
