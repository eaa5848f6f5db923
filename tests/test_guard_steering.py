"""A guard operators can steer (issue 19): an unblock that holds, refusals seen as such
in Messages (a reason column and filter) and in the guard overview, a country's two
places explained. Through the real send path, the admin over HTTP, a real Redis."""

from __future__ import annotations

import shutil
from datetime import timedelta

import pytest
from django.contrib.admin.models import LogEntry
from django.db.models import Count
from django.utils import timezone

from sms_gateway import sending
from sms_gateway.admin.messages import refusal_reason
from sms_gateway.core.errors import NoTemplate, RecipientRejected, Refused
from sms_gateway.core.phone import parse
from sms_gateway.models import BlockedPrefix, CountryPolicy, Message, RateLimit, Route
from sms_gateway.sending.finalize import refusal_kind

from .throwaway import RedisServer, redis_cache_settings

A = "/admin/sms_gateway"


@pytest.fixture
def redis_guard(settings):
    if not shutil.which("redis-server"):
        pytest.skip("needs redis-server")
    with RedisServer() as server:
        settings.CACHES = redis_cache_settings(server, timeout=0.5)
        yield server


def send(e164: str, ip: str = "198.51.100.7"):
    return sending.send(
        sending.SmsRequest(to=parse(e164), type="SignIn", payload={"code": "123456"}, ip=ip)
    )


@pytest.mark.parametrize(
    ("refusal", "kind"),
    [
        (Refused("rate_limited:recipient", "x"), "rate_limited"),
        (Refused("pumping:33655500", "x"), "pumping"),
        (Refused("country:RU", "x"), "country"),
        (Refused("budget:DE:day", "x"), "budget"),
        (Refused("prefix_blocked:3365", "x"), "prefix_blocked"),
        (Refused("number_type:premium_rate", "x"), "number_type"),
        (Refused("a_new_step", "x"), "other"),
        (RecipientRejected("SMS to this destination is not enabled"), "route"),
        (NoTemplate("none"), "no_template"),
    ],
)
def test_refusal_kind(refusal, kind):
    assert refusal_kind(refusal) == kind


def test_refusal_reason_is_the_machine_reason_never_the_users_text():
    error = "guard: rate_limited:recipient: Trop de codes ont été demandés pour ce numéro."
    assert refusal_reason("rate_limited", error) == "rate_limited:recipient"
    assert refusal_reason("route", "SMS to this destination is not enabled") == "route"
    assert refusal_reason("", "anything") == ""


# --- Unblock holds ---------------------------------------------------------------------


def pump(first: int, count: int) -> list[str]:
    return [
        send(f"+3365550{n:04d}", f"198.51.100.{n % 250}").status
        for n in range(first, first + count)
    ]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("how", ["page", "action"])
def test_an_unblock_holds_the_next_sms_passes_and_the_prefix_is_not_blocked_again(
    redis_guard, outbox, admin_client, how
):
    assert pump(0, 12).count("sent") == 9  # blocked at the 10th
    [block] = BlockedPrefix.objects.all()
    if how == "page":
        page = admin_client.get(f"{A}/blockedprefix/{block.pk}/change/").content.decode()
        assert f"{A}/blockedprefix/{block.pk}/unblock/" in page  # on the block's own page
        form = admin_client.get(f"{A}/blockedprefix/{block.pk}/unblock/").content.decode()
        assert 'name="hours"' in form and 'value="24"' in form
        answer = admin_client.post(f"{A}/blockedprefix/{block.pk}/unblock/", {"hours": "2"})
        assert answer.status_code == 302
    else:
        admin_client.post(
            f"{A}/blockedprefix/", {"action": "unblock", "_selected_action": [block.pk]}
        )
    block.refresh_from_db()
    assert block.unblocked_at is not None and block.trusted_until > timezone.now()
    assert LogEntry.objects.filter(object_id=str(block.pk)).count() == 1

    # The evidence is still in the window: before, the next SMS was refused (403) and the
    # prefix blocked again. Now the detector leaves it alone while trusted.
    assert pump(100, 30) == ["sent"] * 30
    assert BlockedPrefix.objects.count() == 1
    assert "trusted until" in admin_client.get(f"{A}/blockedprefix/").content.decode()


@pytest.mark.django_db
def test_a_block_no_longer_active_offers_no_unblock(admin_client):
    block = BlockedPrefix.objects.create(
        prefix="33655500", reason="pumping", until=timezone.now() - timedelta(hours=1)
    )
    page = admin_client.get(f"{A}/blockedprefix/{block.pk}/change/").content.decode()
    assert f"{A}/blockedprefix/{block.pk}/unblock/" not in page
    admin_client.post(f"{A}/blockedprefix/{block.pk}/unblock/", {"hours": "2"})
    block.refresh_from_db()
    assert block.unblocked_at is None


# --- Refusals seen as such ----------------------------------------------------------------


