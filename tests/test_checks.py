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
