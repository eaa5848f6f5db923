"""The delivery dashboard: its numbers, its charts and its admin page."""

import re
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.contrib.auth.models import Permission, User
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from sms_gateway.dashboard import queries, rollup, svg
from sms_gateway.models import DeliveryStatsDay, Message

from .dashboard_data import insert_orm

URL = "/admin/sms_gateway/deliverydashboard/"
NOW = datetime(2026, 11, 27, 15, 0, tzinfo=UTC)


def message(country="FR", provider="twilio", status="sent", delivery="", ms=None, **fields):
    at = fields.pop("at", NOW - timedelta(hours=1))
    m = Message.objects.create(
        to="+33612345678", country=country, type="SignIn", provider=provider, status=status,
        delivery_status=delivery, delivery_ms=ms, segments=fields.pop("segments", 1), **fields,
    )  # fmt: skip
    Message.objects.filter(pk=m.pk).update(created_at=at)
    return m


@pytest.mark.parametrize(
    "values, fraction, expected",
    [([], 0.5, None), ([7], 0.95, 7), ([1, 2, 3, 4], 0.5, 2.5), (list(range(1, 101)), 0.95, 95.05)],
)
def test_percentile_is_postgres_percentile_cont(values, fraction, expected):
    assert (
        queries.percentile(values, fraction) == pytest.approx(expected)
        if expected
        else (queries.percentile(values, fraction) is expected)
    )


@pytest.mark.django_db
def test_summary_counts_rates_and_percentiles():
    for ms in (1000, 2000, 3000, 4000):
        message(delivery="delivered", ms=ms, converted_at=NOW)
    message(delivery="undelivered")
    message(delivery="at_carrier")
    message(provider="", status="failed")
    message(provider="", status="rejected")
    message(country="GB", provider="vonage", delivery="delivered", ms=9000, segments=2)
    message(at=NOW - timedelta(days=8), delivery="delivered", ms=1)  # out of the range

    filters = queries.Filters(days=7, now=NOW)
    total = queries.summary(filters)[0]
    assert (total.total, total.sent, total.delivered, total.undelivered) == (9, 7, 5, 1)
    assert (total.failed, total.rejected, total.converted, total.segments) == (1, 1, 4, 8)
    assert total.delivery_rate == pytest.approx(5 / 7)
    # From histograms: within a bucket's width (250 ms to 3 s, then wider) of the exact value.
    assert total.p50_ms == pytest.approx(3000, abs=250)
    assert total.p95_ms == pytest.approx(8000, abs=500)

    countries = {r.key: r for r in queries.by_volume(filters, "country")}
    assert countries["FR"].sent == 6 and countries["FR"].p50_ms == pytest.approx(2500, abs=250)
    assert countries["GB"].delivery_rate == 1.0
    fr = queries.summary(queries.Filters(days=7, country="FR", provider="twilio", now=NOW))[0]
    assert (fr.sent, fr.delivered, fr.conversion_rate) == (6, 4, pytest.approx(4 / 6))


@pytest.mark.django_db
def test_every_day_of_the_range_has_a_row_in_order():
    message(at=NOW - timedelta(days=2), delivery="delivered", ms=500)
    days = queries.by_day(queries.Filters(days=7, now=NOW))
    assert [d.key for d in days] == [NOW.date() - timedelta(days=i) for i in range(6, -1, -1)]
    assert [d.sent for d in days] == [0, 0, 0, 0, 1, 0, 0]
    assert days[4].p50_ms == pytest.approx(500, abs=250) and days[0].p50_ms is None


@pytest.mark.django_db
def test_provider_health_from_the_attempts():
    attempt = {"outcome": "sent", "duration_ms": 100, "category": ""}
    failed = {"outcome": "failed", "duration_ms": 5000, "category": "unavailable"}
    message(attempts=[{**attempt, "provider": "twilio"}])
    message(
        provider="vonage",
        attempts=[
            {**failed, "provider": "twilio"},
            {**attempt, "provider": "vonage", "duration_ms": 300},
        ],
    )  # fmt: skip
    health = {h.provider: h for h in queries.provider_health(queries.Filters(days=7, now=NOW))}
    assert (health["twilio"].attempts, health["twilio"].failed) == (2, 1)
    assert health["twilio"].error_rate == 0.5
    assert health["twilio"].categories == {"unavailable": 1}
    assert health["twilio"].p95_ms == pytest.approx(4755)
    assert (health["vonage"].attempts, health["vonage"].failed, health["vonage"].p50_ms) == (
        1, 0, pytest.approx(300),
    )  # fmt: skip


def test_charts_are_inline_svg_with_escaped_text():
    chart = svg.volume_chart(["<b>", "11-27"], {"sent": [3, 4], "failed": [1, 0]}, [0.5, None])
    assert chart.startswith("<svg") and chart.endswith("</svg>")
    assert "<b>" not in chart and "&lt;b&gt;" in chart
    lines = svg.lines_chart(["a", "b", "c"], {"p50": [1.0, None, 2.0], "p95": [3.0, 4.0, 5.0]})
    assert lines.count("<polyline") == 1 and lines.count("<circle") == 2
    assert svg.meter(None) == "" and "<svg" in svg.meter(0.97)


