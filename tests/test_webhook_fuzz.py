"""No webhook answers 5xx or logs a traceback, whatever it is sent: every field checked
for a signature (and every field read) gets values of every JSON type, non-ASCII and
unencodable strings, over real HTTP. A malformed signature or timestamp is a 4xx
before any SDK call."""

import hashlib
import hmac
import json
import logging
import time
import uuid
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from twilio.request_validator import RequestValidator

from .conftest import TWILIO_TOKEN
from .receipts import Caller, route_to, send_one
from .test_conversion import event
from .test_receipts_twilio import callback_fields
from .test_receipts_vonage import SIGNATURE_SECRET, receipt, signed

pytestmark = pytest.mark.django_db(transaction=True)

LOGTO_KEY = "logto-signing-key-1"
FUZZ = settings(
    max_examples=120,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Strings of any code point, lone surrogates included (JSON can carry them, escaped).
ANY_TEXT = st.text(st.characters(exclude_categories=()), max_size=40)
HEX = st.text("0123456789abcdefABCDEF", min_size=1, max_size=130)
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**20), max_value=10**20)
    | st.sampled_from([10**400, -(10**400), 2**63, int(time.time())])
    | st.floats(allow_nan=True, allow_infinity=True)
    | ANY_TEXT
    | HEX
    | st.just(str(int(time.time())))
)
JSON_VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(ANY_TEXT, inner, max_size=3),
    max_leaves=6,
)
# What a form or a query string can carry (no lone surrogates: not encodable in UTF-8).
FORM_TEXT = (
    st.text(max_size=40)
    | HEX
    | st.just(str(int(time.time())))
    | st.sampled_from(["\x00", "SM\x00", "é" * 64, "١٧٦٤", "x" * 3000])
)
# What an HTTP header can carry (latin-1, no line breaks, no leading space).
HEADER_TEXT = st.text(
    st.characters(min_codepoint=0x21, max_codepoint=0xFF, exclude_characters="\x85\xa0"),
    max_size=80,
)


def assert_answered_cleanly(response, caplog, allowed=(200, 400, 403)) -> None:
    assert response.status_code in allowed, response.text[:300]
    if response.status_code != 200:
        assert response.headers["Content-Type"] == "application/json"
        assert len(response.text) < 300
        assert "Traceback" not in response.text
    bad = [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]
    assert bad == [], [r.getMessage() for r in bad]


@pytest.fixture
def hooks(settings, providers, live_server):
    settings.SMS_PUBLIC_BASE_URL = live_server.url
    settings.SMS_LOGTO_WEBHOOK_KEYS = [LOGTO_KEY]
    settings.SMS_VONAGE_SIGNATURES = {"vonage": {"SECRET": SIGNATURE_SECRET, "METHOD": "sha256"}}
    caller = Caller()
    yield live_server.url, caller
    caller.close()


def post_json(caller, url: str, value, headers: dict | None = None):
    """JSON as Python writes it: NaN and Infinity included (requests' json= refuses them)."""
    headers = {"Content-Type": "application/json", **(headers or {})}
    return caller.post(url, data=json.dumps(value).encode(), headers=headers)


def try_signed(fields: dict) -> dict:
    """Signed by the SDK's helper when it can sign these values at all."""
    try:
        return signed(fields)
    except Exception:  # noqa: BLE001 - the SDK cannot encode some values: leave it unsigned
        return fields


# --- Vonage --------------------------------------------------------------------------

VONAGE_FIELDS = ["sig", "timestamp", "nonce", "status", "messageId", "client-ref", "err-code"]


def test_the_issue_cases_are_403_before_the_sdk(api, hooks, caplog):
    base, caller = hooks
    url = f"{base}/webhooks/vonage/vonage"
    now = int(time.time())
    cases = [
        {"json": {"sig": 123, "timestamp": now}},
        {"json": {"sig": None, "timestamp": now}},
        {"json": {"sig": ["a" * 64], "timestamp": now}},
        {"json": {"sig": "a" * 64, "timestamp": 1e400}},  # Infinity
        {"json": {"sig": "a" * 64, "timestamp": 10**400}},
        {"json": {"sig": "a" * 64, "timestamp": str(now), "status": "\ud800"}},
        {"json": {"sig": "a" * 64, "timestamp": str(now), "\ud800": "x"}},
        {"data": {"sig": "é" * 64, "timestamp": str(now)}},
        {"data": {"sig": "a" * 64, "timestamp": "١٧٦٤٥٠٠٠٠٠"}},  # non-ASCII digits
    ]
    for case in cases:
        caplog.clear()
        if "json" in case:
            response = post_json(caller, url, case["json"])
        else:
            response = caller.post(url, data=case["data"])
        assert response.status_code == 403, (case, response.text)
        assert response.json() == {"message": "Forbidden."}
        assert_answered_cleanly(response, caplog)


@FUZZ
@given(field=st.sampled_from(VONAGE_FIELDS) | ANY_TEXT, value=JSON_VALUES, resign=st.booleans())
def test_vonage_json_receipts_with_any_value(hooks, caplog, vonage_message, field, value, resign):
    base, caller = hooks
    if resign and field != "sig":
        fields = try_signed({**receipt(vonage_message, "delivered"), field: value})
    else:
        fields = {**signed(receipt(vonage_message, "delivered")), field: value}
    caplog.clear()
    with caplog.at_level(logging.INFO):
        response = post_json(caller, f"{base}/webhooks/vonage/vonage", fields)
    assert_answered_cleanly(response, caplog)


