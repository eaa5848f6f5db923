"""The guard's configuration as the catalog snapshot holds it: no query per SMS.

The types are in ``core/guard.py`` (the send path's draft carries them too);
this module loads them from the admin's tables, one ``GuardConfig`` per tenant.
A tenant's limits, country policies, safe list and budgets are its own; what holds
across tenants is shared: the gateway-wide rate limits (scope ``global``, the
default tenant's rows, one counter for every tenant), the blocked prefixes and the
providers' prices.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils import timezone

from ..core.budgets import Cap
from ..core.guard import Block, GuardConfig, Limit
from ..core.tenants import DEFAULT_TENANT_ID

__all__ = ["Block", "GuardConfig", "Limit", "load", "load_all"]


def load() -> GuardConfig:
    """The default tenant's (a single-tenant install's)."""
    return load_all([DEFAULT_TENANT_ID])[DEFAULT_TENANT_ID]


def load_all(tenants: Iterable[int]) -> dict[int, GuardConfig]:
    from ..core import budgets
    from ..models import BlockedPrefix, Budget, CountryPolicy, Price, RateLimit, SafeNumber

    now = timezone.now()
    limits: dict[int, list[Limit]] = {}
    shared: list[Limit] = []  # scope global: the whole gateway's, whoever sends
    for r in RateLimit.objects.filter(enabled=True):
        limit = Limit(r.scope, r.limit, r.window_seconds)
        if r.scope == RateLimit.Scope.GLOBAL:
            if r.tenant_id == DEFAULT_TENANT_ID:
                shared.append(limit)
        else:
            limits.setdefault(r.tenant_id, []).append(limit)
    countries: dict[int, dict[str, str]] = {}
    for tenant, country, action in CountryPolicy.objects.values_list(
        "tenant_id", "country", "action"
    ):
        countries.setdefault(tenant, {})[country] = action
    safe: dict[int, dict[str, bool]] = {}
    for tenant, number, bypass in SafeNumber.objects.values_list(
        "tenant_id", "number", "bypass_policies"
    ):
        safe.setdefault(tenant, {})[number] = bypass
    caps: dict[int, list[Cap]] = {}
    for b in Budget.objects.filter(enabled=True):
        caps.setdefault(b.tenant_id, []).append(
            Cap(
                b.country or budgets.ALL,
                b.period,
                budgets.to_micros(b.cap),
                b.alert_at_percent / 100,
                b.action,
            )
        )
    blocks = tuple(  # enforced ones: the detector's monitor mode records blocks it does not apply
        Block(b.prefix, b.until, b.reason)
        for b in BlockedPrefix.objects.filter(enforced=True, unblocked_at=None, until__gt=now)
    )
    trusted = tuple(  # prefixes an operator unblocked: trusted until then
        Block(b.prefix, b.trusted_until, b.reason)
        for b in BlockedPrefix.objects.filter(trusted_until__gt=now)
    )
    prices = {
        (p.provider, p.country): (p.amount, p.currency)
        for p in Price.objects.filter(network="").only("provider", "country", "amount", "currency")
    }
    return {
        tenant: GuardConfig(
            limits=(*limits.get(tenant, ()), *shared),
            countries=countries.get(tenant, {}),
            blocks=blocks,
            trusted=trusted,
            safe=safe.get(tenant, {}),
            budgets=tuple(caps.get(tenant, ())),
            prices=prices,
            tenant=tenant,
        )
        for tenant in tenants
    }
