"""Route modes through the send path: weighted and adaptive shares, least cost, the
periodic plan with its history, why each message went where it did, and the hot path
still at two statements per SMS."""

import threading
from collections import Counter
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from sms_gateway import sending
from sms_gateway.core.phone import parse
from sms_gateway.models import Message, Price, Route, RouteShareChange
from sms_gateway.routing import plans

from .services import require_postgres

pytestmark = pytest.mark.django_db

DE = "4915112345678"


@pytest.fixture(autouse=True)
def two_aliases(settings):
    settings.SMS_PROVIDERS = {
        **settings.SMS_PROVIDERS,
        "alpha": {"BACKEND": "sms_gateway.providers.locmem.LocmemProvider"},
        "beta": {"BACKEND": "sms_gateway.providers.locmem.LocmemProvider"},
    }
    settings.SMS_PRICE_CURRENCY = "USD"
    settings.SMS_CURRENCY_RATES = {}


# Hundreds of SMS to one German number through sending.send: the split is under test, not
# the guard (its own tests send realistic traffic).
MANY_TO_ONE = "hundreds of SMS to one number: the route's split is under test"


def send(to=DE):
    return sending.send(
        sending.SmsRequest(to=parse(to), type="SignIn", payload={"code": "123456", "locale": "en"})
    )


def route(mode, *hops, country="DE", **fields):
    r = Route.objects.create(country=country, mode=mode, **fields)
    for position, (alias, weight) in enumerate(hops):
        r.hops.create(provider=alias, position=position, weight=weight)
    return r


def receipts(alias, delivered, undelivered, country="DE", to=f"+{DE}"):
    """Synthetic records of the last minutes, with their receipts."""
    rows = [
        Message(
            to=to,
            country=country,
            type="SignIn",
            provider=alias,
            status="sent",
            delivery_status="delivered" if i < delivered else "undelivered",
            delivery_ms=4000 if i < delivered else None,
            attempts=[{"provider": alias, "outcome": "sent"}],
        )
        for i in range(delivered + undelivered)
    ]
    Message.objects.bulk_create(rows)


def test_an_ordered_route_sends_as_before_and_records_no_reason(outbox):
    route("ordered", ("alpha", 1), ("beta", 5))
    for _ in range(20):
        send()
    assert {alias for alias, _ in outbox} == {"alpha"}
    assert [m.route_reason for m in Message.objects.all()] == [{}] * 20


@pytest.mark.guard_off(MANY_TO_ONE)
def test_a_weighted_route_splits_by_the_operators_weights(outbox):
    route("weighted", ("alpha", 1), ("beta", 3))
    for _ in range(400):
        send()
    counts = Counter(alias for alias, _ in outbox)
    assert 70 <= counts["alpha"] <= 130  # 100 expected; binomial sd 8.7
    message = Message.objects.filter(provider="beta").first()
    reason = message.route_reason
    assert reason["mode"] == "weighted" and reason["chosen"] == "beta"
    assert reason["shares"] == {"alpha": 0.25, "beta": 0.75}
    assert 0.25 <= reason["draw"] < 1 and reason["weights"] == {"alpha": 1, "beta": 3}


@pytest.mark.guard_off(MANY_TO_ONE)
def test_failover_after_the_drawn_provider_keeps_todays_rules(outbox):
    route("weighted", ("ghost", 1), ("alpha", 1))  # ghost: not configured, fails over
    outcomes = [send() for _ in range(60)]
    assert all(o.status == "sent" and o.provider == "alpha" for o in outcomes)
    tried = Counter(tuple(a.provider for a in o.attempts) for o in outcomes)
    assert set(tried) == {("ghost", "alpha"), ("alpha",)}  # one POST per provider
    assert len(outbox) == 60


@pytest.mark.guard_off(MANY_TO_ONE)
def test_the_adaptive_plan_follows_receipts_and_the_send_path_follows_the_plan(outbox):
    r = route("adaptive", ("alpha", 1), ("beta", 1))
    receipts("alpha", 60, 40)
    receipts("beta", 95, 5)
    receipts("alpha", 0, 100, country="FR", to="+33612345678")  # another destination
    assert plans.compute() == 1
    r.refresh_from_db()
    assert r.plan["shares"] == {"alpha": 0.3, "beta": 0.7}  # one step of 0.2 at most
    assert r.plan["scores"] == {"alpha": 0.6, "beta": 0.95}
    assert r.plan["inputs"]["alpha"]["undelivered"] == 40  # France not counted
    change = RouteShareChange.objects.get(route=r)
    assert change.previous == {} and change.shares == {"alpha": 0.3, "beta": 0.7}
    assert "alpha 50%→30% (score 0.60)" in change.reason
    assert plans.ROUTE_SHARE.labels("country DE", "alpha")._value.get() == 0.3

    plans.compute()  # the next step: toward the target (0.6/0.95)^4 → 14 %
    r.refresh_from_db()
    assert r.plan["shares"] == pytest.approx({"alpha": 0.137, "beta": 0.863}, abs=0.002)
    assert RouteShareChange.objects.filter(route=r).count() == 2

    outbox.clear()
    for _ in range(300):
        send()
    counts = Counter(alias for alias, _ in outbox)
    assert 20 <= counts["alpha"] <= 65  # 41 expected
    reason = Message.objects.filter(provider="alpha").latest("created_at").route_reason
    assert reason["mode"] == "adaptive" and reason["scores"] == {"alpha": 0.6, "beta": 0.95}
    assert "computed_at" in reason


