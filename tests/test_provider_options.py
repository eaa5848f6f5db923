"""Provider options are checked once, at startup; a sender goes out in the form each
provider wants; each provider status is the recipient's or ours, as documented."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from sms_gateway import checks
from sms_gateway.core.errors import Category, ProviderError
from sms_gateway.providers.base import OutgoingSMS
from sms_gateway.providers.twilio import TwilioProvider, error_category
from sms_gateway.providers.vonage import VonageProvider, status_category

from .conftest import TWILIO_SID, VONAGE_KEY, VONAGE_SECRET

VALID_MOBILE = "+447911123456"  # in an allocated UK mobile range
UNALLOCATED = "+447700900123"  # Ofcom's drama range: possible, never valid


def vonage(**options) -> VonageProvider:
    return VonageProvider("vonage", API_KEY=VONAGE_KEY, API_SECRET=VONAGE_SECRET, **options)


def twilio(**options) -> TwilioProvider:
    options.setdefault("ACCOUNT_SID", TWILIO_SID)
    return TwilioProvider("twilio", AUTH_TOKEN="token", **options)


@pytest.mark.parametrize(
    ("options", "error"),
    [
        ({"CALLBACK": "https://sms.example.com/" + "x" * 80}, "CALLBACK is 104 characters"),
        ({"CALLBACK": "http://sms.example.com/dlr"}, "CALLBACK must be an https:// URL"),
        ({"FROM": "AcmeCorporation"}, "at most 11 characters at Vonage (15 given)"),
        ({"FROM": "+1555-123"}, "digits only after its '+'"),
        ({"REST_HOST": "https://rest.nexmo.com/"}, "REST_HOST is host[:port] only"),
    ],
)
def test_vonage_options_are_refused_at_startup(options, error):
    with pytest.raises(ImproperlyConfigured, match="SMS_PROVIDERS\\['vonage'\\]") as err:
        vonage(**options)
    assert error in str(err.value)


def test_vonage_receipt_url_longer_than_vonage_takes_is_a_config_error(vonage_fake, tls):
    """The receipt URL comes from the caller (sending/deliver.py) with each SMS: one
    too long for Vonage is refused before the SDK, and nothing is sent."""
    provider = vonage(FROM="Acme", REST_HOST=vonage_fake.netloc, CA_BUNDLE=tls[1])
    sms = OutgoingSMS(
        to=VALID_MOBILE,
        text="Your code is 123456",
        masked_text="Your code is ******",
        sender="",
        reference="ref",
        unicode=False,
        receipt_url="https://" + "sms." * 20 + "example.com/webhooks/vonage/vonage",
    )
    with pytest.raises(ProviderError) as err:
        provider.send(sms, timeout=5)
    provider.close()
    assert err.value.category == Category.PROVIDER_CONFIG
    assert "receipt URL of 122 characters; Vonage takes at most 100" in err.value.message
    assert vonage_fake.received == []


def test_vonage_options_that_work_are_accepted():
    for sender in ("Acme", "+447700900000", "447700900000", "Acme Bank 1"):
        vonage(FROM=sender, CALLBACK="https://sms.example.com/webhooks/vonage/vonage").close()


def test_a_bad_option_is_check_e002_naming_the_alias(settings):
    settings.SMS_PROVIDERS = {
        "vonage-eu": {
            "BACKEND": "sms_gateway.providers.vonage.VonageProvider",
            "OPTIONS": {
                "API_KEY": "k",
                "API_SECRET": "s",
                "CALLBACK": "https://sms.example.com/" + "x" * 100,
            },
        }
    }
    settings.SMS_DEFAULT_PROVIDERS = ["vonage-eu"]
    [error] = checks.check_providers()
    assert error.id == "sms_gateway.E002"
    assert "SMS_PROVIDERS['vonage-eu']['OPTIONS']: CALLBACK is 124 characters" in error.msg


def test_vonage_number_sender_goes_without_its_plus(vonage_fake, tls):
    provider = VonageProvider(
        "vonage",
        API_KEY=VONAGE_KEY,
        API_SECRET=VONAGE_SECRET,
        FROM="+447700900000",
        REST_HOST=vonage_fake.netloc,
        CA_BUNDLE=tls[1],
    )
    try:
        sms = OutgoingSMS(VALID_MOBILE, "Code 123456", "Code ******", "", "ref", False)
        provider.send(sms, timeout=5)
        alpha = OutgoingSMS(VALID_MOBILE, "Code 123456", "Code ******", "Acme", "ref", False)
        provider.send(alpha, timeout=5)
    finally:
        provider.close()
    assert [r.form["from"] for r in vonage_fake.received] == ["447700900000", "Acme"]


@pytest.mark.parametrize(
    ("status", "text", "to", "category"),
    [
        ("3", "Invalid to address", VALID_MOBILE, Category.RECIPIENT),
        ("3", "Invalid 'to' param", VALID_MOBILE, Category.RECIPIENT),
        ("3", "Invalid from address", VALID_MOBILE, Category.REJECTED),
        ("3", "Invalid callback URL", VALID_MOBILE, Category.REJECTED),
        ("6", "Unroutable message - rejected", UNALLOCATED, Category.RECIPIENT),
        ("6", "Unroutable message - rejected", VALID_MOBILE, Category.REJECTED),
        ("6", "", "", Category.REJECTED),
        ("7", "Number barred.", VALID_MOBILE, Category.RECIPIENT),
    ],
)
def test_vonage_status_3_and_6_are_the_recipients_only_when_they_say_so(status, text, to, category):
    assert status_category(status, text, to) == category


def test_twilio_30002_is_a_delivery_status_not_an_api_error():
    # A 400 carrying 30002 would be a plain refusal of this message, nothing more.
    assert error_category(400, 30002) == Category.REJECTED
    assert error_category(401, 20003) == Category.PROVIDER_CONFIG


@pytest.mark.parametrize(
    ("options", "error"),
    [
        ({"ACCOUNT_SID": "AC123"}, "ACCOUNT_SID is AC followed by 32 hexadecimal digits"),
        ({"MESSAGING_SERVICE_SID": "MG123"}, "MESSAGING_SERVICE_SID is MG followed by 32"),
        ({"FROM": "15551230000"}, "A number sender needs its '+' at Twilio"),
        ({"STATUS_CALLBACK": "sms.example.com/status"}, "STATUS_CALLBACK must be an absolute"),
        ({"API_BASE_URL": "http://127.0.0.1:9/api"}, "API_BASE_URL must be scheme://host[:port]"),
        ({"POOL_SIZE": -1}, "POOL_SIZE must be a whole number"),
    ],
)
def test_twilio_options_are_refused_at_startup(options, error):
    with pytest.raises(ImproperlyConfigured, match="SMS_PROVIDERS\\['twilio'\\]") as err:
        twilio(**options)
    assert error in str(err.value)


def test_route_senders_are_checked_by_the_aliases_provider():
    assert VonageProvider.sender_problem("+15551230000") == ""
    assert "11 characters" in VonageProvider.sender_problem("AcmeCorporation")
    assert TwilioProvider.sender_problem("MG" + "a" * 32) == ""
    assert TwilioProvider.sender_problem("12345") == ""  # a short code
    assert "needs its '+'" in TwilioProvider.sender_problem("15551230000")


def test_a_receipt_url_vonage_would_refuse_stops_the_gateway_at_startup(settings):
    """Refused at send time above, and named at startup (E002) so that no SMS is lost to it."""
    settings.SMS_PROVIDERS = {
        "vonage": {
            "BACKEND": "sms_gateway.providers.vonage.VonageProvider",
            "OPTIONS": {"API_KEY": "key", "API_SECRET": "secret", "FROM": "Acme"},
        }
    }
    settings.SMS_DEFAULT_PROVIDERS = ["vonage"]
    settings.SMS_PUBLIC_BASE_URL = "https://" + "sms." * 20 + "example.com"
    errors = [e for e in checks.check_providers() if e.id == "sms_gateway.E002"]
    assert len(errors) == 1
    assert "SMS_PROVIDERS['vonage'] under SMS_PUBLIC_BASE_URL" in errors[0].msg
    assert "Vonage takes at most 100" in errors[0].msg
    settings.SMS_PUBLIC_BASE_URL = "https://sms.example.com"
    assert [e for e in checks.check_providers() if e.id == "sms_gateway.E002"] == []
