"""The guard's configuration as the catalog snapshot holds it: no query per SMS.

The types are in ``core/guard.py`` (the send path's draft carries them too);
this module loads them from the admin's tables.
"""

from __future__ import annotations

from django.utils import timezone

from ..core.budgets import Cap
from ..core.guard import Block, GuardConfig, Limit

__all__ = ["Block", "GuardConfig", "Limit", "load"]


def load() -> GuardConfig:
    from ..core import budgets
    from ..models import BlockedPrefix, Budget, CountryPolicy, Price, RateLimit, SafeNumber

    now = timezone.now()
    return GuardConfig(
        limits=tuple(
            Limit(r.scope, r.limit, r.window_seconds)
            for r in RateLimit.objects.filter(enabled=True)
        ),
        countries=dict(CountryPolicy.objects.values_list("country", "action")),
        blocks=tuple(
            Block(b.prefix, b.until, b.reason)
            for b in BlockedPrefix.objects.filter(enforced=True, unblocked_at=None, until__gt=now)
        ),
        trusted=tuple(
            Block(b.prefix, b.trusted_until, b.reason)
            for b in BlockedPrefix.objects.filter(trusted_until__gt=now)
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
        prices={
            (p.provider, p.country): (p.amount, p.currency)
            for p in Price.objects.filter(network="").only(
                "provider", "country", "amount", "currency"
            )
        },
    )
