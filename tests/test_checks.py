"""Misconfiguration is a startup error, not an open or broken endpoint."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from sms_gateway.ops import checks
from sms_gateway.providers import build_provider

STRONG_KEY = "k" * 60


def ids(messages):
    return {m.id for m in messages}


def test_no_tokens_outside_debug_is_an_error(settings):
    settings.DEBUG = False
    settings.SMS_GATEWAY_TOKENS = []
    assert ids(checks.check_tokens()) == {"sms_gateway.E001"}


def test_no_tokens_in_debug_is_allowed(settings):
    settings.DEBUG = True
    settings.SMS_GATEWAY_TOKENS = []
    assert checks.check_tokens() == []


def test_production_refuses_insecure_defaults(settings):
    settings.DEBUG = False
    settings.SECRET_KEY = checks.INSECURE_DEV_SECRET_KEY
    settings.ALLOWED_HOSTS = []
    assert {"sms_gateway.E010", "sms_gateway.E011"} <= ids(checks.check_production())


def test_production_without_collected_static_files_warns(settings, tmp_path):
    settings.DEBUG = False
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    settings.STATIC_ROOT = str(tmp_path)
    assert "sms_gateway.W012" in ids(checks.check_production())
    (tmp_path / "staticfiles.json").write_text("{}")
    assert "sms_gateway.W012" not in ids(checks.check_production())


def test_production_with_real_settings_has_no_errors(settings):
    settings.DEBUG = False
    settings.SECRET_KEY = STRONG_KEY
    settings.ALLOWED_HOSTS = ["sms.example.com"]
    settings.SMS_DEFAULT_PROVIDERS = ["locmem"]
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache"}}
    assert checks.check_production() == []


@pytest.mark.parametrize(
    ("config", "fragment"),
    [
        ({"BACKEND": "sms_gateway.providers.nope.Nope"}, "cannot be imported"),
        (
            {"BACKEND": "sms_gateway.providers.locmem.LocmemProvider", "OPTIONS": {"X": 1}},
            "unknown option(s) X",
        ),
        ({"OPTIONS": {}}, "takes BACKEND"),
        ({"BACKEND": "sms_gateway.core.errors.Category"}, "must be a BaseProvider subclass"),
    ],
)
def test_bad_provider_config_names_the_setting(settings, config, fragment):
    settings.SMS_PROVIDERS = {"bad": config}
    with pytest.raises(ImproperlyConfigured, match="SMS_PROVIDERS\\['bad'\\]") as err:
        build_provider("bad")
    assert fragment in str(err.value)
    assert ids(checks.check_providers()) >= {"sms_gateway.E002"}


def test_default_provider_must_be_defined(settings):
    settings.SMS_DEFAULT_PROVIDERS = ["ghost"]
    assert "sms_gateway.E003" in ids(checks.check_providers())


def test_deadline_shorter_than_attempt_is_an_error(settings):
    settings.SMS_ATTEMPT_TIMEOUT = 5
    settings.SMS_DEADLINE = 2
    assert "sms_gateway.E004" in ids(checks.check_providers())


@pytest.mark.parametrize(
    ("environment", "said"),
    [
        (
            {"TWILIO_AUTH_TOKEN": "x", "TWILIO_FROM": "+15551230000"},
            "SMS_DEFAULT_PROVIDERS names 'twilio', but TWILIO_ACCOUNT_SID is not set "
            "(TWILIO_AUTH_TOKEN, TWILIO_FROM are set): the 'twilio' alias exists only when "
            "TWILIO_ACCOUNT_SID is set.",
        ),
        ({}, "but TWILIO_ACCOUNT_SID is not set: the 'twilio' alias exists only when"),
    ],
)
def test_e003_names_the_variable_that_creates_the_alias(settings, monkeypatch, environment, said):
    for name in ("SMS_PROVIDERS", "TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_FROM"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    settings.SMS_PROVIDERS = {
        "console": {"BACKEND": "sms_gateway.providers.console.ConsoleProvider"}
    }
    settings.SMS_DEFAULT_PROVIDERS = ["twilio"]
    [error] = [e for e in checks.check_providers() if e.id == "sms_gateway.E003"]
    assert said in error.msg


def test_e003_with_sms_providers_lists_what_is_defined(settings, monkeypatch):
    monkeypatch.setenv("SMS_PROVIDERS", '{"console": {}}')
    settings.SMS_DEFAULT_PROVIDERS = ["twilo"]
    [error] = [e for e in checks.check_providers() if e.id == "sms_gateway.E003"]
    assert "names 'twilo', which SMS_PROVIDERS does not define (defined: console, locmem)" in (
        error.msg
    )


@pytest.mark.parametrize("entry", ["10.0.0.1/8", "10.0.0.0/33", "localhost", "::1/129"])
def test_a_malformed_metrics_network_is_a_startup_error(settings, entry):
    settings.METRICS_ALLOWED_NETWORKS = ["192.168.0.0/16", entry]
    [error] = checks.check_metrics_access()
    assert error.id == "sms_gateway.E030"
    assert f"METRICS_ALLOWED_NETWORKS has {entry!r}" in error.msg


def test_loopback_metrics_behind_a_tls_proxy_is_flagged(settings):
    settings.METRICS_ALLOWED_NETWORKS = ["127.0.0.0/8", "10.0.0.0/8"]
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    [warning] = checks.check_metrics_access()
    assert warning.id == "sms_gateway.W030"
    assert "every client arrives from 127.0.0.1" in warning.msg
    settings.METRICS_ALLOWED_NETWORKS = ["10.0.0.0/8"]
    assert checks.check_metrics_access() == []
    settings.METRICS_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    del settings.SECURE_PROXY_SSL_HEADER
    assert checks.check_metrics_access() == []  # no proxy: loopback is this host's own


def test_a_malformed_network_stops_the_gateway_at_startup():
    from .services import manage, production_env

    result = manage(production_env(METRICS_ALLOWED_NETWORKS="10.0.0.1/8"), "check")
    assert result.returncode != 0
    assert "sms_gateway.E030" in result.stderr and "has host bits set" in result.stderr
