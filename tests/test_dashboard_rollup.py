"""Closed days rolled up: the same numbers as live, built once, and kept after retention."""

import random
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from sms_gateway.dashboard import queries, refresh, rollup
from sms_gateway.models import DeliveryStatsDay, Message

from .dashboard_data import insert_orm

pytestmark = pytest.mark.django_db


def as_tuples(cells):
    return sorted(
        (c.day, c.country, c.provider, *(getattr(c, n) for n in rollup.COUNTS), tuple(c.latency))
        for c in cells
    )


def test_a_closed_day_rolled_up_gives_the_numbers_grouped_live():
    now = timezone.now()
    insert_orm(1500, days=20, now=now)
    day = (now - timedelta(days=10)).date()
    live = rollup.live_cells(*rollup.day_bounds(day))
    assert rollup.build_day(day) == len(live) > 0
    assert as_tuples(rollup.stored_cells(day, day)) == as_tuples(live)


def test_closed_days_are_built_once_open_days_never():
    now = timezone.now()
    insert_orm(800, days=10, now=now)
    filters = queries.Filters(days=10)
    before = queries.summary(filters)[0]  # nothing rolled up: closed days count as nothing
    assert not DeliveryStatsDay.objects.exists()
    assert refresh.refresh() > 0
    built = set(DeliveryStatsDay.objects.values_list("day", flat=True))
    assert built and all(rollup.is_closed(d, now) for d in built)
    assert (now - timedelta(days=1)).date() not in built
    assert rollup.ensure_days(filters.start.date(), now.date()) == 0  # nothing left to build
    assert refresh.refresh() == 0  # built once
    after = queries.summary(filters)[0]
    live = rollup.live_cells(filters.start, filters.end)
    in_range = Message.objects.filter(created_at__gte=filters.start).count()
    assert sum(c.total for c in live) == after.total == in_range > before.total
    exact = queries.fold(live, None)[None]
    assert (after.sent, after.delivered, after.p50_ms) == (
        exact.sent, exact.delivered, exact.p50_ms,
    )  # fmt: skip


def test_a_day_built_before_it_closed_is_built_again():
    now = timezone.now()
    day = (now - timedelta(days=5)).date()
    insert_orm(300, days=8, now=now)
    rollup.build_day(day, now=rollup.day_bounds(day)[1])  # as if built the evening it ended
    DeliveryStatsDay.objects.filter(day=day).update(delivered=0)
    assert rollup.ensure_days(day, day, now) == 1
    assert sum(c.delivered for c in rollup.stored_cells(day, day)) == sum(
        c.delivered for c in rollup.live_cells(*rollup.day_bounds(day))
    )


def test_the_dashboard_keeps_the_numbers_of_deleted_records():
    now = timezone.now()
    insert_orm(1000, days=40, now=now)
    filters = queries.Filters(days=90)
    refresh.refresh()
    before = queries.summary(filters)[0]
    call_command("purge_messages", "--days", "30", stdout=StringIO())
    assert not Message.objects.filter(created_at__lt=now - timedelta(days=31)).exists()
    after = queries.summary(filters)[0]
    assert (after.total, after.sent, after.delivered) == (
        before.total,
        before.sent,
        before.delivered,
    )


def test_percentiles_from_the_histogram_are_within_a_bucket_of_the_exact_ones():
    rng = random.Random(4)
    values = sorted(int(rng.lognormvariate(8.4, 0.7)) for _ in range(5000))
    counts = [0] * rollup.BUCKETS
    for ms in values:
        counts[rollup.bucket_of(ms)] += 1
    for fraction in (0.5, 0.9, 0.95, 0.99):
        exact = queries.percentile(values, fraction)
        index = rollup.bucket_of(int(exact))
        width = rollup.LATENCY_EDGES_MS[index] - (
            rollup.LATENCY_EDGES_MS[index - 1] if index else 0
        )
        assert abs(rollup.percentile_from_histogram(counts, fraction) - exact) <= width
    assert rollup.percentile_from_histogram([0] * rollup.BUCKETS, 0.5) is None


@pytest.mark.parametrize("ms, bucket", [(0, 0), (250, 0), (251, 1), (3000, 11), (3001, 12)])
def test_bucket_edges_are_upper_bounds(ms, bucket):
    assert rollup.bucket_of(ms) == bucket


def test_one_pass_at_a_time_across_the_deployment():
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("the advisory lock is PostgreSQL's; SQLite serves one process")
    import psycopg

    insert_orm(200, days=10, now=timezone.now())
    params = connection.get_connection_params()
    with psycopg.connect(**{k: v for k, v in params.items() if k != "cursor_factory"}) as other:
        other.execute("SELECT pg_advisory_lock(%s)", [refresh.LOCK_KEY])  # another worker's pass
        out = StringIO()
        call_command("rollup_deliveries", stdout=out)
        assert out.getvalue() == "Another process is rolling up: nothing done.\n"
        assert not DeliveryStatsDay.objects.exists()
        other.execute("SELECT pg_advisory_unlock(%s)", [refresh.LOCK_KEY])
    assert refresh.refresh() > 0


def test_rebuild_builds_every_closed_day_again():
    now = timezone.now()
    insert_orm(300, days=8, now=now)
    first = refresh.refresh(days=8, now=now)
    assert first > 0 and refresh.refresh(days=8, now=now) == 0
    DeliveryStatsDay.objects.update(delivered=0)
    out = StringIO()
    call_command("rollup_deliveries", "--days", "8", "--rebuild", stdout=out)
    assert sum(DeliveryStatsDay.objects.values_list("delivered", flat=True)) > 0
