import pytest
from django.db import connections

pytestmark = pytest.mark.django_db


def test_liveness_touches_nothing(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readiness_checks_database_cache_and_providers(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {
            "database": "ok",
            "cache": "ok",
            "providers": "ok",
            "guard": "ok",
            "webhook_keys": "ok",
        },
    }


def test_readiness_fails_when_the_cache_is_down(client, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
        }
    }
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"] == {
        "database": "ok",
        "cache": "unavailable",
        "providers": "ok",
        "guard": "ok",  # the Django cache here, not the gateway's: no breaker to read
        "webhook_keys": "ok",
    }


def test_readiness_fails_when_the_database_is_down(client):
    real = connections["default"]
    broken_settings = dict(real.settings_dict)
    if real.vendor == "sqlite":
        broken_settings["NAME"] = "/nonexistent-directory/gateway.sqlite3"
    else:
        broken_settings["PORT"] = "1"  # nothing listens there
    # Its own alias: with DATABASE_POOL the pool is kept per alias.
    broken = type(real)(broken_settings, alias="broken")
    connections["default"] = broken
    try:
        response = client.get("/readyz")
    finally:
        connections["default"] = real
        broken.close()
        if getattr(broken, "pool", None) is not None:
            broken.close_pool()
    assert response.status_code == 503
    assert response.json()["checks"]["database"] == "unavailable"
    assert response.json()["status"] == "unavailable"


def test_readiness_fails_when_a_provider_is_misconfigured(client, settings):
    settings.SMS_PROVIDERS = {
        **settings.SMS_PROVIDERS,
        "twilio": {"BACKEND": "sms_gateway.providers.twilio.TwilioProvider", "OPTIONS": {}},
    }
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["providers"] == "unavailable"


def test_probes_need_no_authentication_and_no_https(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/healthz").status_code == 200
