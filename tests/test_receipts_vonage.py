"""Vonage's delivery receipts, end to end: the SMS goes out through the fake Vonage
with its callback URL; the receipt comes back (GET, form POST or JSON POST),
signed with the SDK's own signing helper."""

import time
import uuid

import pytest
from vonage_http_client import Auth

from sms_gateway.models import Message
from sms_gateway.webhooks.base import WebhookForbidden
from sms_gateway.webhooks.vonage import check_signed_fields

from .conftest import VONAGE_KEY
from .receipts import Caller, SignalLog, route_to, send_one

pytestmark = pytest.mark.django_db(transaction=True)

SIGNATURE_SECRET = "vonage-signature-secret"


@pytest.fixture
def vonage(settings, providers, live_server):
    settings.SMS_PUBLIC_BASE_URL = live_server.url
    settings.SMS_VONAGE_SIGNATURES = {"vonage": {"SECRET": SIGNATURE_SECRET, "METHOD": "sha256"}}
    route_to("vonage")
    return providers[1]


@pytest.fixture
def caller():
    c = Caller()
    yield c
    c.close()


def receipt(message: Message, status: str, err_code: str = "0", **extra) -> dict:
    """A delivery receipt as Vonage sends it (the SMS API's DeliveryReceipt fields)."""
    fields = {
        "msisdn": message.to.lstrip("+"),
        "to": "Acme",
        "network-code": "20810",
        "messageId": message.provider_message_id,
        "price": "0.03330000",
        "status": status,
        "scts": "2611270900",
        "err-code": err_code,
        "api-key": VONAGE_KEY,
        "client-ref": str(message.pk),
        "message-timestamp": "2026-11-27 09:00:00",
        "timestamp": str(int(time.time())),
        "nonce": str(uuid.uuid4()),
    }
    fields.update(extra)
    return fields


def signed(fields: dict, secret=SIGNATURE_SECRET, method="sha256") -> dict:
    auth = Auth(api_key=VONAGE_KEY, signature_secret=secret, signature_method=method)
    return {**fields, "sig": auth.sign_params(dict(fields))}


def test_each_sms_carries_its_callback_url(api, vonage, live_server):
    send_one(api)
    assert vonage.received[0].form["callback"] == f"{live_server.url}/webhooks/vonage/vonage"


@pytest.mark.parametrize("how", ["get", "form", "json"])
def test_delivered_receipt_in_every_shape(api, vonage, caller, how):
    message = send_one(api)
    url = vonage.received[0].form["callback"]
    fields = signed(receipt(message, "delivered"))

    with SignalLog() as signals:
        if how == "get":
            response = caller.get(url, params=fields)
        elif how == "form":
            response = caller.post(url, data=fields)
        else:
            response = caller.post(url, json=fields)

    assert response.status_code == 200, response.text
    message.refresh_from_db()
    assert message.delivery_status == "delivered"
    assert message.provider_status == "delivered"
    assert message.delivery_error_code == "0"
    assert message.delivered_at is not None and message.delivery_ms is not None
    assert [s["status"] for s in signals] == ["delivered"]


def test_expired_is_undelivered_with_the_error_code_kept(api, vonage, caller):
    message = send_one(api)
    url = vonage.received[0].form["callback"]
    assert caller.post(url, data=signed(receipt(message, "expired", "5"))).status_code == 200
    message.refresh_from_db()
    assert (message.delivery_status, message.provider_status) == ("undelivered", "expired")
    assert message.delivery_error_code == "5"


def test_the_method_comes_from_the_settings(api, settings, vonage, caller):
    settings.SMS_VONAGE_SIGNATURES = {"vonage": {"SECRET": SIGNATURE_SECRET, "METHOD": "sha512"}}
    message = send_one(api)
    url = vonage.received[0].form["callback"]
    sha256 = caller.post(url, data=signed(receipt(message, "accepted")))
    sha512 = caller.post(url, data=signed(receipt(message, "accepted"), method="sha512"))
    assert (sha256.status_code, sha512.status_code) == (403, 200)


def test_forged_unsigned_and_tampered_receipts_are_refused(api, vonage, caller):
    message = send_one(api)
    url = vonage.received[0].form["callback"]
    good = signed(receipt(message, "delivered"))

    responses = [
        caller.post(url, data=signed(receipt(message, "delivered"), secret="guess")),
        caller.post(url, data=receipt(message, "delivered")),  # unsigned
        caller.post(url, data={**good, "status": "failed"}),  # tampered
        caller.post(url, data={**good, "client-ref": str(uuid.uuid4())}),
    ]
    not_json = caller.post(url, data=b"{not json", headers={"Content-Type": "application/json"})
    assert [r.status_code for r in responses] == [403] * 4
    assert not_json.status_code == 400  # not readable, let alone signed
    assert not_json.json() == {"message": "Malformed request: the body is not JSON."}
    message.refresh_from_db()
    assert message.delivery_status == ""


def test_replays_outside_the_window_are_refused(api, settings, vonage, caller):
    settings.SMS_WEBHOOK_MAX_AGE = 300
    message = send_one(api)
    url = vonage.received[0].form["callback"]
    old = signed(receipt(message, "delivered", timestamp=str(int(time.time()) - 301)))
    future = signed(receipt(message, "delivered", timestamp=str(int(time.time()) + 301)))
    no_timestamp = receipt(message, "delivered")
    del no_timestamp["timestamp"]
    no_timestamp = signed(no_timestamp)  # the SDK signs as of "now" when none is given
    assert "timestamp" not in no_timestamp

    for fields in (old, future, no_timestamp):
        assert caller.post(url, data=fields).status_code == 403
    assert Message.objects.get(pk=message.pk).delivery_status == ""


