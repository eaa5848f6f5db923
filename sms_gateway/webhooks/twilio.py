"""Twilio's status callbacks: ``POST /webhooks/twilio/<alias>``.

Validated with the SDK's own ``RequestValidator`` and the alias's auth token,
over the URL Twilio called: scheme and host as the proxy in front forwards
them (``USE_X_FORWARDED_PROTO``, ``USE_X_FORWARDED_HOST``), query string
included, every parameter received (Twilio adds fields over time).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.http import HttpRequest
from twilio.request_validator import RequestValidator, get_signature_algorithm

from ..core.delivery_status import DeliveryEvent, DeliveryStatus
from .base import ReceiptView, WebhookForbidden, WebhookInvalid, check_strings

# MessageStatus values (https://www.twilio.com/docs/messaging/api/message-resource).
STATUSES = {
    "accepted": DeliveryStatus.AT_PROVIDER,
    "scheduled": DeliveryStatus.AT_PROVIDER,
    "queued": DeliveryStatus.AT_PROVIDER,
    "sending": DeliveryStatus.AT_PROVIDER,
    "sent": DeliveryStatus.AT_CARRIER,
    "delivered": DeliveryStatus.DELIVERED,
    "read": DeliveryStatus.DELIVERED,
    "undelivered": DeliveryStatus.UNDELIVERED,
    "partially_delivered": DeliveryStatus.UNDELIVERED,
    "failed": DeliveryStatus.DROPPED,
    "canceled": DeliveryStatus.DROPPED,
}


def public_urls(request: HttpRequest) -> list[str]:
    """The URLs Twilio may have called: as forwarded, and under SMS_PUBLIC_BASE_URL."""
    urls = [request.build_absolute_uri()]
    base = settings.SMS_PUBLIC_BASE_URL.rstrip("/")
    if base:
        urls.append(base + request.get_full_path())
    return urls


class TwilioReceiptView(ReceiptView):
    provider_class = "sms_gateway.providers.twilio.TwilioProvider"

    def validate(self, request: HttpRequest) -> None:
        form = request.POST  # read first: a form that cannot be read is a 400, signed or not
        signature = request.headers.get("X-Twilio-Signature", "")
        if not signature:
            raise WebhookForbidden("no X-Twilio-Signature")
        validator = RequestValidator(self.provider.config["AUTH_TOKEN"])
        algorithm = get_signature_algorithm(
            request.headers.get("X-Twilio-Webhooks-Signature-Settings", "")
        )
        if not any(
            validator.validate(url, form, signature, algorithm) for url in public_urls(request)
        ):
            raise WebhookForbidden("X-Twilio-Signature does not match")

    def parse(self, request: HttpRequest) -> Iterable[DeliveryEvent]:
        form = request.POST
        # Signed, but still not stored unless storable (a NUL would fail the query).
        check_strings({**form.dict(), "ref": request.GET.get("ref", "")}, WebhookInvalid)
        sid = form.get("MessageSid") or form.get("SmsSid") or ""
        status = (form.get("MessageStatus") or form.get("SmsStatus") or "").lower()
        if not sid or not status:
            raise WebhookInvalid("MessageSid and MessageStatus are required")
        yield DeliveryEvent(
            provider=self.alias,
            status=STATUSES.get(status, DeliveryStatus.UNCLEAR),
            provider_status=status,
            error_code=form.get("ErrorCode", ""),
            message_id=request.GET.get("ref", ""),
            provider_message_id=sid,
            raw=form.dict(),
        )
