"""The guard fails loud, never open in silence, and never into a 500.

A step that raises is skipped with one ERROR line, the gauge and ``/readyz``
naming it; the pumping detector's block and conversion lookup failing apply
their fallbacks (refuse; refuse without blocking); its Redis calls go through
the cache's breaker, so a frozen Redis costs one timeout, not one per SMS.
"""

import shutil
import time

import pytest
from django.db import OperationalError, connection

from sms_gateway import sending
from sms_gateway.core.phone import parse
from sms_gateway.models import BlockedPrefix, Message, RateLimit
from sms_gateway.ops import metrics

from . import probes
from .conftest import logto_body
from .services import require_postgres
from .throwaway import RedisServer, redis_cache_settings

pytestmark = pytest.mark.django_db(transaction=True)


needs_redis_server = pytest.mark.skipif(
    not shutil.which("redis-server"), reason="needs redis-server"
)


def guard_lines(caplog, step: str) -> list[tuple[str, str]]:
    return [
        (r.levelname, r.getMessage().split(" (")[0])
        for r in caplog.records
        if r.name == "sms_gateway.guard" and f"step {step} " in r.getMessage()
    ]


def test_a_step_that_raises_is_skipped_loudly_once_and_readyz_names_it(
    api, outbox, settings, caplog, client
):
    settings.SMS_GUARD = [*settings.SMS_GUARD, "tests.probes.broken_policy"]
    gauge = metrics.GUARD_DEGRADED.labels("broken_policy")
    probes.broken["raising"] = True
    try:
        answers = [api.post(logto_body(to=f"3361234{n:04d}")) for n in range(3)]
        degraded = client.get("/readyz")
        gauge_while = gauge._value.get()
        probes.broken["raising"] = False
        after = api.post(logto_body(to="33612349999"))
    finally:
        probes.broken["raising"] = False

    assert [a.status_code for a in answers] == [200, 200, 200]  # the other steps still ran
    assert after.status_code == 200
    assert degraded.status_code == 200
    assert degraded.json()["status"] == "degraded"
    assert degraded.json()["checks"]["guard"] == "degraded: broken_policy (raised)"
    assert gauge_while == 1 and gauge._value.get() == 0
    assert guard_lines(caplog, "broken_policy") == [
        ("ERROR", "guard step broken_policy degraded"),
        ("WARNING", "guard step broken_policy works again"),
    ]
    ready = client.get("/readyz").json()
    assert (ready["status"], ready["checks"]["guard"]) == ("ok", "ok")


@pytest.fixture
def pumping_redis(settings):
    with RedisServer() as server:
        settings.CACHES = redis_cache_settings(server, breaker_seconds=30)
        RateLimit.objects.all().delete()  # only the pumping detector refuses here
        yield server


def burst(api, count: int = 12) -> list:
    """A pumping burst: adjacent numbers in one prefix, from rotating addresses."""
    return [api.post(logto_body(to=f"3365550{n:04d}", ip=f"198.51.100.{n}")) for n in range(count)]


@needs_redis_server
def test_a_failing_block_still_refuses_never_a_500(api, outbox, pumping_redis, caplog):
    require_postgres()  # a trigger makes the block's INSERT fail, as a database would
    table = BlockedPrefix._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE FUNCTION refuse_block() RETURNS trigger AS $$ BEGIN "
            "RAISE EXCEPTION 'disk full'; END $$ LANGUAGE plpgsql"
        )
        cursor.execute(
            f"CREATE TRIGGER refuse_block BEFORE INSERT ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION refuse_block()"
        )
    try:
        answers = burst(api)
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TRIGGER refuse_block ON {table}")
            cursor.execute("DROP FUNCTION refuse_block()")

    statuses = [a.status_code for a in answers]
    assert statuses == [200] * 9 + [403] * 3, statuses  # refused from the 10th, as ever
    assert not BlockedPrefix.objects.exists()
    refused = Message.objects.filter(status="rejected").values_list("error", flat=True)
    assert all(e.startswith("guard: pumping:33655500") for e in refused)
    assert guard_lines(caplog, "pumping_guard") == [("ERROR", "guard step pumping_guard degraded")]

    assert burst(api, 13)[-1].status_code == 403  # the block works again: written, said once
    assert BlockedPrefix.objects.filter(prefix="33655500").exists()
    assert guard_lines(caplog, "pumping_guard")[-1] == (
        "WARNING",
        "guard step pumping_guard works again",
    )


@needs_redis_server
def test_a_failing_conversion_lookup_refuses_without_blocking(
    api, outbox, pumping_redis, monkeypatch, client
):
    from sms_gateway.delivery import conversion

    def database_away(**kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(conversion, "conversion_rate", database_away)  # the lookup's query

    statuses = [a.status_code for a in burst(api)]

    assert statuses == [200] * 9 + [403] * 3, statuses
    assert not BlockedPrefix.objects.exists()  # a real rush cannot be told from a bot
    ready = client.get("/readyz").json()
    assert ready["checks"]["guard"] == "degraded: pumping_guard (conversion)"


@needs_redis_server
def test_the_pumping_counters_go_through_the_breaker(settings, outbox):
    """Redis frozen after the snapshot is loaded: only the detector asks it."""
    with RedisServer() as server:
        settings.CACHES = redis_cache_settings(server, breaker_seconds=30)
        settings.SMS_CATALOG_CHECK_INTERVAL = 60
        settings.SMS_GUARD = ["sms_gateway.fraud.steps.pumping_guard"]  # this detector alone

        def send(n: int):
            return sending.send(
                sending.SmsRequest(
                    to=parse(f"3361234{n:04d}"), type="SignIn", payload={"code": "123456"}
                )
            )

        assert send(0).status == "sent"
        fallbacks = metrics.GUARD_FALLBACK._value.get()
        server.freeze()
        try:
            started = time.monotonic()
            statuses = [send(n).status for n in range(1, 11)]
            elapsed = time.monotonic() - started
        finally:
            server.unfreeze()

    assert statuses == ["sent"] * 10  # the detector is off while Redis is away
    assert metrics.GUARD_FALLBACK._value.get() - fallbacks == 10
    assert elapsed < 0.25 * 2 + 10 * 0.1, elapsed  # one timeout, then the breaker
