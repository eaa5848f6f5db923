"""Conversion: a code followed, within its validity, by the sign-in it was sent for.

Logto calls ``/webhooks/logto`` after a sign-in, a registration or a password
reset (``PostSignIn``, ``PostRegister``, ``PostResetPassword``) with the user's
``primaryPhone``. The latest code SMS the gateway sent to that number within
the code's validity before the event (``SMS_CODE_VALIDITY_MINUTES``, Logto's
verification code policy, 10 minutes by default) is marked converted, once.

A code that is never used is what SMS pumping looks like (the fraudster is paid
per SMS and never signs in), so the rate per country, prefix and provider is
what the fraud guard reads: ``conversion_rate()``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone

from ..core.message_types import MessageType
from ..core.tenants import DEFAULT_TENANT_ID
from ..models import Message
from ..ops import metrics

logger = logging.getLogger("sms_gateway.delivery")

CONVERTING_EVENTS = frozenset({"PostSignIn", "PostRegister", "PostResetPassword"})


def validity() -> timedelta:
    return timedelta(minutes=getattr(settings, "SMS_CODE_VALIDITY_MINUTES", 10))


def record_conversion(phone: str, at: datetime, tenant: int = DEFAULT_TENANT_ID) -> Message | None:
    """Mark the latest code ``tenant`` sent to ``phone`` (E.164) in the validity before
    ``at``: a Logto instance reports its own sign-ins, never another tenant's codes.

    Idempotent: Logto retrying the same webhook finds the message converted.
    """
    candidate = (
        Message.objects.filter(
            tenant_id=tenant,
            to=phone,
            status=Message.Status.SENT,
            created_at__gte=at - validity(),
            created_at__lte=at,
        )
        .exclude(type=MessageType.ORGANIZATION_INVITATION)
        .order_by("-created_at")
        .only("id", "provider", "country", "converted_at")
        .first()
    )
    if candidate is None or candidate.converted_at is not None:
        return None
    if not Message.objects.filter(pk=candidate.pk, converted_at__isnull=True).update(
        converted_at=at
    ):
        return None
    metrics.CONVERSIONS.labels(candidate.provider, candidate.country).inc()
    candidate.converted_at = at
    return candidate


@dataclass(frozen=True)
class ConversionRate:
    sent: int  # code SMS a provider took, old enough to have been used
    converted: int  # of those, followed by Logto's sign-in within the validity

    @property
    def rate(self) -> float | None:
        """``converted / sent``; None without any SMS (no evidence either way)."""
        return self.converted / self.sent if self.sent else None


def conversion_rate(
    *,
    country: str | None = None,
    prefix: str | None = None,
    provider: str | None = None,
    window: timedelta = timedelta(hours=24),
    now: datetime | None = None,
) -> ConversionRate:
    """Codes sent and converted over ``window``, for a country, a prefix and/or a provider.

    Only messages older than the code's validity count (a younger one may still
    be used), so the window is ``[now - window - validity, now - validity]``.
    ``country`` is ISO 3166 (``FR``), ``prefix`` E.164 digits without ``+``
    (``3361``). One indexed query. Conversions are only known when Logto's
    webhook is set up (``SMS_LOGTO_WEBHOOK_KEYS``): without it every rate is 0.
    """
    end = (now or timezone.now()) - validity()
    messages = Message.objects.filter(
        created_at__gte=end - window, created_at__lt=end, status=Message.Status.SENT
    ).exclude(type=MessageType.ORGANIZATION_INVITATION)
    if country:
        messages = messages.filter(country=country.upper())
    if prefix:
        digits = "".join(ch for ch in prefix if ch.isdigit())
        # A range as well as the prefix: a btree index serves it under any collation.
        upper = str(int(digits) + 1).rjust(len(digits), "0") if digits else ""
        messages = messages.filter(to__startswith=f"+{digits}", to__gte=f"+{digits}")
        if upper and len(upper) == len(digits):
            messages = messages.filter(to__lt=f"+{upper}")
    if provider:
        messages = messages.filter(provider=provider)
    counts = messages.aggregate(
        sent=Count("pk"), converted=Count("pk", filter=Q(converted_at__isnull=False))
    )
    return ConversionRate(sent=counts["sent"], converted=counts["converted"])


def tracking_enabled() -> bool:
    return bool(settings.SMS_LOGTO_WEBHOOK_KEYS)
