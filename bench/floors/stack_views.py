"""Floor C: the least a competent engineer writes with the project's mandated stack.

A DRF ``APIView`` with a ``Serializer`` (the same fields, phonenumbers' check of
the number), the official ``twilio`` SDK's ``Client(...).messages.create`` over a
pooled session that does not read the environment, a psycopg_pool INSERT before
and UPDATE after (no connection held during the provider's call), a one-line
f-string text. No logging, metrics, templates, guard or deadline.

The SDK is pointed at the fake provider by rewriting its host, the only change
a test setup needs (``FLOOR_PROVIDER_BASE``).
"""

from __future__ import annotations

import os
import threading
import uuid

import phonenumbers
import requests
from django.urls import path
from psycopg_pool import ConnectionPool
from requests.adapters import HTTPAdapter
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView
from twilio.base.exceptions import TwilioException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from .plain_views import INSERT, UPDATE

THREADS = int(os.environ.get("FLOOR_THREADS", "16"))
PROVIDER_BASE = os.environ.get("FLOOR_PROVIDER_BASE", "")
ACCOUNT_SID, AUTH_TOKEN = "AC" + "0" * 32, "x"
SENDER = "+15005550006"


TIMEOUT = 5  # seconds, on every provider request


class _HttpClient(TwilioHttpClient):
    def request(self, method, url, *args, **kwargs):  # noqa: ANN001, ANN201
        kwargs["timeout"] = TIMEOUT
        url = url.replace("https://api.twilio.com", PROVIDER_BASE, 1)
        return super().request(method, url, *args, **kwargs)


_lock = threading.Lock()
_pool: ConnectionPool | None = None
_client: Client | None = None


def resources(mount: type[HTTPAdapter] = HTTPAdapter) -> tuple[ConnectionPool, Client]:
    """This process's pool and Twilio client, made on first use (after gunicorn forks);
    ``mount``: the adapter of the client's session (floor D's: the wall-clock deadline's)."""
    global _pool, _client
    with _lock:
        if _pool is None:
            _pool = ConnectionPool(
                os.environ["FLOOR_DATABASE_URL"],
                min_size=2,
                max_size=THREADS,
                kwargs={"autocommit": True},
                open=True,
            )
            http = _HttpClient(pool_connections=True)
            http.session.trust_env = False
            adapter = mount(pool_connections=1, pool_maxsize=THREADS)
            http.session.mount("http://", adapter)
            http.session.mount("https://", adapter)
            _client = Client(ACCOUNT_SID, AUTH_TOKEN, http_client=http)
        return _pool, _client


class PayloadSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=32)
    locale = serializers.CharField(required=False, allow_blank=True)
    uiLocales = serializers.CharField(required=False, allow_blank=True)  # noqa: N815


class SendSerializer(serializers.Serializer):
    to = serializers.CharField(max_length=32)
    type = serializers.CharField(max_length=64)
    payload = PayloadSerializer()
    ip = serializers.IPAddressField(required=False, allow_null=True)

    def validate_to(self, value: str) -> str:
        try:
            number = phonenumbers.parse(value if value.startswith("+") else "+" + value)
        except phonenumbers.NumberParseException as err:
            raise serializers.ValidationError("not a phone number") from err
        if not phonenumbers.is_possible_number(number):
            raise serializers.ValidationError("not a possible phone number")
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


class SendView(APIView):
    def post(self, request):  # noqa: ANN001, ANN201
        serializer = SendSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        pool, client = resources()
        sms_id = uuid.uuid4()
        with pool.connection() as conn:
            conn.execute(INSERT, (sms_id, data["to"], data["type"]))
        try:
            message = client.messages.create(
                to=data["to"], from_=SENDER, body=f"Your code: {data['payload']['code']}"
            )
            provider_id, status = message.sid, message.status
        except (TwilioException, requests.RequestException):
            provider_id, status = "", "failed"
        with pool.connection() as conn:
            conn.execute(UPDATE, (provider_id, status, sms_id))
        if status == "failed":
            return Response({"message": "send failed", "id": str(sms_id)}, status=502)
        return Response({"id": str(sms_id), "status": status})


urlpatterns = [path("sms/send", SendView.as_view())]
