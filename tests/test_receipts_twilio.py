"""Twilio's status callbacks, end to end: the SMS goes out through the fake Twilio
with its callback URL; Twilio's callback comes back, signed by the SDK's own helper."""

from urllib.parse import urlsplit

import pytest
from twilio.request_validator import RequestValidator

from sms_gateway.models import Message

from .conftest import TWILIO_SID, TWILIO_TOKEN
from .receipts import Caller, SignalLog, route_to, send_one

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def twilio(settings, providers, live_server):
    settings.SMS_PUBLIC_BASE_URL = live_server.url
    route_to("twilio")
    return providers[0]


@pytest.fixture
def caller():
    c = Caller()
    yield c
    c.close()


def callback_fields(message: Message, status: str, **extra) -> dict:
    """What Twilio posts (form fields of a status callback)."""
    fields = {
        "SmsSid": message.provider_message_id,
        "SmsStatus": status,
        "MessageStatus": status,
        "To": message.to,
        "MessageSid": message.provider_message_id,
        "AccountSid": TWILIO_SID,
        "From": "+15005550006",
        "ApiVersion": "2010-04-01",
    }
    fields.update(extra)
    return fields


def signed_post(caller, url, fields, token=TWILIO_TOKEN, headers=None, sign_url=None):
    signature = RequestValidator(token).compute_signature(sign_url or url, fields)
    return caller.post(
        url, data=fields, headers={"X-Twilio-Signature": signature, **(headers or {})}
    )


def test_each_sms_carries_its_callback_url_under_the_public_base_url(api, twilio, live_server):
    message = send_one(api)
    callback = twilio.received[0].form["StatusCallback"]
    assert callback == f"{live_server.url}/webhooks/twilio/twilio?ref={message.pk}"


def test_an_explicit_status_callback_option_wins(api, settings, twilio):
    settings.SMS_PROVIDERS["twilio"]["OPTIONS"]["STATUS_CALLBACK"] = "https://hooks.example.com/x"
    from sms_gateway.providers import reset_providers

    reset_providers()
    send_one(api)
    assert twilio.received[0].form["StatusCallback"] == "https://hooks.example.com/x"


def test_delivered_callback_records_status_time_and_latency(api, twilio, caller):
    message = send_one(api)
    url = twilio.received[0].form["StatusCallback"]

    with SignalLog() as signals:
        response = signed_post(caller, url, callback_fields(message, "delivered"))

    assert response.status_code == 200
    message.refresh_from_db()
    assert message.status == "sent"  # the send outcome stays what it was
    assert message.delivery_status == "delivered"
    assert message.provider_status == "delivered"
    assert message.delivered_at is not None and message.delivered_at >= message.created_at
    assert message.delivery_ms is not None and message.delivery_ms >= 0
    assert [s["status"] for s in signals] == ["delivered"]
    assert signals[0]["message_id"] == message.pk
    assert signals[0]["previous"] == ""
    assert signals[0]["event"].provider_message_id == message.provider_message_id


def test_undelivered_keeps_the_provider_error_code(api, twilio, caller):
    message = send_one(api)
    url = twilio.received[0].form["StatusCallback"]
    fields = callback_fields(message, "undelivered", ErrorCode="30003")
    assert signed_post(caller, url, fields).status_code == 200
    message.refresh_from_db()
    assert (message.delivery_status, message.provider_status) == ("undelivered", "undelivered")
    assert message.delivery_error_code == "30003"
    assert message.delivered_at is None


def test_forged_or_unsigned_callbacks_are_refused_with_403(api, twilio, caller):
    message = send_one(api)
    url = twilio.received[0].form["StatusCallback"]
    fields = callback_fields(message, "failed")

    wrong_token = signed_post(caller, url, fields, token="not-the-auth-token")
    unsigned = caller.post(url, data=fields)
    ok = callback_fields(message, "delivered")
    tampered = caller.post(
        url,
        data={**ok, "MessageStatus": "failed"},
        headers={"X-Twilio-Signature": RequestValidator(TWILIO_TOKEN).compute_signature(url, ok)},
    )
    other_message = signed_post(caller, url.split("?")[0] + "?ref=x", fields, sign_url=url)

    assert [r.status_code for r in (wrong_token, unsigned, tampered, other_message)] == [403] * 4
    assert wrong_token.json() == {"message": "Forbidden."}
    message.refresh_from_db()
    assert message.delivery_status == ""


