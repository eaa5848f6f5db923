"""Conversion: Logto's webhook after the sign-in marks the code as used; the rate
per country, prefix and provider that the fraud guard reads."""

import hashlib
import hmac
import json
from datetime import timedelta

import pytest
from django.utils import timezone

from sms_gateway.delivery.conversion import conversion_rate
from sms_gateway.models import Message
from sms_gateway.webhooks.base import WebhookInvalid
from sms_gateway.webhooks.logto import event_time, primary_phone

from .receipts import Caller, route_to, send_one

pytestmark = pytest.mark.django_db(transaction=True)

KEY = "logto-signing-key-1"


@pytest.fixture
def logto(settings, live_server):
    settings.SMS_LOGTO_WEBHOOK_KEYS = [KEY]
    caller = Caller()
    url = f"{live_server.url}/webhooks/logto"

    def post(body, key=KEY, signature=None):
        raw = json.dumps(body).encode() if not isinstance(body, bytes) else body
        if signature is None:
            signature = hmac.new(key.encode(), raw, hashlib.sha256).hexdigest()
        return caller.post(
            url,
            data=raw,
            headers={"Content-Type": "application/json", "logto-signature-sha-256": signature},
        )

    yield post
    caller.close()


def event(name="PostSignIn", phone="33612345678", created_at=None):
    """Logto's interaction hook payload (hookId, event, createdAt, user, ...)."""
    return {
        "hookId": "9x2b6bj8tn3dc6mpkzjk3",
        "event": name,
        "createdAt": (created_at or timezone.now()).isoformat().replace("+00:00", "Z"),
        "interactionEvent": "SignIn",
        "sessionId": "CvzMMN3m0o3ijcFDmsRlq",
        "userAgent": "Mozilla/5.0",
        "userIp": "203.0.113.7",
        "userId": "uf3h0m7zd2n3",
        "user": {
            "id": "uf3h0m7zd2n3",
            "username": None,
            "primaryEmail": None,
            "primaryPhone": phone,
            "name": None,
            "avatar": None,
            "customData": {},
            "identities": {},
            "lastSignInAt": 1764460800000,
            "createdAt": 1764460000000,
            "applicationId": "a8yqdu4ahadg5b",
            "isSuspended": False,
        },
        "application": {"id": "a8yqdu4ahadg5b", "type": "SPA", "name": "Acme"},
    }


@pytest.mark.parametrize("name", ["PostSignIn", "PostRegister", "PostResetPassword"])
def test_sign_in_after_the_code_converts_it(api, logto, name):
    route_to("locmem")
    message = send_one(api)
    assert logto(event(name)).status_code == 200
    message.refresh_from_db()
    assert message.converted_at is not None


def test_only_the_latest_code_converts_once(api, logto):
    route_to("locmem")
    first, second = send_one(api), send_one(api)
    assert logto(event()).status_code == 200
    assert logto(event()).status_code == 200  # Logto retrying
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.converted_at is None and second.converted_at is not None


def test_a_sign_in_after_the_validity_does_not_convert(api, logto, settings):
    settings.SMS_CODE_VALIDITY_MINUTES = 10
    route_to("locmem")
    message = send_one(api)
    Message.objects.filter(pk=message.pk).update(created_at=timezone.now() - timedelta(seconds=601))
    assert logto(event()).status_code == 200
    assert Message.objects.get(pk=message.pk).converted_at is None


def test_other_numbers_events_and_phoneless_users_are_ignored(api, logto):
    route_to("locmem")
    message = send_one(api)
    assert logto(event(phone="33699999999")).status_code == 200
    assert logto(event(name="PostSignOut")).status_code == 200
    assert logto(event(phone=None)).status_code == 200
    assert Message.objects.get(pk=message.pk).converted_at is None


