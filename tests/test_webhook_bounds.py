"""Every webhook is bounded like the SMS endpoint: a body over 64 KiB is a 413, a body
that cannot be read as its content type a 400, each one short JSON object, counted,
and never an HTML page or a traceback in the log. Over real HTTP (live server)."""

import hashlib
import hmac
import json
import logging

import pytest
from prometheus_client import REGISTRY

from sms_gateway.api.bounds import MAX_BODY_BYTES

from .receipts import Caller

pytestmark = pytest.mark.django_db(transaction=True)

KEY = "logto-signing-key-1"
TOO_LARGE = {"message": "The request body is larger than 64 KiB."}
# (name, path, method, Content-Type, metrics source)
WEBHOOKS = [
    ("logto", "/webhooks/logto", "post", "application/json", "logto"),
    ("twilio", "/webhooks/twilio/twilio", "post", "application/x-www-form-urlencoded", "twilio"),
    (
        "vonage form",
        "/webhooks/vonage/vonage",
        "post",
        "application/x-www-form-urlencoded",
        "vonage",
    ),
    ("vonage json", "/webhooks/vonage/vonage", "post", "application/json", "vonage"),
    ("vonage get", "/webhooks/vonage/vonage", "get", "application/x-www-form-urlencoded", "vonage"),
]
FORMS = [w for w in WEBHOOKS if w[3] != "application/json" and w[2] == "post"]


@pytest.fixture
def hooks(settings, providers, live_server):
    settings.SMS_LOGTO_WEBHOOK_KEYS = [KEY]
    settings.SMS_VONAGE_SIGNATURES = {"vonage": {"SECRET": "vonage-signature-secret"}}
    caller = Caller()
    yield live_server.url, caller
    caller.close()


def count(source: str, outcome: str) -> float:
    labels = {"source": source, "outcome": outcome}
    return REGISTRY.get_sample_value("sms_gateway_webhook_requests_total", labels) or 0.0


def tracebacks(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]


def logto_signature(body: bytes) -> str:
    return hmac.new(KEY.encode(), body, hashlib.sha256).hexdigest()


@pytest.mark.parametrize(("name", "path", "method", "ctype", "source"), WEBHOOKS)
@pytest.mark.parametrize("size", [MAX_BODY_BYTES + 1, 3 * 1024 * 1024])
def test_a_body_over_64_kib_is_a_413_json(hooks, caplog, name, path, method, ctype, source, size):
    base, caller = hooks
    body = b"a=" + b"x" * (size - 2)
    before = count(source, "too_large")
    headers = {"Content-Type": ctype, "logto-signature-sha-256": logto_signature(body)}

    with caplog.at_level(logging.INFO):
        response = caller.session.request(method, base + path, data=body, headers=headers)

    assert response.status_code == 413, response.text
    assert response.headers["Content-Type"] == "application/json"
    assert response.json() == TOO_LARGE
    assert count(source, "too_large") == before + 1
    assert tracebacks(caplog) == []


def test_a_body_of_exactly_64_kib_is_read(hooks):
    base, caller = hooks
    body = json.dumps({"event": "PostSignOut", "padding": ""}).encode()
    body = body.replace(b'""', b'"' + b"x" * (MAX_BODY_BYTES - len(body)) + b'"')
    assert len(body) == MAX_BODY_BYTES
    headers = {"Content-Type": "application/json", "logto-signature-sha-256": logto_signature(body)}
    assert caller.post(base + "/webhooks/logto", data=body, headers=headers).status_code == 200


def test_a_query_string_over_64_kib_is_a_414_json(hooks, client):
    # The live server (and gunicorn) cut request lines shorter than this themselves:
    # Django's test client reaches the view with it.
    before = count("vonage", "too_large")
    response = client.get("/webhooks/vonage/vonage?a=" + "x" * MAX_BODY_BYTES)
    assert response.status_code == 414
    assert response.json() == {"message": "The query string is longer than 64 KiB."}
    assert count("vonage", "too_large") == before + 1


@pytest.mark.parametrize(("name", "path", "method", "ctype", "source"), FORMS)
def test_too_many_form_fields_is_a_400_json_without_traceback(
    hooks, caplog, name, path, method, ctype, source
):
    base, caller = hooks
    body = "&".join(f"f{i}=1" for i in range(1500))  # 12 KB, over Django's 1,000 fields
    before = count(source, "malformed")
    with caplog.at_level(logging.INFO):
        response = caller.post(base + path, data=body, headers={"Content-Type": ctype})
    assert response.status_code == 400, response.text
    assert response.json() == {"message": "Malformed request: the form cannot be read."}
    assert count(source, "malformed") == before + 1
    assert tracebacks(caplog) == []
    assert not [r for r in caplog.records if r.name.startswith("django.security")]


def test_too_many_query_fields_is_a_400_json(hooks, caplog):
    base, caller = hooks
    query = "&".join(f"f{i}=1" for i in range(1500))
    with caplog.at_level(logging.INFO):
        response = caller.get(f"{base}/webhooks/vonage/vonage?{query}")
    assert response.status_code == 400, response.text
    assert response.json() == {"message": "Malformed request: the form cannot be read."}
    assert tracebacks(caplog) == []


@pytest.mark.parametrize("path", ["/webhooks/twilio/twilio", "/webhooks/vonage/vonage"])
@pytest.mark.parametrize(
    "ctype", ["multipart/form-data", "multipart/form-data; boundary=", "multipart/form-data; x"]
)
def test_a_broken_multipart_body_is_a_400_json(hooks, caplog, path, ctype):
    base, caller = hooks
    with caplog.at_level(logging.INFO):
        response = caller.post(
            base + path, data=b"--x\r\nnot a part", headers={"Content-Type": ctype}
        )
    assert response.status_code == 400, response.text
    assert response.json() == {"message": "Malformed request: the form cannot be read."}
    assert tracebacks(caplog) == []


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"[" * 60000, "Malformed request: the body is nested too deeply."),
        (b'{"a": "\xff\xfe"}', "Malformed request: the body is not JSON."),
        (b"", "Malformed request: the body is not JSON."),
    ],
)
def test_unreadable_json_is_a_400_for_logto_when_signed(hooks, caplog, body, message):
    base, caller = hooks
    headers = {"Content-Type": "application/json", "logto-signature-sha-256": logto_signature(body)}
    with caplog.at_level(logging.INFO):
        response = caller.post(base + "/webhooks/logto", data=body, headers=headers)
    assert (response.status_code, response.json()) == (400, {"message": message})
    assert tracebacks(caplog) == []


@pytest.mark.parametrize(
    "body", [b"[" * 60000, b"\xff\xfe{}", b"[1, 2]", b'"receipt"', b"null", b"{nope"]
)
def test_unreadable_json_receipt_is_a_400_for_vonage(hooks, caplog, body):
    base, caller = hooks
    before = count("vonage", "malformed")
    with caplog.at_level(logging.INFO):
        response = caller.post(
            base + "/webhooks/vonage/vonage",
            data=body,
            headers={"Content-Type": "application/json"},
        )
    assert response.status_code == 400, response.text
    assert response.json()["message"].startswith("Malformed request: the body ")
    assert count("vonage", "malformed") == before + 1
    assert tracebacks(caplog) == []


def test_a_method_not_allowed_is_a_405_json(hooks):
    base, caller = hooks
    response = caller.get(base + "/webhooks/logto")
    assert response.status_code == 405
    assert response.json() == {"message": "Method not allowed."}
    assert response.headers["Allow"] == "POST"
