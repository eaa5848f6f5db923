"""Floor B: the necessary I/O of one SMS and nothing more.

Parse and check the JSON by hand, INSERT the record, POST to the provider,
UPDATE the record with the provider's id and status. A database connection is
taken from the pool only around each statement, never held during the POST.
"""

from __future__ import annotations

import ipaddress
import json
import os
import re
import threading
import uuid

import requests
from django.http import HttpRequest, JsonResponse
from django.urls import path
from psycopg_pool import ConnectionPool
from requests.adapters import HTTPAdapter

SCHEMA = """
CREATE TABLE sms (
    id uuid PRIMARY KEY,
    "to" text NOT NULL,
    type text NOT NULL,
    status text NOT NULL,
    provider_id text NOT NULL DEFAULT '',
    created timestamptz NOT NULL
)
"""
INSERT = "INSERT INTO sms (id, \"to\", type, status, created) VALUES (%s, %s, %s, 'pending', now())"
UPDATE = "UPDATE sms SET provider_id = %s, status = %s WHERE id = %s"
NUMBER = re.compile(r"^\+?[0-9]{1,32}$")

THREADS = int(os.environ.get("FLOOR_THREADS", "16"))
PROVIDER_URL = os.environ.get("FLOOR_PROVIDER_URL", "")
PROVIDER_AUTH = ("AC" + "0" * 32, "x")
SENDER = "+15005550006"

_lock = threading.Lock()
_pool: ConnectionPool | None = None
_session: requests.Session | None = None


def resources() -> tuple[ConnectionPool, requests.Session]:
    """This process's pool and HTTP session, made on first use (after gunicorn forks)."""
    global _pool, _session
    with _lock:
        if _pool is None:
            _pool = ConnectionPool(
                os.environ["FLOOR_DATABASE_URL"],
                min_size=2,
                max_size=THREADS,
                kwargs={"autocommit": True},
                open=True,
            )
            _session = requests.Session()
            _session.trust_env = False
            adapter = HTTPAdapter(pool_connections=1, pool_maxsize=THREADS)
            _session.mount("http://", adapter)
            _session.mount("https://", adapter)
        return _pool, _session


def problem(data: object) -> str | None:
    """What is wrong with Logto's SendMessageData, if anything."""
    if not isinstance(data, dict):
        return "not an object"
    to, kind, payload = data.get("to"), data.get("type"), data.get("payload")
    if not isinstance(to, str) or not NUMBER.match(to):
        return "to"
    if not isinstance(kind, str) or not kind:
        return "type"
    if not isinstance(payload, dict) or not isinstance(payload.get("code"), str):
        return "payload.code"
    ip = data.get("ip")
    if ip is not None:
        try:
            ipaddress.ip_address(ip)
        except ValueError:
            return "ip"
    return None


def send(request: HttpRequest) -> JsonResponse:
    if request.method != "POST":
        return JsonResponse({"message": "method not allowed"}, status=405)
    try:
        data = json.loads(request.body)
    except ValueError:
        return JsonResponse({"message": "malformed JSON"}, status=400)
    if wrong := problem(data):
        return JsonResponse({"message": "invalid", "field": wrong}, status=400)

    pool, session = resources()
    sms_id = uuid.uuid4()
    with pool.connection() as conn:
        conn.execute(INSERT, (sms_id, data["to"], data["type"]))
    try:
        answer = session.post(
            PROVIDER_URL,
            data={
                "To": data["to"],
                "From": SENDER,
                "Body": f"Your code: {data['payload']['code']}",
            },
            auth=PROVIDER_AUTH,
            timeout=5,
        )
        answer.raise_for_status()
        message = answer.json()
        provider_id, status = message["sid"], message["status"]
    except (requests.RequestException, ValueError, KeyError):
        provider_id, status = "", "failed"
    with pool.connection() as conn:
        conn.execute(UPDATE, (provider_id, status, sms_id))
    if status == "failed":
        return JsonResponse({"message": "send failed", "id": str(sms_id)}, status=502)
    return JsonResponse({"id": str(sms_id), "status": status})


urlpatterns = [path("sms/send", send)]
