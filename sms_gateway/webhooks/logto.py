"""Logto's webhooks: ``POST /webhooks/logto``, for conversion.

Verified with ``logto-signature-sha-256``: the hex HMAC-SHA256 of the raw body
with the webhook's signing key (``SMS_LOGTO_WEBHOOK_KEYS``, several while
rotating). ``PostSignIn``, ``PostRegister`` and ``PostResetPassword`` with a
``user.primaryPhone`` mark the code sent to that number as converted; any other
event is answered 200 and ignored.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from ..delivery.conversion import CONVERTING_EVENTS, record_conversion
from ..ops import metrics
from .base import WebhookForbidden, WebhookInvalid, WebhookView

SIGNATURE_HEADER = "logto-signature-sha-256"


def sign(key: str, body: bytes) -> str:
    return hmac.new(key.encode(), body, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Interaction:
    event: str
    phone: str  # E.164 with '+'
    at: datetime


class LogtoWebhookView(WebhookView):
    def source(self) -> str:
        return "logto"

    def validate(self, request: HttpRequest) -> None:
        presented = request.headers.get(SIGNATURE_HEADER, "").strip().lower()
        if not presented:
            raise WebhookForbidden(f"no {SIGNATURE_HEADER}")
        body = request.body
        if not any(
            hmac.compare_digest(presented.encode(), sign(key, body).encode())
            for key in settings.SMS_LOGTO_WEBHOOK_KEYS
        ):
            raise WebhookForbidden(f"{SIGNATURE_HEADER} does not match")

    def parse(self, request: HttpRequest) -> Iterable[Interaction]:
        try:
            body = json.loads(request.body)
        except ValueError as err:
            raise WebhookInvalid("the body is not JSON") from err
        if not isinstance(body, dict):
            raise WebhookInvalid("the body is not a JSON object")
        user = body.get("user") if isinstance(body.get("user"), dict) else {}
        phone = "".join(ch for ch in str(user.get("primaryPhone") or "") if ch.isdigit())
        if body.get("event") not in CONVERTING_EVENTS or not phone:
            metrics.WEBHOOKS.labels("logto", "ignored").inc()
            return
        yield Interaction(event=body["event"], phone=f"+{phone}", at=_event_time(body))

    def update(self, event: Interaction) -> None:
        record_conversion(event.phone, event.at)
        metrics.WEBHOOKS.labels("logto", "accepted").inc()


def _event_time(body: dict) -> datetime:
    """The event's ``createdAt``, unless absent or implausible (then: now)."""
    now = timezone.now()
    try:
        at = parse_datetime(str(body.get("createdAt") or ""))
    except ValueError:
        at = None
    if at is None:
        return now
    if timezone.is_naive(at):
        at = at.replace(tzinfo=UTC)
    return at if abs(now - at) < timedelta(days=1) else now