def test_an_unchanged_plan_writes_no_history():
    r = route("adaptive", ("alpha", 1), ("beta", 1))
    receipts("alpha", 95, 5)
    receipts("beta", 95, 5)
    plans.compute()
    plans.compute()
    plans.compute()
    assert RouteShareChange.objects.filter(route=r).count() == 1  # the first plan only
    r.refresh_from_db()
    assert r.plan["shares"] == {"alpha": 0.5, "beta": 0.5}


def test_least_cost_follows_prices_and_records_them(outbox):
    r = route("least_cost", ("alpha", 1), ("beta", 1), floor_delivery=0.9)
    receipts("alpha", 97, 3)
    receipts("beta", 96, 4)
    now = timezone.now()
    price = Price.objects.create(
        provider="alpha", country="DE", amount="0.07", currency="USD", source="csv", fetched_at=now
    )
    Price.objects.create(
        provider="beta", country="DE", amount="0.08", currency="USD", source="csv", fetched_at=now
    )
    plans.compute()
    r.refresh_from_db()
    assert r.plan["order"] == ["alpha", "beta"] and r.plan["shares"] == {"alpha": 1.0, "beta": 0.0}
    send()
    assert outbox[-1][0] == "alpha"
    reason = Message.objects.latest("created_at").route_reason
    assert reason["prices"] == {"alpha": 0.07, "beta": 0.08} and reason["currency"] == "USD"
    assert reason["reason"].startswith("alpha: cheapest holding the floor at 0.0700")

    price.amount = "0.09"
    price.save()
    plans.compute()
    send()
    assert outbox[-1][0] == "beta"
    assert RouteShareChange.objects.filter(route=r).count() == 2


def test_least_cost_never_compares_currencies_without_a_rate(settings):
    r = route("least_cost", ("alpha", 1), ("beta", 1))
    receipts("alpha", 97, 3)
    receipts("beta", 97, 3)
    now = timezone.now()
    Price.objects.create(
        provider="alpha", country="DE", amount="0.01", currency="EUR", source="csv", fetched_at=now
    )
    Price.objects.create(
        provider="beta", country="DE", amount="0.08", currency="USD", source="csv", fetched_at=now
    )
    plans.compute()
    r.refresh_from_db()
    assert r.plan["order"] == ["beta", "alpha"] and r.plan["prices"]["alpha"] is None
    settings.SMS_CURRENCY_RATES = {"EUR": 1.1}
    plans.compute()
    r.refresh_from_db()
    assert r.plan["order"] == ["alpha", "beta"]


def test_stale_prices_are_named_in_the_reason():
    r = route("least_cost", ("alpha", 1), ("beta", 1))
    old = timezone.now() - timedelta(days=90)
    Price.objects.create(
        provider="alpha", country="DE", amount="0.07", currency="USD", source="csv", fetched_at=old
    )
    plans.compute()
    r.refresh_from_db()
    assert "stale prices: alpha" in r.plan["reason"]


def test_an_adaptive_route_still_costs_two_statements_per_sms(outbox):
    route("adaptive", ("alpha", 1), ("beta", 1))
    receipts("alpha", 95, 5)
    receipts("beta", 95, 5)
    plans.compute()
    send()  # loads the snapshot
    with CaptureQueriesContext(connection) as ctx:
        outcome = send()
    assert outcome.status == "sent"
    assert [q["sql"].split()[0].upper() for q in ctx.captured_queries] == ["INSERT", "UPDATE"]


@pytest.mark.django_db(transaction=True)
def test_one_pass_at_a_time_across_processes():
    require_postgres()
    route("adaptive", ("alpha", 1), ("beta", 1))
    held, release = threading.Event(), threading.Event()

    def other_process():
        other = connections.create_connection("default")
        try:
            with other.cursor() as cursor:
                cursor.execute("BEGIN")
                cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [plans.LOCK_KEY])
                held.set()
                release.wait(10)
                cursor.execute("COMMIT")
        finally:
            other.close()

    thread = threading.Thread(target=other_process)
    thread.start()
    held.wait(10)
    try:
        assert plans.compute() is None  # skipped: another pass holds the lock
    finally:
        release.set()
        thread.join()
    assert plans.compute() == 1


@pytest.mark.guard_off("counts every Redis call per SMS: the guard's own are deliberate")
def test_an_adaptive_route_makes_no_redis_call_per_sms(outbox, settings, monkeypatch):
    import redis

    from .services import require_redis

    require_redis()
    settings.SMS_CATALOG_CHECK_INTERVAL = 3600
    route("adaptive", ("alpha", 1), ("beta", 1))
    receipts("alpha", 95, 5)
    plans.compute()
    send()  # loads the snapshot
    calls = []
    original = redis.Redis.execute_command

    def counting(self, *args, **kwargs):
        calls.append(args[0])
        return original(self, *args, **kwargs)

    # Counted in this process: the server's own counters include other clients.
    monkeypatch.setattr(redis.Redis, "execute_command", counting)
    for _ in range(20):
        assert send().status == "sent"
    assert calls == []


def test_workers_taking_turns_step_the_shares_once_per_interval():
    r = route("adaptive", ("alpha", 1), ("beta", 1))
    receipts("alpha", 50, 50)
    receipts("beta", 95, 5)
    now = timezone.now()
    assert plans.compute(now, every=54) == 1
    assert plans.compute(now + timedelta(seconds=5), every=54) == 0  # the next worker's turn
    r.refresh_from_db()
    assert r.plan["shares"] == {"alpha": 0.3, "beta": 0.7}
    assert plans.compute(now + timedelta(seconds=60), every=54) == 1
    r.refresh_from_db()
    assert r.plan["shares"]["alpha"] < 0.3
