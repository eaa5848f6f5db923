"""What a route costs: the expected price of one SMS under its shares, and of a month
at the current volume. Pure, for the route editor."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Estimate:
    per_sms: float | None  # in the reference currency; None: a provider with a share has no price
    per_month: float | None
    volume: int  # SMS in the last 30 days to the destination
    segments: float  # their average segments


def estimate(
    shares: Mapping[str, float],
    prices: Mapping[str, float | None],
    volume: int,
    segments: float,
) -> Estimate:
    """Each segment is priced; the first provider is the one a share chooses (failover
    rarely adds a second price, and is left out)."""
    total = 0.0
    for alias, share in shares.items():
        if share <= 0:
            continue
        price = prices.get(alias)
        if price is None:
            return Estimate(None, None, volume, segments)
        total += share * price
    per_sms = total * max(segments, 1.0)
    return Estimate(per_sms, per_sms * volume, volume, segments)