def test_forged_signatures_are_refused(api, logto):
    route_to("locmem")
    message = send_one(api)
    body = event()
    assert logto(body, key="not-the-key").status_code == 403
    assert logto(body, signature="").status_code == 403
    raw = json.dumps(body).encode()
    good = hmac.new(KEY.encode(), raw, hashlib.sha256).hexdigest()
    tampered = json.dumps({**body, "event": "PostRegister"}).encode()
    assert logto(tampered, signature=good).status_code == 403
    assert Message.objects.get(pk=message.pk).converted_at is None


def test_signature_is_over_the_raw_body(api, logto):
    route_to("locmem")
    message = send_one(api)
    raw = json.dumps(event(), indent=4).encode()  # not the bytes a re-serialization gives
    assert logto(raw).status_code == 200
    assert Message.objects.get(pk=message.pk).converted_at is not None


def test_without_a_signing_key_everything_is_refused(api, logto, settings):
    settings.SMS_LOGTO_WEBHOOK_KEYS = []
    assert logto(event()).status_code == 403


def test_not_json_is_400(logto):
    assert logto(b"{nope").status_code == 400


# --- the rate the fraud guard reads ----------------------------------------------


def make(to, provider="twilio", converted=False, age=timedelta(hours=1), **fields):
    import phonenumbers

    country = phonenumbers.region_code_for_number(phonenumbers.parse(to)) or ""
    m = Message.objects.create(
        to=to, country=country, type="SignIn", provider=provider, status="sent", **fields
    )
    created = timezone.now() - age
    Message.objects.filter(pk=m.pk).update(
        created_at=created, converted_at=created + timedelta(seconds=30) if converted else None
    )
    return m


def test_conversion_rate_per_country_prefix_and_provider():
    make("+33612345678", converted=True)
    make("+33612345679", converted=True)
    make("+33712345678")
    make("+33612345670", provider="vonage")
    make("+447911123456", converted=True)
    make("+447911123457", provider="vonage")

    fr = conversion_rate(country="FR")
    assert (fr.sent, fr.converted, fr.rate) == (4, 2, 0.5)
    assert conversion_rate(prefix="336").sent == 3
    assert conversion_rate(prefix="+337").rate == 0.0
    assert conversion_rate(prefix="44", provider="vonage").rate == 0.0
    assert conversion_rate(provider="twilio").rate == 0.75
    assert conversion_rate(country="DE").rate is None  # no evidence either way


def test_conversion_rate_leaves_out_codes_that_may_still_be_used_and_old_ones():
    make("+33612345678", age=timedelta(minutes=5))  # within the validity: may still be used
    make("+33612345679", age=timedelta(hours=30))  # outside the window
    make("+33612345670", converted=True)
    assert conversion_rate(country="FR", window=timedelta(hours=24)).sent == 1
    assert conversion_rate(country="FR", window=timedelta(hours=48)).sent == 2


def test_conversion_rate_counts_only_code_sms_a_provider_took():
    for status in ("rejected", "failed", "accepted"):
        m = make("+33612345678")
        Message.objects.filter(pk=m.pk).update(status=status)
    invitation = make("+33612345670")
    Message.objects.filter(pk=invitation.pk).update(type="OrganizationInvitation")
    assert conversion_rate(country="FR").sent == 0


