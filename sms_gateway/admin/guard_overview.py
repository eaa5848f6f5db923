"""The guard overview: what the fraud guard refused, by reason, country and prefix over
time, the top prefixes, and the blocks (``/admin/sms_gateway/blockedprefix/overview/``).

Every query reads a range of the refusals' own index (``message_refusal_idx``: only the
refused rows, with their country and number), never the whole Messages table.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Count, QuerySet
from django.db.models.functions import Left, Length, Substr, TruncDay, TruncHour
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone

from ..models import BlockedPrefix, Message
from .tenants import scope

PERIODS = {
    "24h": (timedelta(hours=24), TruncHour, "H:00"),
    "7d": (timedelta(days=7), TruncDay, "m-d"),
}
TOP = 10


def refusals(since) -> QuerySet:  # noqa: ANN001
    return Message.objects.filter(created_at__gte=since).exclude(refusal="").order_by()


def by(queryset: QuerySet, field: str) -> list[tuple[str, int]]:
    rows = queryset.values(field).annotate(n=Count("pk")).order_by("-n", field)[:TOP]
    return [(row[field], row["n"]) for row in rows]


def top_prefixes(queryset: QuerySet) -> list[tuple[str, int]]:
    """The pumping detector's ranges: the number less its last tail digits."""
    tail = settings.SMS_GUARD_PUMPING_TAIL_DIGITS
    digits = Substr("to", 2)
    ranged = queryset.annotate(prefix=Left(digits, Length("to") - 1 - tail))
    return by(ranged, "prefix")


def timeline(queryset: QuerySet, trunc) -> tuple[list, list]:  # noqa: ANN001
    """Rows (bucket, {kind: count}, total) and the kinds present, oldest bucket first."""
    rows = (
        queryset.annotate(bucket=trunc("created_at"))
        .values("bucket", "refusal")
        .annotate(n=Count("pk"))
        .order_by("bucket")
    )
    buckets: dict = {}
    for row in rows:
        buckets.setdefault(row["bucket"], {})[row["refusal"]] = row["n"]
    kinds = [k for k in Message.Refusal.values if any(k in v for v in buckets.values())]
    return [
        (bucket, [counts.get(k, 0) for k in kinds], sum(counts.values()))
        for bucket, counts in buckets.items()
    ], kinds


def view(request: HttpRequest, admin_site) -> HttpResponse:  # noqa: ANN001
    user = request.user
    if not (
        user.has_perm("sms_gateway.view_message")
        and user.has_perm("sms_gateway.view_blockedprefix")
    ):
        raise PermissionDenied
    period = request.GET.get("period", "24h")
    if period not in PERIODS:
        period = "24h"
    span, trunc, fmt = PERIODS[period]
    now = timezone.now()
    queryset = scope(refusals(now - span), request)  # an operator's own tenants' refusals
    labels = dict(Message.Refusal.choices)
    messages = reverse("admin:sms_gateway_message_changelist")
    rows, kinds = timeline(queryset, trunc)
    reasons = by(queryset, "refusal")
    blocks = BlockedPrefix.objects.filter(
        blocked_at__gte=now - span
    ) | BlockedPrefix.objects.filter(unblocked_at=None, until__gt=now)
    context = {
        **admin_site.each_context(request),
        "title": "Guard overview",
        "opts": BlockedPrefix._meta,
        "period": period,
        "periods": list(PERIODS),
        "time_format": fmt,
        "total": sum(n for _, n in reasons),
        "reasons": [(kind, labels.get(kind, kind), n) for kind, n in reasons],
        "countries": by(queryset, "country"),
        "prefixes": top_prefixes(queryset),
        "timeline": rows,
        "kinds": [(k, labels[k]) for k in kinds],
        "blocks": blocks.distinct().order_by("-blocked_at")[:20],
        "messages_url": messages,
        "mode": settings.SMS_GUARD_PUMPING_MODE,
        "now": now,
    }
    return TemplateResponse(request, "admin/sms_gateway/guard/overview.html", context)


__all__ = ["view"]
