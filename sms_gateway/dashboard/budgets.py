"""Each budget's spend now, for the admin (the budget list and the dashboard's panel).

A tenant's caps count its own spend (``spend.key_prefix``): each status is read
from its tenant's counters."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.utils import timezone

from ..budgets import spend
from ..core import budgets
from ..core.tenants import DEFAULT_TENANT_ID


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
    tenant: int = DEFAULT_TENANT_ID

    @property
    def state(self) -> str:
        """ok | alert (past the alert threshold) | capped (at or past the cap)."""
        if self.used >= 1:
            return "capped"
        return "alert" if self.used >= self.alert_ratio else "ok"


def key(scope: str, period: str, now=None, tenant: int = DEFAULT_TENANT_ID) -> str:  # noqa: ANN001
    period_id = budgets.period_ids(now or timezone.now())[period]
    return f"{spend.key_prefix(tenant)}{period}:{period_id}:{scope}"


def statuses(caps: list[budgets.Cap], tenant: int = DEFAULT_TENANT_ID) -> list[Status]:
    """One MGET for all the caps (of one tenant)."""
    from ..models import Budget

    now = timezone.now()
    keys = [key(cap.scope, cap.period, now, tenant) for cap in caps]
    values = spend.read(keys) if caps else []
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
            tenant=tenant,
        )
        for cap, micros in zip(caps, values, strict=True)
    ]


def panel(tenants: tuple[int, ...] | None = (DEFAULT_TENANT_ID,)) -> list[Status]:
    """The enabled budgets of ``tenants`` (None: every tenant), from the per-process
    snapshot: no SQL; one MGET per tenant with budgets."""
    from ..catalog import snapshot

    catalogs = snapshot.snapshot().catalogs
    found = []
    for tenant in sorted(catalogs if tenants is None else tenants):
        try:
            caps = snapshot.current(tenant).guard.budgets
        except LookupError:  # no such tenant (a superuser's ?tenant=<id>): no budget
            continue
        if caps:
            ordered = sorted(caps, key=lambda c: (c.scope != budgets.ALL, c.scope, c.period))
            found += statuses(ordered, tenant)
    return found