def test_out_of_order_and_duplicate_callbacks(api, twilio, caller):
    message = send_one(api)
    url = twilio.received[0].form["StatusCallback"]

    with SignalLog() as signals:
        for status in ("queued", "delivered", "sent", "delivered", "undelivered", "sending"):
            assert signed_post(caller, url, callback_fields(message, status)).status_code == 200

    message.refresh_from_db()
    assert message.delivery_status == "delivered"  # never goes back
    assert message.provider_status == "delivered"
    assert [s["status"] for s in signals] == ["at_provider", "delivered"]  # changes only


def test_callback_before_the_send_path_wrote_the_sid_finds_the_message_by_ref(api, twilio, caller):
    message = send_one(api)
    url = twilio.received[0].form["StatusCallback"]
    sid = message.provider_message_id
    Message.objects.filter(pk=message.pk).update(provider_message_id="")  # as before finalize
    fields = callback_fields(message, "sent", MessageSid=sid, SmsSid=sid)
    assert signed_post(caller, url, fields).status_code == 200
    assert Message.objects.get(pk=message.pk).delivery_status == "at_carrier"


def test_unknown_message_is_answered_200_and_logged(twilio, caller, live_server, caplog):
    url = f"{live_server.url}/webhooks/twilio/twilio"
    fields = {
        "MessageSid": "SM" + "f" * 32,
        "MessageStatus": "delivered",
        "AccountSid": TWILIO_SID,
    }
    with caplog.at_level("WARNING", logger="sms_gateway.delivery"):
        response = signed_post(caller, url, fields)
    assert response.status_code == 200
    assert "delivery receipt for an unknown message" in caplog.text


def test_unknown_alias_or_alias_of_another_provider_is_404(twilio, caller, live_server):
    fields = {"MessageSid": "SM1", "MessageStatus": "sent"}
    for alias in ("nope", "vonage", "locmem"):
        url = f"{live_server.url}/webhooks/twilio/{alias}"
        assert signed_post(caller, url, fields).status_code == 404


def test_behind_a_proxy_the_public_url_comes_from_the_trusted_forwarded_headers(
    api, settings, twilio, caller, live_server
):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.USE_X_FORWARDED_HOST = True
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "sms.example.com"]
    settings.SMS_PUBLIC_BASE_URL = ""
    message = send_one(api)
    local = f"{live_server.url}/webhooks/twilio/twilio?ref={message.pk}"
    public = f"https://sms.example.com/webhooks/twilio/twilio?ref={message.pk}"
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "sms.example.com"}
    fields = callback_fields(message, "delivered")

    signed_for_local = signed_post(caller, local, fields, headers=forwarded)
    assert signed_for_local.status_code == 403  # Twilio signed the URL it called
    response = signed_post(caller, local, fields, headers=forwarded, sign_url=public)
    assert response.status_code == 200
    assert Message.objects.get(pk=message.pk).delivery_status == "delivered"


def test_forwarded_headers_are_not_trusted_unless_configured(api, twilio, caller, live_server):
    message = send_one(api)
    local = f"{live_server.url}/webhooks/twilio/twilio?ref={message.pk}"
    public = f"https://{urlsplit(live_server.url).netloc}/webhooks/twilio/twilio?ref={message.pk}"
    response = signed_post(
        caller, local, callback_fields(message, "delivered"),
        headers={"X-Forwarded-Proto": "https"}, sign_url=public,
    )  # fmt: skip
    assert response.status_code == 403


def test_get_is_not_allowed(twilio, caller, live_server):
    assert caller.get(f"{live_server.url}/webhooks/twilio/twilio").status_code == 405
