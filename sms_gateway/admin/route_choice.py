"""Why a route sends where it does now: its shares, scores, prices and estimated cost
(the route editor's "now" block), the history of its share changes, and the prices.

"Why is +44 going to Vonage now?": the route's page answers with the current shares and
what they were computed from; *Route share changes* lists every change with its reason
and inputs; each message keeps its own reason (``Message.route_reason``).
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib import admin
from django.db.models import Avg, Count
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from ..core import least_cost
from ..core import route_rules as rules
from ..core.shares import Mode
from ..models import Price, Route, RouteShareChange
from ..routing import health, prices
from ..routing.estimate import estimate
from .tenants import TenantScoped

MODE_HELP = (
    "Ordered: the first provider, the next on a provider fault. Weighted: each provider "
    "is drawn first by its weight's share. Adaptive: shares follow each provider's "
    "measured delivery, time to delivery, conversion and errors here (weights are the "
    "resting point), recomputed every minute. Least cost: the cheapest provider holding "
    "the floors below. In every mode the others follow for failover."
)


def current_shares(route: Route, hops: list) -> dict[str, float]:
    """Each alias's share of first attempts now, as the send path reads it."""
    from ..core.routing import Hop

    rule = rules.build(
        route.prefix,
        route.country,
        route.mode,
        [Hop(h.provider, h.sender) for h in hops],
        [h.weight for h in hops],
        route.plan or {},
    )
    if not rule.shares:
        return {h.provider: 1.0 if i == 0 else 0.0 for i, h in enumerate(rule.hops)}
    return {hop.provider: share for hop, share in zip(rule.hops, rule.shares, strict=True)}


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{value:.0%}"


def choice_table(route: Route) -> SafeString:
    hops = sorted(route.hops.all(), key=lambda h: (h.position, h.id))
    if not hops:
        return format_html("{}", "No providers: blocked.")
    aliases = [h.provider for h in hops]
    shares = current_shares(route, hops)
    plan = route.plan if (route.plan or {}).get("mode") == route.mode else {}
    country = prices.country_of(route.prefix, route.country)
    price_rows = prices.current(aliases, country)
    currency = settings.SMS_PRICE_CURRENCY
    amounts = {
        a: least_cost.in_currency(
            prices.amount_of(price_rows.get(a)), currency, settings.SMS_CURRENCY_RATES
        )
        for a in aliases
    }
    since = timezone.now() - timedelta(days=30)
    volume = (
        health.destination(route.prefix, route.country)
        .filter(created_at__gte=since)
        .aggregate(n=Count("id"), segments=Avg("segments"))
    )
    cost = estimate(shares, amounts, volume["n"] or 0, float(volume["segments"] or 1.0))
    inputs = plan.get("inputs", {})
    scores = plan.get("scores", {})

    def price_text(alias: str) -> str:
        row = price_rows.get(alias)
        if row is None:
            return "no price"
        text = f"{row.amount} {row.currency}"
        if amounts[alias] is None:
            text += f" (no rate to {currency})"
        if prices.is_stale(row.fetched_at):
            text += f" STALE since {row.fetched_at:%Y-%m-%d}"
        return text

    def delivery(alias: str) -> str:
        h = inputs.get(alias) or {}
        receipts = (h.get("delivered") or 0) + (h.get("undelivered") or 0)
        if not receipts:
            return "–"
        p95 = h.get("p95_delivery_ms")
        rate = f"{h['delivered'] / receipts:.0%} of {receipts}"
        return rate + (f", p95 {p95 / 1000:.0f} s" if p95 else "")

    body = format_html_join(
        "",
        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
        (
            (
                a,
                _percent(shares.get(a)),
                "–" if scores.get(a) is None else f"{scores[a]:.2f}",
                delivery(a),
                price_text(a),
            )
            for a in aliases
        ),
    )
    per_sms = "unknown (a provider with a share has no price)"
    if cost.per_sms is not None:
        per_sms = (
            f"{cost.per_sms:.4f} {currency} per SMS ({cost.segments:.1f} segments), "
            f"{cost.per_month:.2f} {currency} per month at {cost.volume} SMS in 30 days"
        )
    reason = plan.get("reason") or (
        "no plan yet: computed within a minute"
        if route.mode in (Mode.ADAPTIVE, Mode.LEAST_COST)
        else "as set by the operator"
    )
    history = (
        reverse("admin:sms_gateway_routesharechange_changelist") + f"?route__id__exact={route.pk}"
    )
    return format_html(
        '<div class="sms-route-choice"><table><thead><tr><th>provider</th><th>share first</th>'
        "<th>score</th><th>delivered (window)</th><th>price</th></tr></thead>"
        "<tbody>{}</tbody></table><p>Why: {}{}</p><p>Estimated cost: {}</p>"
        '<p><a href="{}">History of share changes</a></p></div>',
        body,
        reason,
        format_html(" (computed {})", plan["computed_at"][:19]) if plan.get("computed_at") else "",
        per_sms,
        history,
    )


def _shares(shares: dict[str, float]) -> str:
    # By alias: PostgreSQL's jsonb keeps no key order.
    return ", ".join(f"{a} {shares[a]:.0%}" for a in sorted(shares))


@admin.register(RouteShareChange)
class RouteShareChangeAdmin(TenantScoped, admin.ModelAdmin):
    tenant_path = "route__tenant"
    list_display = ["at", "route", "mode", "shares_text", "previous_text", "reason"]
    # Only the routes of the listed changes: another tenant's routes are no choice.
    list_filter = ["mode", ("route", admin.RelatedOnlyFieldListFilter)]
    date_hierarchy = "at"
    readonly_fields = ["route", "at", "mode", "shares", "previous", "reason", "inputs"]

    @admin.display(description="shares")
    def shares_text(self, change: RouteShareChange) -> str:
        return _shares(change.shares) or "–"

    @admin.display(description="before")
    def previous_text(self, change: RouteShareChange) -> str:
        return _shares(change.previous) or "–"

    def has_add_permission(self, request) -> bool:  # noqa: ANN001
        return False

    def has_change_permission(self, request, obj=None) -> bool:  # noqa: ANN001
        return False


@admin.register(Price)
class PriceAdmin(admin.ModelAdmin):
    list_display = ["country", "provider", "network", "amount", "currency", "source", "fresh"]
    list_filter = ["provider", "source", "currency"]
    search_fields = ["country", "provider", "network"]

    @admin.display(description="fetched", ordering="fetched_at")
    def fresh(self, price: Price) -> str:
        if prices.is_stale(price.fetched_at):
            return format_html(
                '<strong class="sms-blocked">STALE: {}</strong>', f"{price.fetched_at:%Y-%m-%d}"
            )
        return f"{price.fetched_at:%Y-%m-%d}"
