"""Floor D: floor C plus the least code doing what the product must do for each SMS.

Issue 18 asks for the gateway at 0.8x floor C. Floor C sends a one-line text and
writes 3 columns; the gateway's obligations are more, and this floor does each
of them the plainest way, on the same stack as floor C, so that the gateway is
measured against the least code that meets them:

- the Authorization value compared in constant time;
- the locale from ``uiLocales``/``locale`` and the text from a template for the
  message type (``str.format``), its masked copy (the code never stored), its
  encoding (GSM-7 or UCS-2) and segments;
- the route by the longest matching country prefix;
- the record in the project's own table (the same migrations, its indexes):
  an INSERT of every column before the provider's call and an UPDATE of the
  outcome with the attempt (JSON) after, each on a pooled connection not held
  during the call;
- the provider's call bounded in wall-clock time (the project's
  ``providers.deadline``, the least code that cuts a trickling answer);
- one JSON log line and the counters (prometheus_client, multiprocess).

No admin-editable catalog, guard, failover, receipts or tenants: what is left
between this floor and the gateway is what those and the gateway's structure
cost.

With ``FLOOR_GUARD_REDIS`` set ("floor D + guard"), each SMS first goes through
the least code doing the guard's work: the number's type looked up (premium
rate and the other refused kinds answered 403), and the shipped rate limits and
the pumping detector's counters checked and counted in one ``EVALSHA`` of the
project's own Lua script (``fraud.round_trip.SCRIPT``: the algorithm runs in
Redis, so its cost there is the same), a refusal answered 429. No per-step
structure, configuration, metrics, fallbacks or country and prefix policies:
what the guard cannot do with less.
"""

from __future__ import annotations

import hmac
import json
import logging
import math
import os
import time
import uuid
from contextlib import nullcontext
from datetime import UTC, datetime

import phonenumbers
import redis
import requests
from django.urls import path
from phonenumbers import PhoneNumberType
from prometheus_client import Counter, Histogram
from psycopg.types.json import Jsonb
from requests.adapters import HTTPAdapter
from rest_framework.response import Response
from rest_framework.views import APIView
from twilio.base.exceptions import TwilioException

from sms_gateway.fraud import round_trip
from sms_gateway.providers import deadline

from .stack_views import SENDER, TIMEOUT, SendSerializer, resources

TOKEN = os.environ.get("FLOOR_TOKEN", "").encode()
TENANT = 1  # the default tenant the migrations create
TEMPLATES = {
    ("SignIn", "en"): "{code} is your sign-in code. It expires in 10 minutes.",
    ("SignIn", "fr"): "{code} est votre code de connexion. Il expire dans 10 minutes.",
    ("Register", "en"): "{code} is your sign-up code. It expires in 10 minutes.",
    ("Register", "fr"): "{code} est votre code d'inscription. Il expire dans 10 minutes.",
}
ROUTES = {"33": "fr-twilio", "44": "uk-twilio", "1": "nanp-twilio"}  # prefix -> route
GSM7 = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    "ÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)

INSERT = """
INSERT INTO sms_gateway_message (
    id, tenant_id, "to", country, type, template_type, requested_locale, ui_locales, locale,
    body, encoding, segments, provider, provider_message_id, status, error, ip, created_at,
    updated_at, attempts, route, route_reason, delivery_error_code, delivery_status,
    provider_status, flags, is_test, refusal
) VALUES (
    %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, '', '', 'accepted', '', %s, %s, %s, '[]',
    %s, %s, '', '', '', '', false, ''
)
"""
UPDATE = """
UPDATE sms_gateway_message SET status = %s, provider = %s, provider_message_id = %s,
    error = %s, attempts = %s, updated_at = %s WHERE id = %s
"""

# "floor D + guard": the shipped rate limits (scope, window in seconds; the
# migrations' defaults), at the bench's non-binding limit, and the refused kinds.
GUARD_REDIS = os.environ.get("FLOOR_GUARD_REDIS", "")
LIMITS = (
    ("country", 600), ("ip", 600), ("ip", 86400), ("prefix", 600), ("recipient", 600),
    ("recipient", 86400), ("global", 600),
)  # fmt: skip
LIMIT = 1_000_000_000
REFUSED = {
    PhoneNumberType.PREMIUM_RATE, PhoneNumberType.SHARED_COST, PhoneNumberType.UAN,
    PhoneNumberType.PERSONAL_NUMBER, PhoneNumberType.PAGER, PhoneNumberType.VOICEMAIL,
    PhoneNumberType.UNKNOWN,
}  # fmt: skip
_redis: list[redis.Redis] = []

# ``python -m bench --ablate``: floor D without one of its obligations, to measure what
# each costs. "indexes": the record in a copy of the table with only its primary key
# (ABLATED_TABLE, made by the bench); "deadline": the provider call without the
# wall-clock limit; "metrics": no counters; "log": no log line.
WITHOUT = frozenset(filter(None, os.environ.get("FLOOR_D_WITHOUT", "").split(",")))
if WITHOUT - {"indexes", "deadline", "metrics", "log"}:
    raise ValueError(f"FLOOR_D_WITHOUT: unknown {sorted(WITHOUT)}")
ABLATED_TABLE = "floor_message_bare"
if "indexes" in WITHOUT:
    INSERT = INSERT.replace("sms_gateway_message", ABLATED_TABLE)
    UPDATE = UPDATE.replace("sms_gateway_message", ABLATED_TABLE)