@FUZZ
@given(
    field=st.sampled_from(VONAGE_FIELDS),
    value=FORM_TEXT,
    resign=st.booleans(),
    how=st.sampled_from(["get", "form"]),
)
def test_vonage_form_and_query_receipts_with_any_text(
    hooks, caplog, vonage_message, field, value, resign, how
):
    base, caller = hooks
    if resign and field != "sig":
        fields = try_signed({**receipt(vonage_message, "delivered"), field: value})
    else:
        fields = {**signed(receipt(vonage_message, "delivered")), field: value}
    url = f"{base}/webhooks/vonage/vonage"
    caplog.clear()
    with caplog.at_level(logging.INFO):
        get = how == "get"
        response = caller.get(url, params=fields) if get else caller.post(url, data=fields)
    assert_answered_cleanly(response, caplog)


@pytest.fixture
def vonage_message(api, hooks):
    route_to("vonage")
    return send_one(api)


# --- Twilio --------------------------------------------------------------------------


@pytest.fixture
def twilio_message(api, hooks, providers):
    route_to("twilio")
    message = send_one(api)
    return message, providers[0].received[-1].form["StatusCallback"]


@FUZZ
@given(
    signature=HEADER_TEXT,
    settings_header=st.none() | HEADER_TEXT,
    body=st.none() | JSON_VALUES,
)
def test_twilio_signature_headers_and_bodies_of_any_kind(
    hooks, caplog, twilio_message, signature, settings_header, body
):
    _, caller = hooks
    message, url = twilio_message
    headers = {"X-Twilio-Signature": signature}
    if settings_header is not None:
        headers["X-Twilio-Webhooks-Signature-Settings"] = settings_header
    caplog.clear()
    with caplog.at_level(logging.INFO):
        if body is None:
            response = caller.post(url, data=callback_fields(message, "failed"), headers=headers)
        else:
            response = post_json(caller, url, body, headers)
    assert_answered_cleanly(response, caplog, allowed=(400, 403))


@FUZZ
@given(
    field=st.sampled_from(["MessageSid", "SmsSid", "MessageStatus", "ErrorCode", "AccountSid"]),
    value=FORM_TEXT,
    ref=st.none() | FORM_TEXT,
)
def test_twilio_signed_callbacks_with_any_text(hooks, caplog, twilio_message, field, value, ref):
    base, caller = hooks
    message, url = twilio_message
    if ref is not None:
        url = f"{base}/webhooks/twilio/twilio?" + urlencode({"ref": ref})
    fields = {**callback_fields(message, "delivered"), field: value}
    signature = RequestValidator(TWILIO_TOKEN).compute_signature(url, fields)
    caplog.clear()
    with caplog.at_level(logging.INFO):
        response = caller.post(url, data=fields, headers={"X-Twilio-Signature": signature})
    assert_answered_cleanly(response, caplog)


@pytest.mark.parametrize(
    ("field", "value", "ref"),
    [
        ("ErrorCode", "\x00", True),
        ("MessageStatus", "deliv\x00ered", True),
        ("MessageSid", "SM\x00", False),  # looked up by the provider's id
    ],
)
def test_a_nul_in_a_signed_callback_is_a_400_before_any_query(
    hooks, caplog, twilio_message, field, value, ref
):
    base, caller = hooks
    message, url = twilio_message
    url = url if ref else f"{base}/webhooks/twilio/twilio"
    fields = {**callback_fields(message, "delivered"), field: value}
    signature = RequestValidator(TWILIO_TOKEN).compute_signature(url, fields)
    caplog.clear()
    response = caller.post(url, data=fields, headers={"X-Twilio-Signature": signature})
    assert_answered_cleanly(response, caplog, allowed=(400,))


# --- Logto ---------------------------------------------------------------------------


def logto_post(caller, base, body: bytes, signature: str):
    return caller.post(
        f"{base}/webhooks/logto",
        data=body,
        headers={"Content-Type": "application/json", "logto-signature-sha-256": signature},
    )


@FUZZ
@given(
    field=st.sampled_from(["event", "createdAt", "user", "user.primaryPhone", "body"]),
    value=JSON_VALUES,
)
def test_logto_signed_events_with_any_value(hooks, caplog, field, value):
    base, caller = hooks
    body = event()
    if field == "body":
        body = value
    elif field == "user.primaryPhone":
        body["user"]["primaryPhone"] = value
    else:
        body[field] = value
    raw = json.dumps(body).encode()
    signature = hmac.new(LOGTO_KEY.encode(), raw, hashlib.sha256).hexdigest()
    caplog.clear()
    with caplog.at_level(logging.INFO):
        response = logto_post(caller, base, raw, signature)
    assert_answered_cleanly(response, caplog, allowed=(200, 400))


@FUZZ
@given(signature=HEADER_TEXT)
def test_logto_signature_header_of_any_text(hooks, caplog, signature):
    base, caller = hooks
    caplog.clear()
    with caplog.at_level(logging.INFO):
        response = logto_post(caller, base, json.dumps(event()).encode(), signature)
    assert_answered_cleanly(response, caplog, allowed=(403,))


def test_a_nul_in_a_signed_receipt_is_refused_before_any_query(hooks, caplog):
    # PostgreSQL refuses a NUL in a query's string: it must not get that far.
    base, caller = hooks
    fields = signed({
        "messageId": "\x00" + "x" * 200, "status": "delivered",
        "client-ref": str(uuid.uuid4()) + "\x00", "timestamp": str(int(time.time())),
    })  # fmt: skip
    caplog.clear()
    response = caller.post(f"{base}/webhooks/vonage/vonage", data=fields)
    assert_answered_cleanly(response, caplog, allowed=(403,))
