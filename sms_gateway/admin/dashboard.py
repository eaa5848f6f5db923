"""The delivery dashboard: per day, country and provider, from the records.

An admin entry of its own (*SMS gateway → Delivery dashboard*, the proxy model
``DeliveryDashboard``) for anyone who may view messages. Numbers come from
``dashboard.queries``, charts from ``dashboard.svg``: no JavaScript, no CDN.

With several tenants every figure is of the viewer's tenant(s)
(``tenants.figures_of``): an operator's own, a superuser's every tenant's or the
one chosen (``?tenant=<id>``).
"""

from __future__ import annotations

import time
from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from ..dashboard import budgets, queries, receipts, rollup, svg
from ..delivery.conversion import tracking_enabled
from ..models import DeliveryDashboard
from . import tenants
from .messages import when

RANGES = (1, 7, 30, 90)


def _seconds(ms: float | None) -> str:
    if ms is None:
        return "–"
    return f"{ms / 1000:.1f} s" if ms < 60_000 else f"{ms / 60_000:.1f} min"


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.1f} %"


def _display(
    row: queries.Row, label: str, conversions: bool, no_receipts: str = ""
) -> dict[str, Any]:
    """A row's cells; SMS without receipts (``row.unmeasured``) say so instead of 0 %."""
    unmeasured = row.unmeasured
    return {
        "label": label,
        "sent": row.sent,
        "delivered": "–" if unmeasured else row.delivered,
        "undelivered": "–" if unmeasured else row.undelivered,
        "failed": row.failed,
        "rejected": row.rejected,
        "no_receipts": unmeasured,
        "no_receipts_reason": no_receipts if unmeasured else "",
        "delivery_rate": _percent(row.delivery_rate),
        "meter": svg.meter(row.delivery_rate),
        "p50": _seconds(row.p50_ms),
        "p95": _seconds(row.p95_ms),
        "conversion_rate": _percent(row.conversion_rate) if conversions else "–",
        "segments": row.segments,
    }


def parse_filters(request: HttpRequest) -> queries.Filters:
    """The range, country, provider and whose figures (``tenants.figures_of``)."""
    try:
        days = int(request.GET.get("days", 7))
    except ValueError:
        days = 7
    return queries.Filters(
        days=days if days in RANGES else 7,
        country=request.GET.get("country", "").strip().upper()[:3],
        provider=request.GET.get("provider", "").strip()[:64],
        tenants=tenants.figures_of(request, request.GET.get("tenant")),
    )


def freshness(coverage: rollup.Coverage | None) -> dict[str, Any]:
    """What the page says about the rollup it read (it never builds one)."""
    if coverage is None:
        return {"rolled_up": "", "missing": ""}
    rolled_up = ""
    if coverage.rolled_up_days:
        rolled_up = (
            f"{coverage.rolled_up_days} closed day(s) from the rollup built "
            f"{when(coverage.rolled_up_at)}"
        )
    if coverage.live_from:
        live = f"from {coverage.live_from.isoformat()} grouped live"
        rolled_up = f"{rolled_up}; {live}" if rolled_up else live.capitalize()
    missing = ""
    if coverage.missing:
        days = ", ".join(d.isoformat() for d in coverage.missing[:5])
        more = f" and {len(coverage.missing) - 5} more" if len(coverage.missing) > 5 else ""
        missing = (
            f"{len(coverage.missing)} closed day(s) with records are not rolled up yet and "
            f"count as nothing here ({days}{more}): run manage.py rollup_deliveries."
        )
    return {"rolled_up": rolled_up, "missing": missing}


def receipts_notice(found: receipts.Receipts, providers: list[queries.Row]) -> dict[str, Any]:
    """What the page says about the SMS whose provider sent no receipt in the range."""
    if not found.missing:
        return {}
    sent = {row.key: row.sent for row in providers}
    return {
        "everywhere": not found.measured,
        "measured": ", ".join(sorted(found.measured)),
        "providers": [
            {"provider": provider, "reason": reason, "sent": sent.get(provider, 0)}
            for provider, reason in sorted(found.missing.items())
        ],
    }


def budget_rows(
    statuses: list[budgets.Status], names: dict[int, str] | None
) -> list[tuple[str, budgets.Status]]:
    """Each budget with its tenant's name; '' for all without ``names`` (one tenant's page)."""
    return [(names.get(s.tenant, str(s.tenant)) if names else "", s) for s in statuses]


