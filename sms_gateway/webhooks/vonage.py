"""Vonage's delivery receipts: ``GET|POST /webhooks/vonage/<alias>`` (query, form or JSON).

Signed receipts only: the SDK's ``Auth.check_signature`` with the alias's
signature secret and method (``SMS_VONAGE_SIGNATURES``), and a replay window on
the signed ``timestamp`` (``SMS_WEBHOOK_MAX_AGE``), which the SDK does not check.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from vonage_http_client import Auth

from ..delivery.status import DeliveryEvent, DeliveryStatus
from .base import ReceiptView, WebhookForbidden, WebhookInvalid

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
        try:
            body = json.loads(request.body or b"{}")
        except ValueError as err:
            raise WebhookInvalid("the body is not JSON") from err
        if not isinstance(body, dict):
            raise WebhookInvalid("the body is not a JSON object")
        return body
    return request.POST.dict()


class VonageReceiptView(ReceiptView):
    provider_class = "sms_gateway.providers.vonage.VonageProvider"
    http_method_names = ["get", "post"]

    def get(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        return self.handle(request)

    def validate(self, request: HttpRequest) -> None:
        signing = settings.SMS_VONAGE_SIGNATURES.get(self.alias)
        if not signing or not signing.get("SECRET"):
            raise WebhookForbidden(f"no signature secret for {self.alias!r}")
        try:
            self.params = receipt_params(request)
        except WebhookInvalid as err:
            raise WebhookForbidden(str(err)) from err
        if "sig" not in self.params:
            raise WebhookForbidden("unsigned receipt")
        try:
            timestamp = int(self.params.get("timestamp", ""))
        except (TypeError, ValueError):
            raise WebhookForbidden("no timestamp") from None
        if abs(time.time() - timestamp) > settings.SMS_WEBHOOK_MAX_AGE:
            raise WebhookForbidden("timestamp outside the replay window")
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