def test_a_replay_inside_the_window_changes_nothing(api, vonage, caller):
    message = send_one(api)
    url = vonage.received[0].form["callback"]
    delivered = signed(receipt(message, "delivered"))
    with SignalLog() as signals:
        assert caller.post(url, data=delivered).status_code == 200
        assert caller.post(url, data=delivered).status_code == 200
    assert len(signals) == 1


def test_out_of_order_receipts_never_undo_delivered(api, vonage, caller):
    message = send_one(api)
    url = vonage.received[0].form["callback"]
    for status in ("delivered", "buffered", "accepted", "failed", "unknown"):
        assert caller.post(url, data=signed(receipt(message, status))).status_code == 200
    message.refresh_from_db()
    assert message.delivery_status == "delivered"


def test_a_late_success_after_a_failure_counts(api, vonage, caller):
    message = send_one(api)
    url = vonage.received[0].form["callback"]
    for status in ("accepted", "failed", "delivered"):
        caller.post(url, data=signed(receipt(message, status)))
    assert Message.objects.get(pk=message.pk).delivery_status == "delivered"


def test_receipt_without_client_ref_is_found_by_message_id(api, vonage, caller):
    message = send_one(api)
    url = vonage.received[0].form["callback"]
    fields = receipt(message, "delivered")
    del fields["client-ref"]
    assert caller.post(url, data=signed(fields)).status_code == 200
    assert Message.objects.get(pk=message.pk).delivery_status == "delivered"


def test_unknown_message_is_answered_200_and_logged(vonage, caller, live_server, caplog):
    url = f"{live_server.url}/webhooks/vonage/vonage"
    fields = {
        "messageId": "0A0000001234567B",
        "status": "delivered",
        "client-ref": "not-ours",
        "timestamp": str(int(time.time())),
    }
    with caplog.at_level("WARNING", logger="sms_gateway.delivery"):
        assert caller.post(url, data=signed(fields)).status_code == 200
    assert "delivery receipt for an unknown message" in caplog.text


def test_an_alias_without_a_signature_secret_refuses_everything(api, settings, vonage, caller):
    settings.SMS_VONAGE_SIGNATURES = {}
    message = send_one(api)
    url = vonage.received[0].form["callback"]
    assert caller.post(url, data=signed(receipt(message, "delivered"))).status_code == 403


def test_each_alias_validates_with_its_own_secret(api, settings, vonage, caller, live_server):
    settings.SMS_PROVIDERS["vonage-eu"] = settings.SMS_PROVIDERS["vonage"]
    settings.SMS_VONAGE_SIGNATURES = {
        "vonage": {"SECRET": SIGNATURE_SECRET},
        "vonage-eu": {"SECRET": "eu-secret"},
    }
    message = send_one(api)
    eu = f"{live_server.url}/webhooks/vonage/vonage-eu"
    assert caller.post(eu, data=signed(receipt(message, "delivered"))).status_code == 403
    ok = caller.post(eu, data=signed(receipt(message, "delivered"), secret="eu-secret"))
    assert ok.status_code == 200


# --- what is refused before the SDK sees it (pure) -----------------------------------

NOW, LONG_AGO = "<now>", "<now - 10,000 s>"  # filled in by the test, at its own time


@pytest.mark.parametrize(
    ("change", "refused"),
    [
        ({}, False),
        ({"timestamp": NOW}, False),  # an integer in JSON (now, when the test runs)
        ({"sig": "A" * 64}, False),  # the SDK lowers it
        ({"sig": "a" * 128}, False),  # sha512
        ({"sig": None}, True),
        ({"sig": ""}, True),
        ({"sig": 123}, True),
        ({"sig": ["a" * 64]}, True),
        ({"sig": {"a": 1}}, True),
        ({"sig": "é" * 64}, True),
        ({"sig": "g" * 64}, True),
        ({"sig": "a" * 31}, True),
        ({"timestamp": None}, True),
        ({"timestamp": True}, True),
        ({"timestamp": 1.0e9}, True),
        ({"timestamp": float("inf")}, True),
        ({"timestamp": 10**400}, True),
        ({"timestamp": -1}, True),
        ({"timestamp": "١٧٦٤٥٠٠٠٠٠"}, True),  # Arabic-Indic digits: int() takes them
        ({"timestamp": " 1764500000"}, True),
        ({"timestamp": LONG_AGO}, True),  # outside the window
        ({"status": None}, True),
        ({"status": ["delivered"]}, True),
        ({"status": "deliv\x00ered"}, True),
        ({"status": "\ud800"}, True),
        ({"\ud800": "x"}, True),
        ({"k\x00": "x"}, True),
        ({"status": "délivré"}, False),  # signable: only the signature decides
        ({"err-code": 0}, False),
    ],
)
def test_check_signed_fields(settings, change, refused):
    settings.SMS_WEBHOOK_MAX_AGE = 300
    now = int(time.time())  # read when the test runs, not when the suite was collected
    params = {"sig": "a" * 64, "timestamp": str(now), "status": "delivered"}
    timestamps = {NOW: now, LONG_AGO: str(now - 10_000)}
    params.update({k: timestamps.get(v, v) if isinstance(v, str) else v for k, v in change.items()})
    if refused:
        with pytest.raises(WebhookForbidden):
            check_signed_fields(params)
    else:
        check_signed_fields(params)