def context_for(filters: queries.Filters, names: dict[int, str] | None = None) -> dict[str, Any]:
    """``names``: tenant id -> name when the page is of several tenants (each budget
    then says whose it is)."""
    started = time.perf_counter()
    conversions = tracking_enabled()
    problems = receipts.setup_problems()
    with queries.reading():
        overview = queries.overview(filters, problems=problems)
        health = queries.provider_health(filters)
        country_choices, provider_choices = queries.choices(
            filters, seen=[row.key for row in overview.countries]
        )
    total, days = overview.total, overview.days
    countries, providers = overview.countries, overview.providers
    labels = [row.key.strftime("%m-%d") for row in days]
    return {
        "filters": filters,
        "ranges": RANGES,
        "country_choices": country_choices,
        "provider_choices": provider_choices,
        "conversions": conversions,
        "total": _display(total, "All", conversions),
        "receipts": receipts_notice(overview.receipts, providers),
        "tables": [
            ("Per day", "day", [_display(r, r.key.isoformat(), conversions) for r in days]),
            ("Per country", "country", [_display(r, r.key or "?", conversions) for r in countries]),
            (
                "Per provider",
                "provider",
                [
                    _display(r, r.key or "(none)", conversions, overview.receipts.reason(r.key))
                    for r in providers
                ],
            ),
        ],  # fmt: skip
        "volume_chart": svg.volume_chart(
            labels,
            {
                "delivered": [r.delivered for r in days],
                "sent": [r.sent - r.delivered - r.undelivered for r in days],
                "undelivered": [r.undelivered for r in days],
                "failed": [r.failed for r in days],
                "rejected": [r.rejected for r in days],
            },
            [r.delivery_rate for r in days],
        ),
        "latency_chart": svg.lines_chart(
            labels,
            {
                "p50": [None if r.p50_ms is None else r.p50_ms / 1000 for r in days],
                "p95": [None if r.p95_ms is None else r.p95_ms / 1000 for r in days],
            },
        ),
        "health": [
            {
                "provider": h.provider or "(none)",
                "attempts": h.attempts,
                "failed": h.failed,
                "error_rate": _percent(h.error_rate),
                "meter": svg.meter(None if h.error_rate is None else 1 - h.error_rate, 0.95),
                "p50": _seconds(h.p50_ms),
                "p95": _seconds(h.p95_ms),
                "categories": ", ".join(
                    f"{name} {count}"
                    for name, count in sorted(h.categories.items(), key=lambda kv: -kv[1])
                ),
            }
            for h in health
        ],
        "budgets": budget_rows(budgets.panel(filters.tenants), names),
        "budgets_per_tenant": bool(names),
        "query_ms": int((time.perf_counter() - started) * 1000),
        **freshness(overview.coverage),
    }


@admin.register(DeliveryDashboard)
class DeliveryDashboardAdmin(admin.ModelAdmin):
    def has_view_permission(self, request: HttpRequest, obj: object = None) -> bool:
        # Each viewer's own tenants' figures (parse_filters): README, "Tenants".
        return request.user.has_perm("sms_gateway.view_message")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def changelist_view(
        self, request: HttpRequest, extra_context: dict | None = None
    ) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        filters = parse_filters(request)
        choices = tenants.tenant_choices(request) if tenants.several_tenants() else []
        names = dict(choices)
        whose = ""  # a single-tenant install's page says nothing of tenants
        if choices:
            whose = (
                "all tenants"
                if filters.tenants is None
                else ", ".join(names.get(t, f"tenant {t}") for t in filters.tenants)
            )
        # A page of several tenants says whose each budget is.
        several = bool(choices) and (filters.tenants is None or len(filters.tenants) > 1)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Delivery dashboard: {whose}" if whose else "Delivery dashboard",
            "opts": self.model._meta,
            # A choice between tenants only for whoever sees more than one.
            "tenant_choices": choices if len(choices) > 1 else [],
            "tenant_chosen": filters.tenants[0]
            if filters.tenants and len(filters.tenants) == 1
            else None,
            **context_for(filters, names if several else None),
        }
        return TemplateResponse(request, "admin/sms_gateway/dashboard/dashboard.html", context)
