"""The real twilio SDK against a fake Twilio on 127.0.0.1."""

import time

import pytest

from sms_gateway.core.errors import Category, ProviderError
from sms_gateway.providers.base import OutgoingSMS
from sms_gateway.providers.twilio import TwilioProvider, error_category

from .conftest import TWILIO_SID, TWILIO_TOKEN, twilio_config


def make(fake, **options) -> TwilioProvider:
    return TwilioProvider("twilio", **twilio_config(fake, **options)["OPTIONS"])


def sms(text="Your code is 123456", sender="", to="+33612345678") -> OutgoingSMS:
    return OutgoingSMS(
        to=to, text=text, masked_text="x", sender=sender, reference="ref123", unicode=False
    )


def test_sends_form_post_with_basic_auth(twilio_fake):
    provider = make(twilio_fake, STATUS_CALLBACK="https://sms.example.com/hooks/twilio")
    result = provider.send(sms(), timeout=5)

    [request] = twilio_fake.received
    assert request.path == f"/2010-04-01/Accounts/{TWILIO_SID}/Messages.json"
    assert request.basic_auth == (TWILIO_SID, TWILIO_TOKEN)
    assert request.headers["content-type"] == "application/x-www-form-urlencoded"
    assert request.headers["host"] == "api.twilio.com"
    assert request.form == {
        "To": "+33612345678",
        "Body": "Your code is 123456",
        "From": "+15005550006",
        "StatusCallback": "https://sms.example.com/hooks/twilio",
    }
    assert result.provider_message_id.startswith("SM")
    assert result.status == "queued"


def test_route_sender_overrides_default_and_messaging_service_sid_is_recognized(twilio_fake):
    provider = make(twilio_fake)
    provider.send(sms(sender="AcmeID"), timeout=5)
    service = "MG" + "a" * 32
    provider.send(sms(sender=service), timeout=5)

    first, second = twilio_fake.received
    assert first.form["From"] == "AcmeID"
    assert second.form["MessagingServiceSid"] == service
    assert "From" not in second.form


def test_messaging_service_sid_as_default_sender(twilio_fake):
    service = "MG" + "b" * 32
    provider = make(twilio_fake, FROM="", MESSAGING_SERVICE_SID=service)
    provider.send(sms(), timeout=5)
    assert twilio_fake.received[0].form["MessagingServiceSid"] == service


def test_no_sender_at_all_is_a_config_error(twilio_fake):
    provider = make(twilio_fake, FROM="")
    with pytest.raises(ProviderError) as err:
        provider.send(sms(), timeout=5)
    assert err.value.category == Category.PROVIDER_CONFIG
    assert twilio_fake.received == []


def test_eu_region_and_edge_choose_the_host(twilio_fake):
    make(twilio_fake, REGION="ie1", EDGE="dublin").send(sms(), timeout=5)
    assert twilio_fake.received[0].headers["host"] == "api.dublin.ie1.twilio.com"


def test_unicode_text_is_sent_as_is(twilio_fake):
    make(twilio_fake).send(sms(text="Votre code : 123456 — ça marche"), timeout=5)
    assert twilio_fake.received[0].form["Body"] == "Votre code : 123456 — ça marche"


@pytest.mark.parametrize(
    ("action", "category", "code"),
    [
        (
            ("error", 400, 21211, "The 'To' number is not a valid phone number."),
            Category.RECIPIENT,
            "21211",
        ),
        (
            ("error", 400, 21610, "Attempt to send to unsubscribed recipient"),
            Category.RECIPIENT,
            "21610",
        ),
        (
            ("error", 400, 21408, "Permission to send an SMS has not been enabled for the region"),
            Category.PROVIDER_CONFIG,
            "21408",
        ),
        (("error", 401, 20003, "Authenticate"), Category.PROVIDER_CONFIG, "20003"),
        (
            ("error", 400, 21617, "The concatenated message body exceeds the 1600 character limit"),
            Category.REJECTED,
            "21617",
        ),
        (("status", 429), Category.RATE_LIMITED, "20429"),
        (("status", 500), Category.UNAVAILABLE, "20500"),
        (("status", 503), Category.UNAVAILABLE, "20500"),
    ],
)
def test_api_errors_are_translated(twilio_fake, action, category, code):
    twilio_fake.will(action)
    with pytest.raises(ProviderError) as err:
        make(twilio_fake).send(sms(), timeout=5)
    assert (err.value.provider, err.value.category, err.value.code) == ("twilio", category, code)
    assert len(twilio_fake.received) == 1


def test_wrong_credentials_are_a_config_error(twilio_fake):
    provider = TwilioProvider(
        "twilio",
        ACCOUNT_SID=TWILIO_SID,
        AUTH_TOKEN="wrong",
        FROM="+1",
        API_BASE_URL=twilio_fake.url,
    )
    with pytest.raises(ProviderError) as err:
        provider.send(sms(), timeout=5)
    assert err.value.category == Category.PROVIDER_CONFIG
    assert "wrong" not in str(err.value)


def test_non_json_answer_is_unavailable(twilio_fake):
    twilio_fake.will("non_json")
    with pytest.raises(ProviderError) as err:
        make(twilio_fake).send(sms(), timeout=5)
    assert err.value.category == Category.UNAVAILABLE
    assert err.value.message == "unreadable answer"


def test_dropped_connection_sends_exactly_one_post(twilio_fake):
    twilio_fake.will("drop")
    with pytest.raises(ProviderError) as err:
        make(twilio_fake).send(sms(), timeout=5)
    assert err.value.category == Category.UNAVAILABLE
    time.sleep(0.2)  # a retry, if any, would have arrived by now
    assert len(twilio_fake.received) == 1


def test_timeout_is_honoured(twilio_fake):
    twilio_fake.will(("slow", 10))
    started = time.monotonic()
    with pytest.raises(ProviderError) as err:
        make(twilio_fake).send(sms(), timeout=0.5)
    assert err.value.message == "timed out"
    assert time.monotonic() - started < 5  # not the 10 s the fake waits


def test_connection_refused_is_unavailable(twilio_fake):
    twilio_fake.stop()
    with pytest.raises(ProviderError) as err:
        make(twilio_fake).send(sms(), timeout=2)
    assert err.value.category == Category.UNAVAILABLE


@pytest.mark.parametrize(
    ("status", "code", "category"),
    [
        (400, 21211, Category.RECIPIENT),
        (400, 21614, Category.RECIPIENT),
        (400, 21212, Category.PROVIDER_CONFIG),
        (403, None, Category.PROVIDER_CONFIG),
        (429, None, Category.RATE_LIMITED),
        (400, 20429, Category.RATE_LIMITED),
        (502, None, Category.UNAVAILABLE),
        (400, 99999, Category.REJECTED),
        (404, None, Category.REJECTED),
    ],
)
def test_error_category_table(status, code, category):
    assert error_category(status, code) == category


def test_missing_credentials_name_the_setting():
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(
        ImproperlyConfigured, match=r"SMS_PROVIDERS\['eu'\]\['OPTIONS'\] must set AUTH_TOKEN"
    ):
        TwilioProvider("eu", ACCOUNT_SID=TWILIO_SID)
