"""A Redis that stops answering: one short timeout, then the breaker; the probe still answers.

A real redis-server on a free port, frozen with SIGSTOP like a stuck host.
"""

import shutil
import time

import pytest
from redis.exceptions import RedisError

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
        outcomes, seconds = [], []
        for n in range(1, 21):
            before = time.monotonic()
            outcomes.append(send(n))
            seconds.append(time.monotonic() - before)
        elapsed = time.monotonic() - started

        probe_started = time.monotonic()
        ready = client.get("/readyz")
        probe_seconds = time.monotonic() - probe_started
    finally:
        redis_cache.unfreeze()

    assert [o.status for o in outcomes] == ["sent"] * 20
    # One socket timeout (two calls of 0.25 s at most), then every call fails at once
    # but one probe per open period (1 s): on a loaded machine 20 SMS may span two, and
    # one more send may be slow for want of CPU alone. The breaker without its probe had
    # all 20 pay the timeout.
    slow = [s for s in seconds if s >= 0.2]
    allowed = 2 + int(elapsed / 1.0)
    assert len(slow) <= allowed, (slow, elapsed)
    assert sum(slow) < 0.5 * allowed, seconds
    assert ready.status_code == 503
    assert ready.json()["checks"]["cache"] == "unavailable"
    # The shipped guard's Redis steps run on their fallbacks meanwhile, and say so.
    assert ready.json()["checks"]["guard"] == "degraded: rate_limits (redis), pumping_guard (redis)"
    assert probe_seconds < 1.0

    time.sleep(1.1)  # the breaker closes and Redis, thawed, answers again
    assert send(30).status == "sent"
    assert client.get("/readyz").status_code == 200


def test_after_the_open_period_one_probe_pays_the_timeout_not_every_thread(settings, caplog):
    """Half-open: 16 threads arrive when the period ends; one tries the frozen Redis."""
    import threading

    from django.core.cache import cache

    with RedisServer() as server:
        settings.CACHES = redis_cache_settings(server, breaker_seconds=0.5)
        cache.set("k", "v")
        server.freeze()
        try:
            with pytest.raises(RedisError):
                cache.get("k")  # pays the timeout, opens the breaker
            durations: list[float] = []
            errors: list[str] = []

            def call() -> None:
                barrier.wait()
                started = time.monotonic()
                try:
                    cache.get("k")
                except Exception as err:
                    errors.append(type(err).__name__)
                durations.append(time.monotonic() - started)

            for _period in range(2):
                time.sleep(0.6)  # the open period ends
                barrier = threading.Barrier(16)
                threads = [threading.Thread(target=call) for _ in range(16)]
                for thread in threads:
                    thread.start()
                for thread in threads:
                    thread.join()
        finally:
            server.unfreeze()
        time.sleep(0.6)
        assert cache.get("k") == "v"  # the probe after the thaw closes the breaker
        assert cache.get("k") == "v"

    paid = [d for d in durations if d >= 0.2]
    assert len(paid) == 2, sorted(durations)  # one probe per period
    assert len(errors) == 32 and errors.count("CacheUnavailable") == 30, errors
    # One line when it opens, one when it closes: not one per probe or per caller.
    lines = [r for r in caplog.records if r.name == "sms_gateway.ops.redis_cache"]
    assert [(r.levelname, r.getMessage().split(" (")[0].split(" after")[0]) for r in lines] == [
        ("ERROR", "redis unavailable"),
        ("WARNING", "redis available again"),
    ]