# --- Logto's payload types, checked strictly ---------------------------------------


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"user": {"primaryPhone": ["33612345678"]}}, "user.primaryPhone must be a string"),
        ({"user": {"primaryPhone": 33612345678}}, "user.primaryPhone must be a string"),
        ({"user": {"primaryPhone": {"n": "33612345678"}}}, "user.primaryPhone must be a string"),
        (
            {"user": {"primaryPhone": "+33 6 12 34 56 78"}},
            "user.primaryPhone must be 1 to 15 digits",
        ),
        ({"user": {"primaryPhone": "٣٣٦١٢٣٤٥٦٧٨"}}, "user.primaryPhone must be 1 to 15 digits"),
        ({"user": {"primaryPhone": "3" * 16}}, "user.primaryPhone must be 1 to 15 digits"),
        ({"user": "33612345678"}, "user must be an object"),
        ({"user": ["33612345678"]}, "user must be an object"),
        ({"event": ["PostSignIn"]}, "event must be a string"),
        ({"event": {"PostSignIn": 1}}, "event must be a string"),
        ({"event": None}, "event must be a string"),
        ({"createdAt": 1764460800000}, "createdAt must be a string"),
        ({"createdAt": "yesterday"}, "createdAt must be an ISO 8601 time"),
    ],
)
def test_a_payload_of_other_types_is_a_400_and_converts_nothing(
    api, logto, caplog, change, message
):
    route_to("locmem")
    sent = send_one(api)
    body = event()
    for key, value in change.items():
        if key == "user":
            body["user"] = {**body["user"], **value} if isinstance(value, dict) else value
        else:
            body[key] = value

    with caplog.at_level("INFO"):
        response = logto(body)

    assert response.status_code == 400, response.text
    assert response.json() == {"message": f"Invalid request: {message}."}
    assert Message.objects.get(pk=sent.pk).converted_at is None
    assert not [r for r in caplog.records if r.exc_info or r.levelno >= 40]


@pytest.mark.parametrize(
    "change",
    [{"user": None}, {"user": {"primaryPhone": None}}, {"user": {"primaryPhone": ""}}],
)
def test_a_user_without_a_phone_is_ignored(api, logto, change):
    route_to("locmem")
    sent = send_one(api)
    body = event()
    body["user"] = None if change["user"] is None else {**body["user"], **change["user"]}
    assert logto(body).status_code == 200
    assert Message.objects.get(pk=sent.pk).converted_at is None


def test_a_phone_with_a_plus_and_a_missing_created_at_still_convert(api, logto):
    route_to("locmem")
    sent = send_one(api)
    body = event(phone="+33612345678")
    del body["createdAt"]
    assert logto(body).status_code == 200
    assert Message.objects.get(pk=sent.pk).converted_at is not None


@pytest.mark.parametrize(
    ("user", "expected"),
    [
        (None, ""),
        ({}, ""),
        ({"primaryPhone": None}, ""),
        ({"primaryPhone": ""}, ""),
        ({"primaryPhone": "33612345678"}, "+33612345678"),
        ({"primaryPhone": "+33612345678"}, "+33612345678"),
        ({"primaryPhone": "1" * 15}, "+" + "1" * 15),
        ({"primaryPhone": "1" * 16}, WebhookInvalid),
        ({"primaryPhone": "++33612345678"}, WebhookInvalid),
        ({"primaryPhone": "33 612"}, WebhookInvalid),
        ({"primaryPhone": "３３６"}, WebhookInvalid),  # fullwidth digits
        ({"primaryPhone": "33612345678\n"}, WebhookInvalid),
        ({"primaryPhone": 33612345678}, WebhookInvalid),
        ({"primaryPhone": True}, WebhookInvalid),
        ({"primaryPhone": ["33612345678"]}, WebhookInvalid),
        ("33612345678", WebhookInvalid),
        ([{"primaryPhone": "33612345678"}], WebhookInvalid),
        (0, WebhookInvalid),
    ],
)
def test_primary_phone(user, expected):
    if expected is WebhookInvalid:
        with pytest.raises(WebhookInvalid):
            primary_phone(user)
    else:
        assert primary_phone(user) == expected


def test_event_time():
    now = timezone.now()
    recent = now - timedelta(minutes=3)
    assert abs(event_time(recent.isoformat()) - recent) < timedelta(seconds=1)
    assert abs(event_time(recent.isoformat().replace("+00:00", "Z")) - recent) < timedelta(
        seconds=1
    )
    assert abs(event_time(None) - now) < timedelta(seconds=5)  # absent: now
    long_ago = (now - timedelta(days=3)).isoformat()
    assert abs(event_time(long_ago) - now) < timedelta(seconds=5)  # implausible: now
    for bad in (1764460800000, 1.5, True, [], {}, "", "yesterday", "2026-13-01T00:00:00Z"):
        with pytest.raises(WebhookInvalid):
            event_time(bad)
