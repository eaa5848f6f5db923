"""Prometheus metrics, and the access-controlled view that serves them.

Under gunicorn with several worker processes, set ``PROMETHEUS_MULTIPROC_DIR``
to an empty directory: every worker writes its values there and ``/metrics``
adds them up (prometheus-client's multiprocess mode).
"""

from __future__ import annotations

import contextlib
import functools
import hmac
import ipaddress
import os

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)

HTTP_REQUESTS = Counter(
    "sms_gateway_http_requests_total",
    "Requests to the SMS endpoint, by answer status.",
    ["status"],
)
SMS = Counter(
    "sms_gateway_sms_total",
    "Accepted SMS requests by type, final provider, country and outcome.",
    ["type", "provider", "country", "outcome"],
)
PROVIDER_LATENCY = Histogram(
    "sms_gateway_provider_seconds",
    "Duration of provider attempts.",
    ["provider", "outcome"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 8, 13),
)
PROVIDER_INTERNAL_ERRORS = Counter(
    "sms_gateway_provider_internal_errors_total",
    "Programming errors inside a provider adapter (a bug of ours or an SDK incompatibility), "
    "by provider alias and exception type.",
    ["provider", "exception"],
)
FAILOVERS = Counter(
    "sms_gateway_failovers_total",
    "Moves from a failed provider to the next one on the route.",
    ["from_provider", "category"],
)
REJECTED = Counter(
    "sms_gateway_rejected_requests_total",
    "Requests answered with an error, by reason.",
    ["reason"],
)


GUARD_REFUSALS = Counter(
    "sms_gateway_guard_refusals_total",
    "SMS the fraud guard refused, by reason (rate_limited:recipient, country:XX...).",
    ["reason"],
)
GUARD_FLAGS = Counter(
    "sms_gateway_guard_flags_total",
    "SMS the fraud guard let through and flagged (monitored_country).",
    ["flag"],
)
GUARD_BLOCKS = Counter(
    "sms_gateway_guard_prefix_blocks_total",
    "Destination prefixes the pumping guard blocked.",
)
GUARD_FALLBACK = Counter(
    "sms_gateway_guard_fallback_total",
    "Guard checks done without Redis (per-process rate limits; pumping detector off).",
)
GUARD_DEGRADED = Gauge(
    "sms_gateway_guard_degraded",
    "1 while a guard step runs on its fallback (ops/degraded.py), by step.",
    ["step"],
    multiprocess_mode="livemax",
)


def rejected(reason: str) -> None:
    REJECTED.labels(reason=reason).inc()


def _allowed(request: HttpRequest) -> bool:
    token = settings.METRICS_TOKEN
    presented = request.META.get("HTTP_AUTHORIZATION", "")
    if token and hmac.compare_digest(presented.encode(), f"Bearer {token}".encode()):
        return True
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return any(address in net for net in _networks(tuple(settings.METRICS_ALLOWED_NETWORKS)))


@functools.lru_cache(maxsize=4)
def _networks(entries: tuple[str, ...]) -> tuple[ipaddress._BaseNetwork, ...]:
    """Parsed once. A malformed entry stops the gateway at startup (check E030); should
    one get here anyway it allows nothing rather than failing every scrape."""
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry))
        except ValueError:
            continue
    return tuple(networks)


def metrics_view(request: HttpRequest) -> HttpResponse:
    if not _allowed(request):
        return JsonResponse({"message": "Forbidden."}, status=403)
    return HttpResponse(exposition(), content_type=CONTENT_TYPE_LATEST)


def exposition(attempts: int = 3) -> bytes:
    """The metrics text. In multiprocess mode a file listed may be gone when read (the
    master folded a recycled worker's files into the archive meanwhile): collect again."""
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return generate_latest(REGISTRY)
    for _ in range(attempts - 1):
        with contextlib.suppress(FileNotFoundError):
            return generate_latest(_multiprocess_registry())
    return generate_latest(_multiprocess_registry())


def _multiprocess_registry() -> CollectorRegistry:
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    return registry


# --- Delivery receipts and conversion (issue 12) --------------------------------
DELIVERIES = Counter(
    "sms_gateway_deliveries_total",
    "Changes of delivery status from providers' receipts, by provider, country and status.",
    ["provider", "country", "status"],
)
DELIVERY_SECONDS = Histogram(
    "sms_gateway_delivery_seconds",
    "Time from the record to the delivered receipt.",
    ["provider"],
    buckets=(1, 2, 3, 5, 8, 13, 20, 30, 60, 120, 300, 900),
)
WEBHOOKS = Counter(
    "sms_gateway_webhook_requests_total",
    "Receipts and Logto webhooks received, by source (provider alias or logto) and outcome "
    "(accepted, forbidden, invalid, unknown_message, ignored, too_large, malformed, "
    "other_alias).",
    ["source", "outcome"],
)
CONVERSIONS = Counter(
    "sms_gateway_conversions_total",
    "Codes followed by Logto's sign-in, registration or password reset within their validity.",
    ["provider", "country"],
)

# --- Budgets (issue 20: budgets/, README "Budgets") -------------------------------
SPEND = Counter(
    "sms_gateway_spend",
    "Estimated spend of the SMS let through, in SMS_PRICE_CURRENCY, by destination country.",
    ["country"],
)
SPEND_UNPRICED = Counter(
    "sms_gateway_spend_unpriced_total",
    "SMS let through without a price for their provider and country (counted as 0).",
    ["provider", "country"],
)
BUDGET_USED = Gauge(
    "sms_gateway_budget_used_ratio",
    "Spend of the current period over its cap, by scope (a country or all) and period, "
    "as the last SMS counted found it.",
    ["scope", "period"],
    multiprocess_mode="mostrecent",
)
BUDGET_ALERT = Gauge(
    "sms_gateway_budget_alert_ratio",
    "The share of each cap past which SmsBudgetThreshold alerts (the budget's alert_at_percent).",
    ["scope", "period"],
    multiprocess_mode="mostrecent",
)
BUDGET_REFUSALS = Counter(
    "sms_gateway_budget_refusals_total",
    "SMS refused because they would take a period's spend over its cap, by scope and period.",
    ["scope", "period"],
)