logger = logging.getLogger("floor_d")
SENT = Counter("floor_sms_total", "SMS by outcome", ["status"])
LATENCY = Histogram("floor_provider_seconds", "provider call", ["provider", "outcome"])


def locale_of(payload: dict) -> str:
    for tag in (payload.get("uiLocales") or "").split() + [payload.get("locale") or ""]:
        language = tag.split("-")[0].lower()
        if language in ("en", "fr"):
            return language
    return "en"


def route_of(e164: str) -> str:
    digits = e164[1:]
    for size in range(4, 0, -1):
        route = ROUTES.get(digits[:size])
        if route:
            return route
    return "default"


def segments_of(text: str) -> tuple[str, int]:
    if all(ch in GSM7 for ch in text):
        return "GSM-7", 1 if len(text) <= 160 else math.ceil(len(text) / 153)
    return "UCS-2", 1 if len(text) <= 70 else math.ceil(len(text) / 67)


def guard(number: phonenumbers.PhoneNumber, to: str, ip: str, country: str) -> int:
    """0, or the status refusing the SMS: the number's type, then one EVALSHA."""
    if phonenumbers.number_type(number) in REFUSED:
        return 403
    if not _redis:
        _redis.append(redis.Redis.from_url(GUARD_REDIS))
    digits, now = to[1:], time.time()
    scopes = {
        "recipient": digits, "ip": ip, "prefix": digits[:6], "country": country or "none",
        "global": "all",
    }  # fmt: skip
    keys, args = [], ["", 0]
    for scope, seconds in LIMITS:
        if scopes[scope]:
            width = seconds * 1000 // 60
            keys.append(f"floor:{scope}:{seconds}:{scopes[scope]}")
            args += [LIMIT, width, seconds * 1000 // width]
    args[1] = len(keys)
    prefix = digits[:-3]  # the pumping detector's range, and its wider one
    args += [f"floor:pump:{prefix}", f"floor:pump:{prefix[:-2]}", digits, prefix,
             int(now // 60), int(now // 600), int(now // 3600)]  # fmt: skip
    try:
        answer = _redis[0].evalsha(round_trip.SCRIPT_SHA, len(keys), *keys, *args)
    except redis.exceptions.NoScriptError:
        answer = _redis[0].eval(round_trip.SCRIPT, len(keys), *keys, *args)
    if answer[0] != 0:
        return 429
    return 403 if int(answer[2]) >= LIMIT else 0  # the detector's recent count


class SendView(APIView):
    def post(self, request):  # noqa: ANN001, ANN201
        presented = request.META.get("HTTP_AUTHORIZATION", "").encode()
        if not hmac.compare_digest(presented, TOKEN):
            return Response({"message": "Invalid Authorization header."}, status=401)
        serializer = SendSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        to, payload, code = data["to"], data["payload"], data["payload"]["code"]
        number = phonenumbers.parse(to)
        country = phonenumbers.region_code_for_number(number) or ""
        locale = locale_of(payload)
        template = TEMPLATES.get((data["type"], locale)) or TEMPLATES[("SignIn", "en")]
        text = template.format(code=code)
        masked = template.format(code="*" * len(code))
        encoding, segments = segments_of(text)
        route = route_of(to)
        if GUARD_REDIS and (refused := guard(number, to, data.get("ip") or "", country)):
            return Response({"message": "refused"}, status=refused)
        pool, client = resources(HTTPAdapter if "deadline" in WITHOUT else deadline.DeadlineAdapter)
        sms_id, now = uuid.uuid4(), datetime.now(UTC)
        with pool.connection() as conn:
            conn.execute(
                INSERT,
                (
                    sms_id, TENANT, to, country, data["type"], data["type"],
                    payload.get("locale", ""), payload.get("uiLocales", ""), locale, masked,
                    encoding, segments, data.get("ip"), now, now, route,
                    Jsonb({"route": route}),
                ),
            )  # fmt: skip
        started, t0 = datetime.now(UTC).isoformat(), time.monotonic()
        try:
            with nullcontext() if "deadline" in WITHOUT else deadline.wall_clock(TIMEOUT):
                message = client.messages.create(to=to, from_=SENDER, body=text)
            provider_id, status, error = message.sid, "sent", ""
        except (TwilioException, requests.RequestException) as err:
            provider_id, status, error = "", "failed", str(err)[:300]
        seconds = time.monotonic() - t0
        if "metrics" not in WITHOUT:
            LATENCY.labels("twilio", status).observe(seconds)
        attempt = {
            "provider": "twilio", "outcome": status, "started_at": started,
            "duration_ms": int(seconds * 1000), "provider_message_id": provider_id,
            "error": error,
        }  # fmt: skip
        with pool.connection() as conn:
            conn.execute(
                UPDATE,
                (status, "twilio", provider_id, error, Jsonb([attempt]), datetime.now(UTC), sms_id),
            )
        if "metrics" not in WITHOUT:
            SENT.labels(status).inc()
        if "log" not in WITHOUT:
            logger.info(
                json.dumps(
                    {
                        "message_id": str(sms_id), "to": to[:-4] + "****", "country": country,
                        "type": data["type"], "locale": locale, "route": route,
                        "status": status, "provider": "twilio", "segments": segments,
                    }
                )
            )  # fmt: skip
        if status == "failed":
            return Response({"message": "send failed", "id": str(sms_id)}, status=502)
        return Response(
            {
                "id": str(sms_id), "status": status, "provider": "twilio", "locale": locale,
                "segments": segments,
            }
        )  # fmt: skip


urlpatterns = [path("sms/send", SendView.as_view())]
