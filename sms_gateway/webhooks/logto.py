"""Logto's webhooks: ``POST /webhooks/logto``, for conversion.

Verified with ``logto-signature-sha-256``: the hex HMAC-SHA256 of the raw body
with the webhook's signing key (``SMS_LOGTO_WEBHOOK_KEYS``, several while
rotating: the default tenant's; each other tenant's are stored with it). The key
that signed says whose codes the event may convert: only that tenant's.
``PostSignIn``, ``PostRegister`` and ``PostResetPassword`` with a
``user.primaryPhone`` mark the code sent to that number as converted; any other
event is answered 200 and ignored. The fields read are checked against the
types of Logto's payload (``event`` and ``createdAt`` strings, ``user`` an object,
``user.primaryPhone`` a string of digits or null): anything else is a 400.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from ..catalog import snapshot
from ..core.tenants import DEFAULT_TENANT_ID
from ..delivery.conversion import CONVERTING_EVENTS, record_conversion
from ..ops import metrics
from .base import WebhookForbidden, WebhookInvalid, WebhookView, json_body

SIGNATURE_HEADER = "logto-signature-sha-256"
PHONE = re.compile(r"\+?[0-9]{1,15}")  # Logto stores digits only (core-kit's phoneRegEx)


def sign(key: str, body: bytes) -> str:
    return hmac.new(key.encode(), body, hashlib.sha256).hexdigest()


def signed_by(presented: str, body: bytes, keys: Iterable[tuple[str, int]]) -> int | None:
    """The tenant whose key signed ``body`` (every key compared, no early exit)."""
    found = None
    for key, tenant in keys:
        if hmac.compare_digest(presented.encode(), sign(key, body).encode()) and found is None:
            found = tenant
    return found


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
        keys = [(key, DEFAULT_TENANT_ID) for key in settings.SMS_LOGTO_WEBHOOK_KEYS]
        keys += snapshot.snapshot().webhook_keys
        tenant = signed_by(presented, request.body, keys)
        if tenant is None:
            raise WebhookForbidden(f"{SIGNATURE_HEADER} does not match")
        self.tenant = tenant  # only its codes are converted

    def parse(self, request: HttpRequest) -> Iterable[Interaction]:
        body = json_body(request)
        if not isinstance(body, dict):
            raise WebhookInvalid("the body is not a JSON object")
        event = body.get("event")
        if not isinstance(event, str):
            raise WebhookInvalid("event must be a string")
        if event not in CONVERTING_EVENTS:
            metrics.WEBHOOKS.labels("logto", "ignored").inc()
            return
        phone = primary_phone(body.get("user"))
        if not phone:
            metrics.WEBHOOKS.labels("logto", "ignored").inc()
            return
        yield Interaction(event=event, phone=phone, at=event_time(body.get("createdAt")))

    def update(self, event: Interaction) -> None:
        record_conversion(event.phone, event.at, self.tenant)
        metrics.WEBHOOKS.labels("logto", "accepted").inc()


def primary_phone(user: object) -> str:
    """``user.primaryPhone`` as E.164 with '+', "" when the user has none.

    Logto's ``UserEntity``: ``primaryPhone?: string`` (null when unset), digits
    without '+'. Any other type or content is refused, never coerced.
    """
    if user is None:
        return ""
    if not isinstance(user, dict):
        raise WebhookInvalid("user must be an object")
    phone = user.get("primaryPhone")
    if phone is None or phone == "":
        return ""
    if not isinstance(phone, str):
        raise WebhookInvalid("user.primaryPhone must be a string")
    if not PHONE.fullmatch(phone):
        raise WebhookInvalid("user.primaryPhone must be 1 to 15 digits")
    return "+" + phone.removeprefix("+")


def event_time(created_at: object) -> datetime:
    """``createdAt`` (an ISO 8601 string), or now when absent or implausible."""
    now = timezone.now()
    if created_at is None:
        return now
    if not isinstance(created_at, str):
        raise WebhookInvalid("createdAt must be a string")
    try:
        at = parse_datetime(created_at)
    except ValueError:
        at = None
    if at is None:
        raise WebhookInvalid("createdAt must be an ISO 8601 time")
    if timezone.is_naive(at):
        at = at.replace(tzinfo=UTC)
    return at if abs(now - at) < timedelta(days=1) else now
