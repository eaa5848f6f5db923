"""The fraud guard through the live endpoint: each refusal, what Logto gets, what is recorded.

The shipped ``SMS_GUARD`` is on in every test (tests/conftest.py).
"""

import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.utils import timezone

from sms_gateway.models import BlockedPrefix, CountryPolicy, Message, RateLimit, SafeNumber

from .conftest import logto_body
from .services import require_postgres, require_redis

pytestmark = pytest.mark.django_db(transaction=True)

UNAVAILABLE_EN = "SMS cannot be sent to this number."


def only_limit(scope: str, limit: int, window: int = 600) -> None:
    RateLimit.objects.all().delete()
    RateLimit.objects.create(scope=scope, limit=limit, window_seconds=window)


@pytest.mark.parametrize(
    ("to", "reason"),
    [
        ("979123456789", "guard: number_type:premium_rate"),  # international premium rate
        ("33899123456", "guard: number_type:premium_rate"),  # French premium
        ("19005551234", "guard: number_type:premium_rate"),  # US premium
        ("88212345678", "guard: number_type:invalid"),  # international networks, unallocated
        ("80012345678", "guard: country:001"),  # freephone: non-geographic
        ("447700900123", "guard: number_type:invalid"),  # possible, but in no allocated range
    ],
)
def test_numbers_that_earn_pumpers_money_are_refused(api, outbox, settings, to, reason):
    response = api.post(logto_body(to=to))
    assert response.status_code == 403, response.text
    assert response.json()["message"] == UNAVAILABLE_EN
    message = Message.objects.get(pk=response.json()["id"])
    assert message.status == Message.Status.REJECTED
    assert message.error.startswith(reason)
    assert outbox == []


def test_country_block_monitor_and_allowlist(api, outbox, settings):
    CountryPolicy.objects.create(country="RU", action="block")
    CountryPolicy.objects.create(country="DE", action="monitor")

    blocked = api.post(logto_body(to="79161234567"))
    monitored = api.post(logto_body(to="4915112345678"))
    other = api.post(logto_body(to="393123456789"))

    assert blocked.status_code == 403
    assert Message.objects.get(pk=blocked.json()["id"]).error.startswith("guard: country:RU")
    assert monitored.status_code == 200
    assert Message.objects.get(pk=monitored.json()["id"]).flags == "monitored_country"
    assert other.status_code == 200

    settings.SMS_GUARD_COUNTRY_MODE = "allowlist"
    assert api.post(logto_body(to="393123456788")).status_code == 403  # IT: no rule
    assert api.post(logto_body(to="4915112345679")).status_code == 200  # DE: monitor


def test_rate_limit_is_429_with_retry_after_in_the_users_language(api, outbox, settings):
    only_limit("recipient", 3)
    body = logto_body(payload={"code": "123456", "locale": "fr"})

    answers = [api.post(body) for _ in range(4)]

    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    refused = answers[-1]
    assert 590 <= int(refused.headers["Retry-After"]) <= 600
    assert refused.json()["message"] == (
        "Trop de codes ont été demandés pour ce numéro. Réessayez dans 10 minutes."
    )
    message = Message.objects.get(pk=refused.json()["id"])
    assert (message.status, message.error[:35]) == (
        "rejected",
        "guard: rate_limited:recipient: Trop",
    )
    assert len(outbox) == 3


@pytest.mark.parametrize("scope", ["ip", "prefix", "country", "global"])
def test_every_scope_limits(api, outbox, settings, scope):
    only_limit(scope, 2)
    statuses = [
        api.post(logto_body(to=f"3361234{n:04d}", ip="198.51.100.9")).status_code for n in range(3)
    ]
    assert statuses == [200, 200, 429]


def test_without_ip_the_ip_scope_does_not_apply(api, outbox, settings):
    only_limit("ip", 1)
    body = logto_body()
    del body["ip"]
    assert [api.post(body).status_code for _ in range(3)] == [200, 200, 200]


