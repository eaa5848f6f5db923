"""Spend caps per country and overall, per day and per month: pure decisions.

Spend is counted in micro-units of ``SMS_PRICE_CURRENCY`` (integers: no float
drifts over a month of additions). Each SMS adds its estimated price to four
counters: the day and the month of its country, and of the whole gateway
("all"). A cap whose action refuses this SMS refuses it when the SMS would take
the spend over the cap; the counters then stay as they were. Days and months
are UTC, as providers bill.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

DAY, MONTH = "day", "month"
ALL = "all"  # the scope of a cap on the whole gateway

# Actions at the cap.
ALERT, ESSENTIAL, REFUSE = "alert", "essential", "refuse"

MICROS = Decimal(1_000_000)


@dataclass(frozen=True)
class Cap:
    scope: str  # a country (ISO 3166) or ALL
    period: str  # DAY | MONTH
    cap_micros: int
    alert_ratio: float  # the share of the cap past which the metric alerts
    action: str  # ALERT | ESSENTIAL | REFUSE


@dataclass(frozen=True)
class Counter:
    """One spend counter an SMS adds to, with the cap on it (None: counted only)."""

    key: str
    scope: str
    period: str
    cap: Cap | None
    refuses: bool  # its cap, when reached, refuses this SMS


def to_micros(amount: Decimal) -> int:
    return int((amount * MICROS).to_integral_value(ROUND_HALF_UP))


def from_micros(micros: int) -> Decimal:
    return (Decimal(micros) / MICROS).quantize(Decimal("0.0001"))


def period_ids(now: datetime) -> dict[str, str]:
    now = now.astimezone(UTC)
    return {DAY: now.strftime("%Y-%m-%d"), MONTH: now.strftime("%Y-%m")}


def period_end(period: str, now: datetime) -> datetime:
    now = now.astimezone(UTC)
    day = now.replace(hour=0, minute=0, second=0, microsecond=0)
    if period == DAY:
        return day + timedelta(days=1)
    first = day.replace(day=1)
    return (first + timedelta(days=32)).replace(day=1)


def refuses(cap: Cap, message_type: str, essential: frozenset[str]) -> bool:
    """Whether this cap, once reached, refuses an SMS of this type."""
    if cap.action == REFUSE:
        return True
    if cap.action == ESSENTIAL:
        return message_type not in essential
    return False


def counters(
    country: str,
    now: datetime,
    caps: Sequence[Cap],
    message_type: str,
    essential: frozenset[str],
    prefix: str = "",
) -> list[Counter]:
    """The four counters one SMS to ``country`` adds to, each with its cap."""
    ids = period_ids(now)
    by_key = {(cap.scope, cap.period): cap for cap in caps}
    found = []
    for period in (DAY, MONTH):
        for scope in (country or "none", ALL):
            cap = by_key.get((scope, period))
            found.append(
                Counter(
                    key=f"{prefix}{period}:{ids[period]}:{scope}",
                    scope=scope,
                    period=period,
                    cap=cap,
                    refuses=cap is not None and refuses(cap, message_type, essential),
                )
            )
    return found


def refusing(spent: Sequence[int], amount: int, counters: Sequence[Counter]) -> int | None:
    """The first counter whose cap refuses this SMS of ``amount`` micro-units, given
    what each has ``spent``; None: count it everywhere. The Lua script on Redis
    (budgets/spend.py) does the same."""
    for index, (value, counter) in enumerate(zip(spent, counters, strict=True)):
        if counter.refuses and value + amount > counter.cap.cap_micros:
            return index
    return None


def used_ratio(spent: int, cap: Cap) -> float:
    return spent / cap.cap_micros if cap.cap_micros > 0 else (1.0 if spent else 0.0)
