"""The guard's configuration as the catalog snapshot holds it: no query per SMS."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.utils import timezone

from ..core.budgets import Cap


@dataclass(frozen=True)
class Limit:
    scope: str
    limit: int
    window_seconds: int


@dataclass(frozen=True)
class Block:
    prefix: str
    until: datetime
    reason: str


@dataclass(frozen=True)
class GuardConfig:
    limits: tuple[Limit, ...] = ()
    countries: dict[str, str] = field(default_factory=dict)  # region -> allow|block|monitor
    blocks: tuple[Block, ...] = ()
    safe: dict[str, bool] = field(default_factory=dict)  # E.164 -> also bypasses policies
    budgets: tuple[Cap, ...] = ()  # spend caps (budgets/spend.py)

    def active_block(self, digits: str, now: datetime) -> Block | None:
        for block in self.blocks:
            if digits.startswith(block.prefix) and block.until > now:
                return block
        return None


def load() -> GuardConfig:
    from ..core import budgets
    from ..models import BlockedPrefix, Budget, CountryPolicy, RateLimit, SafeNumber

    now = timezone.now()
    return GuardConfig(
        limits=tuple(
            Limit(r.scope, r.limit, r.window_seconds)
            for r in RateLimit.objects.filter(enabled=True)
        ),
        countries=dict(CountryPolicy.objects.values_list("country", "action")),
        blocks=tuple(
            Block(b.prefix, b.until, b.reason)
            for b in BlockedPrefix.objects.filter(unblocked_at=None, until__gt=now)
        ),
        safe=dict(SafeNumber.objects.values_list("number", "bypass_policies")),
        budgets=tuple(
            Cap(
                b.country or budgets.ALL,
                b.period,
                budgets.to_micros(b.cap),
                b.alert_at_percent / 100,
                b.action,
            )
            for b in Budget.objects.filter(enabled=True)
        ),
    )
