"""Providers are a lower layer: what they need from the gateway comes in the SMS.

The receipt URL is one: ``sending/deliver.py`` builds it from ``SMS_PUBLIC_BASE_URL``
and the provider's webhook, and each provider sends what it is given.
"""

import ast
from pathlib import Path

import pytest

from sms_gateway.providers.base import OutgoingSMS
from sms_gateway.providers.locmem import LocmemProvider
from sms_gateway.providers.twilio import TwilioProvider
from sms_gateway.providers.vonage import VonageProvider
from sms_gateway.sending.deliver import receipt_url, receipt_url_problems

from .conftest import twilio_config, vonage_config

PROVIDERS = Path(__file__).resolve().parent.parent / "sms_gateway" / "providers"
ABOVE = {"delivery", "sending", "api", "webhooks", "admin", "dashboard", "fraud"}


def imported_packages(path: Path) -> set[str]:
    """The gateway packages a module imports (``from ..delivery.x import y`` -> delivery)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            parts = node.module.split(".")
            if node.level == 2 or (node.level == 0 and parts[0] == "sms_gateway"):
                found.add(parts[0] if node.level == 2 else parts[1])
        elif isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if parts[0] == "sms_gateway" and len(parts) > 1:
                    found.add(parts[1])
    return found


@pytest.mark.parametrize("module", sorted(p.name for p in PROVIDERS.glob("*.py")))
def test_providers_import_nothing_from_the_layers_above(module):
    assert imported_packages(PROVIDERS / module) & ABOVE == set()


def sms(receipt_url: str) -> OutgoingSMS:
    return OutgoingSMS(
        to="+447911123456",
        text="Your code is 123456",
        masked_text="Your code is ******",
        sender="",
        reference="3f1c3a52-0000-4000-8000-000000000001",
        unicode=False,
        receipt_url=receipt_url,
    )


def test_twilio_sends_the_receipt_url_it_is_given(twilio_fake):
    provider = TwilioProvider("twilio", **twilio_config(twilio_fake)["OPTIONS"])
    provider.send(sms("https://sms.example.com/hooks/t?ref=1"), timeout=5)
    provider.send(sms(""), timeout=5)
    provider.close()
    first, second = twilio_fake.received
    assert first.form["StatusCallback"] == "https://sms.example.com/hooks/t?ref=1"
    assert "StatusCallback" not in second.form  # none given: the account's setting


def test_vonage_sends_the_receipt_url_it_is_given(vonage_fake, tls):
    provider = VonageProvider("vonage", **vonage_config(vonage_fake, tls[1])["OPTIONS"])
    provider.send(sms("https://sms.example.com/hooks/v"), timeout=5)
    provider.send(sms(""), timeout=5)
    provider.close()
    first, second = vonage_fake.received
    assert first.form["callback"] == "https://sms.example.com/hooks/v"
    assert "callback" not in second.form


def test_the_caller_builds_each_providers_receipt_url(settings, twilio_fake, vonage_fake, tls):
    settings.SMS_PUBLIC_BASE_URL = "https://sms.example.com/"
    twilio = TwilioProvider("twilio-eu", **twilio_config(twilio_fake)["OPTIONS"])
    vonage = VonageProvider("vonage", **vonage_config(vonage_fake, tls[1])["OPTIONS"])
    ref = "3f1c3a52-0000-4000-8000-000000000001"

    # Twilio's receipts do not echo our reference: it rides in the (signed) URL.
    assert receipt_url(twilio, "twilio-eu", ref) == (
        f"https://sms.example.com/webhooks/twilio/twilio-eu?ref={ref}"
    )
    # Vonage's carry it (client-ref), and its URL must stay within 100 characters.
    assert receipt_url(vonage, "vonage", ref) == "https://sms.example.com/webhooks/vonage/vonage"
    assert receipt_url(LocmemProvider("locmem"), "locmem", ref) == ""  # no webhook

    settings.SMS_PUBLIC_BASE_URL = ""
    assert receipt_url(twilio, "twilio-eu", ref) == ""  # the account's own setting
    twilio.close()
    vonage.close()


def test_an_alias_whose_built_receipt_url_it_would_refuse_is_found_at_startup(settings, tls):
    settings.SMS_PUBLIC_BASE_URL = "https://" + "sms." * 20 + "example.com"
    vonage = {"API_KEY": "k", "API_SECRET": "s", "FROM": "Acme", "CA_BUNDLE": tls[1]}
    settings.SMS_PROVIDERS = {
        **settings.SMS_PROVIDERS,
        "vonage-eu": {"BACKEND": "sms_gateway.providers.vonage.VonageProvider", "OPTIONS": vonage},
        "vonage-own": {
            "BACKEND": "sms_gateway.providers.vonage.VonageProvider",
            "OPTIONS": {**vonage, "CALLBACK": "https://sms.example.com/webhooks/vonage/own"},
        },
        "twilio": {
            "BACKEND": "sms_gateway.providers.twilio.TwilioProvider",
            "OPTIONS": {"ACCOUNT_SID": "AC" + "0" * 32, "AUTH_TOKEN": "t", "FROM": "+15005550006"},
        },
    }
    [problem] = receipt_url_problems()
    assert problem.startswith("SMS_PROVIDERS['vonage-eu'] under SMS_PUBLIC_BASE_URL: ")
    assert "receipt URL of 125 characters; Vonage takes at most 100" in problem

    settings.SMS_PUBLIC_BASE_URL = "https://sms.example.com"
    assert receipt_url_problems() == []