def test_safe_list_skips_limits_but_not_policies_unless_told(api, outbox, settings):
    only_limit("recipient", 1)
    SafeNumber.objects.create(number="+33612345678", note="uptime monitor")
    SafeNumber.objects.create(number="+33899123456", note="tester on a premium line")

    assert [api.post(logto_body()).status_code for _ in range(3)] == [200, 200, 200]
    assert api.post(logto_body(to="33899123456")).status_code == 403

    SafeNumber.objects.filter(number="+33899123456").update(bypass_policies=True)
    SafeNumber.objects.get(number="+33899123456").save()  # publishes the change
    assert api.post(logto_body(to="33899123456")).status_code == 200


def test_a_blocked_prefix_refuses_until_unblocked(api, outbox, settings):
    block = BlockedPrefix.objects.create(
        prefix="3361234",
        reason="manual",
        automatic=False,
        until=timezone.now() + timedelta(hours=1),
    )
    refused = api.post(logto_body())
    assert refused.status_code == 403
    assert Message.objects.get(pk=refused.json()["id"]).error.startswith(
        "guard: prefix_blocked:3361234"
    )
    assert api.post(logto_body(to="33698765432")).status_code == 200  # another prefix

    block.unblocked_at = timezone.now()
    block.save()
    assert api.post(logto_body()).status_code == 200


def test_exactly_n_pass_under_100_concurrent_requests(api, outbox, settings):
    require_postgres()
    require_redis()
    only_limit("recipient", 7)

    with ThreadPoolExecutor(max_workers=100) as pool:
        statuses = list(pool.map(lambda _: api.post(logto_body()).status_code, range(100)))

    assert statuses.count(200) == 7
    assert statuses.count(429) == 93
    assert Message.objects.filter(status="sent").count() == 7
    assert Message.objects.filter(status="rejected").count() == 93
    assert len(outbox) == 7


def test_the_guard_adds_no_sql_query(settings, outbox):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from sms_gateway import sending
    from sms_gateway.core.phone import parse

    def send(n):
        return sending.send(
            sending.SmsRequest(
                to=parse(f"3361234{n:04d}"), type="SignIn", payload={"code": "123456"}, ip="1.2.3.4"
            )
        )

    send(0)
    with CaptureQueriesContext(connection) as ctx:
        assert send(1).status == "sent"
    assert [q["sql"].split()[0] for q in ctx.captured_queries] == ["INSERT", "UPDATE"]


def test_rate_limits_hold_while_redis_is_down(outbox, settings):
    """Redis frozen: limits fall back to per-process counts; never an error."""
    import shutil

    if not shutil.which("redis-server"):
        pytest.skip("needs redis-server")
    from sms_gateway import sending
    from sms_gateway.core.phone import parse
    from sms_gateway.ops import metrics

    from .throwaway import RedisServer, redis_cache_settings

    with RedisServer() as redis_server:
        settings.CACHES = redis_cache_settings(redis_server)
        only_limit("recipient", 3)

        def send():
            return sending.send(
                sending.SmsRequest(
                    to=parse("33612345678"), type="SignIn", payload={"code": "123456"}
                )
            )

        assert send().status == "sent"  # counted in Redis
        before = metrics.GUARD_FALLBACK._value.get()
        redis_server.freeze()
        try:
            started = time.monotonic()
            statuses = [send().status for _ in range(4)]
            elapsed = time.monotonic() - started
        finally:
            redis_server.unfreeze()
    # The per-process count starts afresh: 3 more pass, then the limit holds.
    assert statuses == ["sent", "sent", "sent", "rejected"]
    assert metrics.GUARD_FALLBACK._value.get() > before
    assert elapsed < 2.0


def test_the_suite_runs_the_shipped_guard(settings):
    from sms_gateway import settings as shipped

    assert settings.SMS_GUARD == shipped.SMS_GUARD
    assert [path.rsplit(".", 1)[-1] for path in settings.SMS_GUARD] == [
        "number_type",
        "country",
        "blocked_prefix",
        "rate_limits",
        "pumping_guard",
        "budget",
    ]


@pytest.mark.guard_off("the marker itself is under test")
def test_a_test_turns_the_guard_off_only_by_saying_why(settings):
    assert settings.SMS_GUARD == []
