"""The admin's home page: today's status first (sends, failures, refusals, provider
health, what needs a look), then the screens grouped by task instead of Django's
alphabetical list. *View site* leads to the delivery dashboard.

The page is Django's index with our template (``admin/index.html``); the template
asks ``sms_admin.today_status`` and ``sms_admin.screen_groups`` (templatetags) for
what this module computes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.contrib import admin
from django.urls import reverse_lazy

from ..dashboard import queries, rollup
from ..models import BlockedPrefix
from ..providers import provider_aliases
from . import history

admin.site.site_url = reverse_lazy("admin:sms_gateway_deliverydashboard_changelist")

# A provider failing this share of its attempts today is degraded; failing, above the second.
DEGRADED_ERROR_RATE = 0.05
FAILING_ERROR_RATE = 0.25

# The screens by task, in the order an operator needs them (model names, lower case).
GROUPS = (
    ("Traffic", ("deliverydashboard", "message")),
    ("Texts and routing", ("template", "route")),
    ("Fraud guard", ("ratelimit", "countrypolicy", "blockedprefix", "safenumber")),
    ("Operators", ("user", "group")),
)


@dataclass(frozen=True)
class ProviderState:
    provider: str
    word: str  # ok, degraded, failing, idle
    tone: str  # a tone of admin.css (sms-tone-*)
    attempts: int
    failed: int


def provider_state(provider: str, attempts: int, failed: int) -> ProviderState:
    """How a provider is doing today, from its attempts and failures."""
    if not attempts:
        return ProviderState(provider, "no attempts today", "neutral", 0, 0)
    rate = failed / attempts
    if rate >= FAILING_ERROR_RATE:
        return ProviderState(provider, "failing", "bad", attempts, failed)
    if rate >= DEGRADED_ERROR_RATE:
        return ProviderState(provider, "degraded", "warn", attempts, failed)
    return ProviderState(provider, "ok", "ok", attempts, failed)


def today_status(now: datetime | None = None, tenants: rollup.Tenants = None) -> dict:
    """Today (since midnight UTC): what was sent, failed and refused, and each provider,
    of ``tenants`` (None: every tenant). The blocked prefixes are the whole gateway's
    (the pumping detector's, shared by every tenant: README, "Tenants")."""
    filters = queries.Filters(days=1, now=now, tenants=tenants)
    with queries.reading():
        [total] = queries.summary(filters)
        health = {h.provider: h for h in queries.provider_health(filters) if h.provider}
    providers = sorted(set(provider_aliases()) | set(health))
    empty = queries.ProviderHealth("")
    states = [
        provider_state(p, health.get(p, empty).attempts, health.get(p, empty).failed)
        for p in providers
    ]
    blocking = BlockedPrefix.objects.filter(
        enforced=True, unblocked_at=None, until__gt=filters.end
    ).count()  # not the pumping detector's monitor-only events
    return {
        "since": history.moment(filters.start),
        "at": history.moment(filters.end),
        "total": total.total,
        "sent": total.sent,
        "delivered": total.delivered,
        "failed": total.failed,
        "rejected": total.rejected,
        "providers": states,
        "blocking": blocking,
    }


def screen_groups(app_list: list[dict]) -> list[tuple[str, list[dict]]]:
    """Django's app list regrouped by task; a model no group names goes under Other."""
    models = {m["object_name"].lower(): m for app in app_list for m in app["models"]}
    groups = []
    for title, names in GROUPS:
        found = [models.pop(name) for name in names if name in models]
        if found:
            groups.append((title, found))
    if models:
        groups.append(("Other", sorted(models.values(), key=lambda m: m["name"])))
    return groups