@pytest.fixture
def operator(db, client):
    user = User.objects.create_user("operator", password="pw", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_message"))
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_dashboard_page_on_a_few_thousand_records(operator, django_assert_max_num_queries):
    insert_orm(3000, days=30, now=timezone.now())
    call_command("rollup_deliveries", stdout=StringIO())  # at deploy, then hourly
    assert DeliveryStatsDay.objects.count() > 0
    from sms_gateway.catalog import snapshot

    snapshot.current()  # a worker's snapshot is loaded once (the budget panel reads it)
    # The rollup, the open days, health; the session, its permissions and its idle-timeout
    # save (UPDATE in two savepoint statements: ADMIN_SESSION_IDLE_SECONDS).
    with django_assert_max_num_queries(17):
        page = operator.get(URL, {"days": 30})
    assert page.status_code == 200
    html = page.content.decode()
    for text in ("Per day", "Per country", "Per provider", "Provider health", "delivery rate"):
        assert text in html
    assert html.count('<svg xmlns="http://www.w3.org/2000/svg" viewBox') == 2
    assert re.search(r"<td>NG</td>", html)
    # Offline: nothing is loaded from elsewhere.
    assert not re.search(r"""(src|href)=["']https?://""", html)
    filtered = operator.get(URL, {"days": 7, "country": "NG", "provider": "vonage"})
    assert filtered.status_code == 200 and "<td>FR</td>" not in filtered.content.decode()


@pytest.mark.django_db
def test_dashboard_is_in_the_admin_index_for_who_may_view_messages(operator, client):
    assert URL in operator.get("/admin/").content.decode()
    nobody = User.objects.create_user("nobody", password="pw", is_staff=True)
    client.force_login(nobody)
    assert client.get(URL).status_code == 403


def test_dashboard_needs_a_login(client, db):
    assert client.get(URL).status_code == 302


@pytest.mark.django_db
def test_bad_filter_values_fall_back(operator):
    assert operator.get(URL, {"days": "x", "country": "<script>"}).status_code == 200
    assert operator.get(URL, {"days": 5}).context["filters"].days == 7


@pytest.mark.django_db
def test_a_page_view_never_builds_the_rollup_and_says_what_it_lacks(operator):
    now = timezone.now()
    insert_orm(1500, days=30, now=now)
    with CaptureQueriesContext(connection) as captured:
        page = operator.get(URL, {"days": 30})
    assert page.status_code == 200
    writes = [
        q["sql"] for q in captured.captured_queries if q["sql"].startswith(("INSERT", "DELETE"))
    ]
    assert writes == [] and not DeliveryStatsDay.objects.exists()
    text = page.content.decode()
    assert "not rolled up yet" in text and "manage.py rollup_deliveries" in text
    assert (
        page.context["total"]["sent"]
        < queries.fold(rollup.live_cells(queries.Filters(days=30).start, now), None)[None].sent
    )  # the closed days count as nothing until they are rolled up

    out = StringIO()
    call_command("rollup_deliveries", stdout=out)
    assert re.match(
        r"Dashboard rollup: \d+ closed day\(s\) of the last 90 built in", out.getvalue()
    )
    page = operator.get(URL, {"days": 30})
    text = page.content.decode()
    assert "not rolled up yet" not in text
    assert re.search(
        r"\d+ closed day\(s\) from the rollup built \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC", text
    )
    live = queries.fold(rollup.live_cells(queries.Filters(days=30).start, timezone.now()), None)
    assert page.context["total"]["sent"] == live[None].sent  # the same numbers as grouped live


@pytest.mark.django_db
def test_a_day_just_closed_is_grouped_live_until_the_next_pass():
    # 2026-11-23 ends on the 24th and closes on the 27th at 00:00: 15 h before NOW.
    message(at=datetime(2026, 11, 23, 12, tzinfo=UTC), delivery="delivered", ms=500)
    coverage = rollup.read(queries.Filters(days=7, now=NOW).start, NOW, now=NOW)
    assert coverage.missing == [] and sum(c.sent for c in coverage.cells) == 1
    later = NOW + rollup.LIVE_GRACE  # no pass ran for a day: counted as nothing, and said
    coverage = rollup.read(queries.Filters(days=7, now=later).start, later, now=later)
    assert coverage.missing == [datetime(2026, 11, 23).date()]
    assert sum(c.sent for c in coverage.cells) == 0


@pytest.mark.django_db
def test_the_rolled_up_sums_are_cached_until_the_rollup_changes(operator):
    now = timezone.now()
    insert_orm(1500, days=30, now=now)
    call_command("rollup_deliveries", stdout=StringIO())
    first = operator.get(URL, {"days": 30}).context["total"]["sent"]
    with CaptureQueriesContext(connection) as captured:
        again = operator.get(URL, {"days": 30}).context["total"]["sent"]
    assert again == first
    assert not [q for q in captured.captured_queries if '"latency"' in q["sql"]]  # not re-read
    closed = Message.objects.filter(status="sent", created_at__lt=now - timedelta(days=10))
    closed.filter(pk=closed.values("pk")[:1]).delete()
    call_command("rollup_deliveries", "--rebuild", stdout=StringIO())
    assert operator.get(URL, {"days": 30}).context["total"]["sent"] == first - 1
