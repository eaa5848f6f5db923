"""Misconfiguration is a startup error, not an open or broken endpoint."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from sms_gateway import checks
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
    settings.SECRET_KEY = settings.INSECURE_DEV_SECRET_KEY
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


# --- Issue 16: the settings module, the shipped catalog, the Vonage SDK ------------------


def test_checks_never_import_the_settings_module_itself(tmp_path):
    """Under another DJANGO_SETTINGS_MODULE the checks read django.conf.settings; the
    gateway's own settings module (which parses the environment) is never imported."""
    import subprocess
    import sys

    from .services import ROOT

    (tmp_path / "other_settings.py").write_text(
        "import runpy\n"
        f"_values = runpy.run_path({str(ROOT / 'sms_gateway' / 'settings.py')!r})\n"
        "globals().update({k: v for k, v in _values.items() if k.isupper()})\n"
        "DEBUG = True\n"
    )
    code = (
        "import sys, django\n"
        "django.setup()\n"
        "from django.core.management import call_command\n"
        "call_command('check')\n"
        "print('imported' if 'sms_gateway.settings' in sys.modules else 'not imported')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": f"{tmp_path}:{ROOT}",
             "DJANGO_SETTINGS_MODULE": "other_settings",
             "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"},
        capture_output=True,
        text=True,
        timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "not imported"


@pytest.fixture
def shipped_in(settings, tmp_path):
    """Point the shipped texts at a folder of the test's making."""
    from sms_gateway.catalog.defaults import shipped

    folder = tmp_path / "sms"
    folder.mkdir()
    settings.SHIPPED_SMS_DIR = folder
    shipped.cache_clear()
    yield folder
    shipped.cache_clear()


def test_no_shipped_texts_is_an_error_in_production_a_warning_in_debug(settings, shipped_in):
    settings.DEBUG = False
    [error] = checks.check_shipped_templates()
    assert error.id == "sms_gateway.E040" and str(shipped_in) in error.msg
    settings.DEBUG = True
    assert ids(checks.check_shipped_templates()) == {"sms_gateway.W040"}


def test_a_shipped_language_missing_types_is_named(settings, shipped_in):
    import json

    from .services import ROOT

    for path in (ROOT / "templates" / "sms").glob("*.json"):
        if path.stem != "ja":
            (shipped_in / path.name).write_text(path.read_text())
    texts = json.loads((ROOT / "templates/sms/ja.json").read_text())
    del texts["BindMfa"]
    (shipped_in / "ja.json").write_text(json.dumps(texts))
    settings.DEBUG = False
    [warning] = checks.check_shipped_templates()
    assert warning.id == "sms_gateway.W041"
    assert "1 shipped (type, locale) pairs have no text" in warning.msg
    assert warning.msg.endswith("ja: BindMfa.")


def test_the_checkout_ships_every_pair():
    assert checks.check_shipped_templates() == []


@pytest.mark.django_db
def test_check_deploy_flags_a_database_without_templates():
    from sms_gateway.models import Template

    assert checks.check_templates_in_database() == []
    Template.objects.all().delete()
    assert ids(checks.check_templates_in_database()) == {"sms_gateway.E042"}


def test_vonage_internals_of_the_installed_sdk_are_there():
    from vonage_http_client import Auth, HttpClient

    http = HttpClient(Auth(api_key="k", api_secret="s"))
    assert checks.vonage_internals_missing(http) == []


@pytest.mark.parametrize("name", checks.VONAGE_INTERNALS)
def test_a_missing_vonage_internal_is_named(name):
    from vonage_http_client import Auth, HttpClient

    http = HttpClient(Auth(api_key="k", api_secret="s"))
    delattr(http, name)
    assert checks.vonage_internals_missing(http) == [name]


def test_a_vonage_session_that_is_not_requests_is_named():
    from vonage_http_client import Auth, HttpClient

    http = HttpClient(Auth(api_key="k", api_secret="s"))
    http._session = object()
    assert checks.vonage_internals_missing(http) == ["_session (a requests.Session)"]


def test_the_vonage_check_runs_when_an_alias_uses_vonage(settings, monkeypatch):
    import vonage_http_client

    vonage = {"BACKEND": "sms_gateway.providers.vonage.VonageProvider",
              "OPTIONS": {"API_KEY": "k", "API_SECRET": "s"}}  # fmt: skip
    settings.SMS_PROVIDERS = {"vonage-eu": vonage}
    assert checks.check_vonage_sdk() == []

    class Newer(vonage_http_client.HttpClient):
        """An SDK release that renamed the timeout: a real client without _timeout."""

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            del self._timeout

    monkeypatch.setattr(vonage_http_client, "HttpClient", Newer)
    [error] = checks.check_vonage_sdk()
    assert error.id == "sms_gateway.E005" and "_timeout" in error.msg
    settings.SMS_PROVIDERS = {
        "console": {"BACKEND": "sms_gateway.providers.console.ConsoleProvider"}
    }
    assert checks.check_vonage_sdk() == []  # no Vonage alias: nothing to check
