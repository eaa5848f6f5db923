"""Startup checks for receipts: a Vonage alias without its signature secret, a bad base URL."""

from sms_gateway import checks

VONAGE = {
    "BACKEND": "sms_gateway.providers.vonage.VonageProvider",
    "OPTIONS": {"API_KEY": "k", "API_SECRET": "s"},
}


def ids(messages) -> list[str]:
    return [m.id for m in messages]


def test_vonage_alias_without_signature_secret_warns_when_receipts_are_on(settings):
    settings.SMS_PROVIDERS = {
        "vonage-eu": VONAGE,
        "locmem": {"BACKEND": "sms_gateway.providers.locmem.LocmemProvider"},
    }
    settings.SMS_VONAGE_SIGNATURES = {}
    settings.SMS_PUBLIC_BASE_URL = ""
    assert checks.check_webhook_secrets() == []  # no receipt URL is sent: nothing to check
    settings.SMS_PUBLIC_BASE_URL = "https://sms.example.com"
    found = checks.check_webhook_secrets()
    assert ids(found) == ["sms_gateway.W020"] and "'vonage-eu'" in found[0].msg
    settings.SMS_VONAGE_SIGNATURES = {"vonage-eu": {"SECRET": "x", "METHOD": "sha512"}}
    assert checks.check_webhook_secrets() == []


def test_bad_signature_method_and_base_url_are_errors(settings):
    settings.SMS_PROVIDERS = {}
    settings.SMS_VONAGE_SIGNATURES = {"vonage": {"SECRET": "x", "METHOD": "plain-md5"}}
    settings.SMS_PUBLIC_BASE_URL = "sms.example.com"
    assert sorted(ids(checks.check_webhook_secrets())) == ["sms_gateway.E020", "sms_gateway.E021"]


def test_plain_http_base_url_warns_in_production(settings):
    settings.SMS_PROVIDERS = {}
    settings.SMS_VONAGE_SIGNATURES = {}
    settings.SMS_PUBLIC_BASE_URL = "http://sms.example.com"
    settings.DEBUG = False
    assert ids(checks.check_webhook_secrets()) == ["sms_gateway.W021"]
    settings.DEBUG = True
    assert checks.check_webhook_secrets() == []
