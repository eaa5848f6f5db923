"""A Redis that stops answering: one short timeout, then the breaker; the probe still answers.

A real redis-server on a free port, frozen with SIGSTOP like a stuck host.
"""

import shutil
import time

import pytest

from sms_gateway import sending
from sms_gateway.core.phone import parse

from .throwaway import RedisServer, redis_cache_settings

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not shutil.which("redis-server"), reason="needs redis-server"),
]


@pytest.fixture
def redis_cache(settings):
    with RedisServer() as server:
        settings.CACHES = redis_cache_settings(server, breaker_seconds=1.0)
        yield server


def send(n: int = 0):
    return sending.send(
        sending.SmsRequest(
            to=parse(f"3361234{n:04d}"), type="SignIn", payload={"code": "123456", "locale": "en"}
        )
    )


def test_a_frozen_redis_costs_one_timeout_then_nothing(redis_cache, settings, outbox, client):
    settings.SMS_CATALOG_CHECK_INTERVAL = 0  # every SMS asks the cache: the worst case
    assert send().status == "sent"

    redis_cache.freeze()
    try:
        started = time.monotonic()
        outcomes = [send(n) for n in range(1, 21)]
        elapsed = time.monotonic() - started

        probe_started = time.monotonic()
        ready = client.get("/readyz")
        probe_seconds = time.monotonic() - probe_started
    finally:
        redis_cache.unfreeze()

    assert [o.status for o in outcomes] == ["sent"] * 20
    # One socket timeout (two calls of 0.25 s at most), then every call fails at once.
    assert elapsed < 0.5 + 20 * 0.02, elapsed
    assert ready.status_code == 503
    assert ready.json()["checks"]["cache"] == "unavailable"
    assert probe_seconds < 1.0

    time.sleep(1.1)  # the breaker closes and Redis, thawed, answers again
    assert send(30).status == "sent"
    assert client.get("/readyz").status_code == 200
