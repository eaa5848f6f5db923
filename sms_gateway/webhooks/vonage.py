"""Vonage's delivery receipts: ``GET|POST /webhooks/vonage/<alias>`` (query, form or JSON).

Signed receipts only: the SDK's ``Auth.check_signature`` with the alias's
signature secret and method (``SMS_VONAGE_SIGNATURES``), and a replay window on
the signed ``timestamp`` (``SMS_WEBHOOK_MAX_AGE``), which the SDK does not check.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from ..api import bounds
from ..core.delivery_status import DeliveryEvent, DeliveryStatus
from .base import (
    ReceiptView,
    WebhookForbidden,
    WebhookInvalid,
    WebhookMalformed,
    check_strings,
    json_body,
)

HEX_DIGEST = re.compile(r"[0-9a-fA-F]{32,128}")  # md5 (32) to sha512 (128)
UNIX_SECONDS = re.compile(r"[0-9]{1,12}")

# DLR ``status`` values (the SMS API's DeliveryReceipt).
STATUSES = {
    "accepted": DeliveryStatus.AT_CARRIER,  # taken by the carrier
    "buffered": DeliveryStatus.AT_CARRIER,  # held by the carrier: the phone is off or out of reach
    "delivered": DeliveryStatus.DELIVERED,
    "expired": DeliveryStatus.UNDELIVERED,
    "failed": DeliveryStatus.DROPPED,
    "rejected": DeliveryStatus.DROPPED,
    "unknown": DeliveryStatus.UNCLEAR,
}


def receipt_params(request: HttpRequest) -> dict[str, Any]:
    """The receipt's fields, wherever the account's setting puts them."""
    if request.method == "GET":
        return request.GET.dict()
    if request.content_type == "application/json":
        body = json_body(request) if request.body else {}
        if not isinstance(body, dict):
            raise WebhookMalformed("the body is not a JSON object")
        return body
    return request.POST.dict()


def check_signed_fields(params: dict[str, Any]) -> None:
    """What the SDK's check would choke on, refused before it runs (``WebhookForbidden``).

    Every field is signed, so every value must be what Vonage sends: a string (an
    integer in JSON), holding nothing that cannot be encoded; ``sig`` a hex digest
    and ``timestamp`` Unix seconds within the replay window, which the SDK does not
    check.
    """
    for key, value in params.items():
        if bounds.UNSAFE.search(key):  # values are checked below; keys are signed too
            raise WebhookForbidden("a field name holds a control or invalid character")
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise WebhookForbidden(f"{key[:40]!r} is not a string")
    check_strings(params, WebhookForbidden)
    sig = params.get("sig")
    if sig is None or sig == "":
        raise WebhookForbidden("unsigned receipt")
    if not isinstance(sig, str) or not HEX_DIGEST.fullmatch(sig):
        raise WebhookForbidden("sig is not a hex digest")
    timestamp = params.get("timestamp")
    if isinstance(timestamp, str) and UNIX_SECONDS.fullmatch(timestamp):
        timestamp = int(timestamp)
    if not isinstance(timestamp, int) or not 0 <= timestamp < 10**12:
        raise WebhookForbidden("no timestamp in Unix seconds")
    if abs(time.time() - timestamp) > settings.SMS_WEBHOOK_MAX_AGE:
        raise WebhookForbidden("timestamp outside the replay window")


class VonageReceiptView(ReceiptView):
    provider_class = "sms_gateway.providers.vonage.VonageProvider"
    http_method_names = ["get", "post"]

    def get(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        return self.handle(request)

    def validate(self, request: HttpRequest) -> None:
        signing = settings.SMS_VONAGE_SIGNATURES.get(self.alias)
        if not signing or not signing.get("SECRET"):
            raise WebhookForbidden(f"no signature secret for {self.alias!r}")
        self.params = receipt_params(request)
        check_signed_fields(self.params)
        # Imported here, not with the URLs: the SDK (pydantic, PyJWT, cryptography) adds
        # some 18 MB to every worker of a deployment that has no Vonage alias.
        from vonage_http_client import Auth

        auth = Auth(
            api_key=self.provider.config["API_KEY"],
            signature_secret=signing["SECRET"],
            signature_method=signing.get("METHOD") or "sha256",
        )
        # check_signature pops 'sig' (and may add a timestamp): give it a copy.
        if not auth.check_signature(dict(self.params)):
            raise WebhookForbidden("sig does not match")

    def parse(self, request: HttpRequest) -> Iterable[DeliveryEvent]:
        params = self.params
        status = str(params.get("status", "")).lower()
        message_id = str(params.get("messageId") or params.get("message-id") or "")
        if not status or not (message_id or params.get("client-ref")):
            raise WebhookInvalid("status and messageId are required")
        yield DeliveryEvent(
            provider=self.alias,
            status=STATUSES.get(status, DeliveryStatus.UNCLEAR),
            provider_status=status,
            error_code=str(params.get("err-code", "")),
            message_id=str(params.get("client-ref", "")),
            provider_message_id=message_id,
            raw={k: v for k, v in params.items() if k != "sig"},
        )
