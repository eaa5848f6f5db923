"""Steady state: two SQL statements per SMS, no template or route query, no cache round trip."""

import pytest
import redis
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sms_gateway import sending
from sms_gateway.core.phone import parse
from sms_gateway.models import Message, Route, Template

from .services import require_redis

pytestmark = pytest.mark.django_db


def send(code="123456", to="33612345678"):
    return sending.send(
        sending.SmsRequest(to=parse(to), type="SignIn", payload={"code": code, "locale": "en"})
    )


def catalog_queries(queries) -> list[str]:
    return [
        q["sql"]
        for q in queries
        if "sms_gateway_template" in q["sql"] or "sms_gateway_route" in q["sql"]
    ]


def test_a_sent_sms_costs_one_insert_and_one_update(outbox):
    send()  # loads the snapshot
    with CaptureQueriesContext(connection) as ctx:
        outcome = send()
    assert outcome.status == "sent"
    statements = [q["sql"].split()[0].upper() for q in ctx.captured_queries]
    assert statements == ["INSERT", "UPDATE"], ctx.captured_queries
    message = Message.objects.get(pk=outcome.message_id)
    assert message.status == "sent" and len(message.attempts) == 1


def test_a_refused_sms_costs_one_insert(outbox):
    Route.objects.create(prefix="7")  # no providers: blocked
    send()
    with CaptureQueriesContext(connection) as ctx:
        outcome = send(to="79161234567")
    assert outcome.status == "rejected"
    assert [q["sql"].split()[0].upper() for q in ctx.captured_queries] == ["INSERT"]
    assert [sms.to for _, sms in outbox] == ["+33612345678"]  # the warm-up only


def test_a_failed_over_sms_still_costs_two_statements(outbox, settings):
    route = Route.objects.create()
    route.hops.create(provider="ghost", position=0)  # not configured: fails over
    route.hops.create(provider="locmem", position=1)
    send()
    with CaptureQueriesContext(connection) as ctx:
        outcome = send()
    assert outcome.status == "sent" and len(outcome.attempts) == 2
    assert len(ctx.captured_queries) == 2


def test_a_change_reloads_the_snapshot_once(outbox):
    send()
    Template.objects.filter(type="SignIn", locale="en").get().save()  # a save, as the admin does
    route = Route.objects.create(prefix="33")
    route.hops.create(provider="locmem", sender="Acme")
    with CaptureQueriesContext(connection) as ctx:
        first = send()
    with CaptureQueriesContext(connection) as again:
        send()
    assert catalog_queries(ctx.captured_queries)  # reloaded once
    assert catalog_queries(again.captured_queries) == []
    assert first.status == "sent"
    assert outbox[-1][1].sender == "Acme"


@pytest.mark.guard_off(
    "counts every Redis command of the send path: the guard's rate limits and pumping "
    "counters make theirs on purpose (bench/ measures them); this is about the catalog's"
)
def test_no_redis_round_trip_within_the_check_interval(outbox, settings):
    require_redis()
    settings.SMS_CATALOG_CHECK_INTERVAL = 3600
    client = redis.Redis.from_url(settings.CACHES["default"]["LOCATION"])

    def commands() -> int:
        stats = client.info("commandstats")
        return sum(v["calls"] for k, v in stats.items() if k != "cmdstat_info")

    send()  # loads the snapshot and its version
    before = commands()
    for n in range(20):
        assert send(to=f"3361234{n:04d}").status == "sent"
    assert commands() - before == 0
    client.close()


@pytest.mark.django_db
def test_the_record_has_no_foreign_key_for_postgresql_to_check_per_sms():
    """A foreign key on a column every record fills makes PostgreSQL run one more
    statement per INSERT (the bench saw 3 per SMS: SELECT ... FOR KEY SHARE on the
    tenant's row). ``sent_by`` (the test SMS's operator) is NULL for Logto's SMS, and
    PostgreSQL checks no NULL."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's own foreign key checks")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname FROM pg_constraint "
            "WHERE conrelid = 'sms_gateway_message'::regclass AND contype = 'f' "
            "AND confrelid = 'sms_gateway_tenant'::regclass"
        )
        assert cursor.fetchall() == []
