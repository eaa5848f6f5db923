"""Each budget's spend now, for the admin (the budget list and the dashboard's panel)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.utils import timezone

from ..budgets import spend
from ..core import budgets


@dataclass(frozen=True)
class Status:
    scope: str  # a country or "all"
    period: str
    spent: Decimal
    cap: Decimal
    used: float  # spent / cap
    alert_ratio: float
    action: str  # its label
    currency: str

    @property
    def state(self) -> str:
        """ok | alert (past the alert threshold) | capped (at or past the cap)."""
        if self.used >= 1:
            return "capped"
        return "alert" if self.used >= self.alert_ratio else "ok"


def key(scope: str, period: str, now=None) -> str:  # noqa: ANN001
    period_id = budgets.period_ids(now or timezone.now())[period]
    return f"{spend.KEY_PREFIX}{period}:{period_id}:{scope}"


def statuses(caps: list[budgets.Cap]) -> list[Status]:
    """One MGET for all the caps."""
    from ..models import Budget

    now = timezone.now()
    values = spend.read([key(cap.scope, cap.period, now) for cap in caps]) if caps else []
    return [
        Status(
            scope=cap.scope,
            period=cap.period,
            spent=budgets.from_micros(micros),
            cap=budgets.from_micros(cap.cap_micros),
            used=budgets.used_ratio(micros, cap),
            alert_ratio=cap.alert_ratio,
            action=str(Budget.Action(cap.action).label),
            currency=settings.SMS_PRICE_CURRENCY,
        )
        for cap, micros in zip(caps, values, strict=True)
    ]


def panel() -> list[Status]:
    """The enabled budgets, from the per-process snapshot: no SQL."""
    from ..catalog import snapshot

    caps = snapshot.current().guard.budgets
    return statuses(sorted(caps, key=lambda c: (c.scope != budgets.ALL, c.scope, c.period)))