@pytest.fixture
def refusals(outbox):
    """One sent SMS and three refusals of three kinds, through the send path."""
    CountryPolicy.objects.create(country="RU", action="block")
    Route.objects.create(prefix="7")  # no providers: the route refuses +7
    RateLimit.objects.filter(scope="recipient", window_seconds=600).update(limit=1)
    assert send("+33612345678").status == "sent"
    assert send("+33612345678").status == "rejected"  # rate_limited:recipient
    assert send("+79161234567").status == "rejected"  # the route, before the guard
    CountryPolicy.objects.create(country="DE", action="block")
    assert send("+4915123456789").status == "rejected"  # country:DE
    return Message.objects.all()


@pytest.mark.django_db
def test_each_refusal_is_recorded_with_its_kind_in_the_same_insert(refusals):
    kinds = dict(refusals.values_list("to", "refusal").order_by("created_at")[1:])
    assert kinds == {
        "+33612345678": "rate_limited",
        "+79161234567": "route",
        "+4915123456789": "country",
    }
    assert refusals.filter(status="sent").get().refusal == ""


@pytest.mark.django_db
def test_messages_show_the_reason_and_filter_on_it(admin_client, refusals):
    page = admin_client.get(f"{A}/message/").content.decode()
    assert '<th scope="col" class="column-reason">' in page
    assert "rate_limited:recipient" in page and "country:DE" in page
    assert "?refusal=pumping" in page  # every kind offered, from static choices
    listed = admin_client.get(f"{A}/message/", {"refusal": "country"}).context["cl"].result_list
    assert [m.to for m in listed] == ["+4915123456789"]


@pytest.mark.django_db
def test_the_guard_overview_counts_refusals_by_reason_country_and_prefix(admin_client, refusals):
    BlockedPrefix.objects.create(
        prefix="33655500", reason="burst: 10 SMS", until=timezone.now() + timedelta(hours=1)
    )
    BlockedPrefix.objects.create(
        prefix="33655600", reason="drip", enforced=False, until=timezone.now() + timedelta(hours=1)
    )
    answer = admin_client.get(f"{A}/blockedprefix/overview/")
    assert answer.status_code == 200
    context = answer.context
    assert context["total"] == 3
    assert sorted((k, n) for k, _, n in context["reasons"]) == [
        ("country", 1),
        ("rate_limited", 1),
        ("route", 1),
    ]
    assert sorted(context["countries"]) == [("DE", 1), ("FR", 1), ("RU", 1)]
    assert ("33612345", 1) in context["prefixes"]
    assert sum(total for _, _, total in context["timeline"]) == 3
    page = answer.content.decode()
    assert "would block (monitor)" in page and "blocking" in page
    assert f"{A}/message/?refusal=route" in page
    week = admin_client.get(f"{A}/blockedprefix/overview/", {"period": "7d"})
    assert week.context["total"] == 3


@pytest.mark.django_db
def test_both_places_that_refuse_a_country_say_so_and_link_each_other(admin_client):
    for url in (f"{A}/countrypolicy/", f"{A}/countrypolicy/add/"):
        page = admin_client.get(url).content.decode()
        assert 'id="sms-two-places"' in page and f'href="{A}/route/"' in page, url
        assert "403" in page and "400" in page
    form = admin_client.get(f"{A}/countrypolicy/add/").content.decode()
    assert "Logto gets 403" in form  # the action's help text
    routes = admin_client.get(f"{A}/route/").content.decode()
    assert 'id="sms-route-blocks"' in routes and f'href="{A}/countrypolicy/"' in routes
    assert "400" in routes and "403" in routes


@pytest.mark.django_db
def test_the_refusal_filter_and_the_overview_read_the_refusals_index(admin_client):
    """On PostgreSQL, with sequential scans priced out, every query reads
    message_refusal_idx (a partial index: the refused rows only)."""
    from django.db import connection

    from sms_gateway.admin import guard_overview

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's plans")
    # Rows of both kinds and fresh statistics: on an empty or unanalysed table both
    # indexes cost the same and the planner may take either.
    Message.objects.bulk_create(
        Message(to="+33612345678", country="FR", type="SignIn", status="sent") for _ in range(3000)
    )
    Message.objects.bulk_create(
        Message(to="+33612345678", country="FR", type="SignIn", status="rejected",
                refusal="pumping")
        for _ in range(5)
    )  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE sms_gateway_message")
    since = timezone.now() - timedelta(days=1)
    queries = [
        Message.objects.filter(refusal="pumping").order_by("-created_at")[:50],
        guard_overview.refusals(since).values("refusal").annotate(n=Count("pk")),
        guard_overview.refusals(since).values("country").annotate(n=Count("pk")),
    ]
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        for queryset in queries:
            sql, params = queryset.query.sql_with_params()
            cursor.execute(f"EXPLAIN {sql}", params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            assert "message_refusal_idx" in plan, plan
