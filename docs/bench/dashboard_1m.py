"""Time the delivery dashboard on 1,000,000 records in a throwaway PostgreSQL.

    .venv/bin/python docs/bench/dashboard_1m.py [--rows 1000000] [--days 30]

Starts its own PostgreSQL cluster (tests/throwaway.py) on a free port, migrates,
COPYs generated records (tests/dashboard_data.py: ``--days`` days ending now, four
in five the default tenant's, one in five a second tenant's), runs VACUUM ANALYZE
(what autovacuum does after a bulk load), then renders the admin page in-process
with Django's test client: ``rollup_deliveries`` first (as at deploy), then each
view three times, as a superuser (every tenant) and as the second tenant's
operator (its fifth of the records); prints the median page time and the plans
of the live query, the whole gateway's and the tenant's. Nothing is left
behind. Takes a few minutes, most of it generating rows.
"""

from __future__ import annotations

import argparse
import inspect
import os
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SECOND = 2  # the second tenant's id
TENANTS = {1: 4, SECOND: 1}  # tenant id -> weight of its records
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=30)
    args = parser.parse_args()

    from tests.throwaway import PostgresCluster

    with PostgresCluster(extra_conf=["shared_buffers = 256MB", "work_mem = 16MB"]) as pg:
        url = pg.create_database("dashboard")
        os.environ.update(
            DATABASE_URL=url, DATABASE_POOL="0", DEBUG="1", DJANGO_SETTINGS_MODULE="tests.settings"
        )
        import django

        django.setup()
        from django.contrib.auth.models import Group, Permission, User
        from django.core.management import call_command
        from django.db import connection
        from django.test import Client
        from django.test.utils import setup_test_environment

        from sms_gateway.models import DeliveryStatsDay, Tenant

        setup_test_environment()  # response.context, for the time the queries took

        call_command("migrate", verbosity=0)
        import psycopg

        from tests.dashboard_data import copy_into_postgres

        now = datetime.now(UTC)
        t0 = time.perf_counter()
        with psycopg.connect(url, autocommit=True) as conn:
            copy_into_postgres(conn, args.rows, args.days, now, tenants=TENANTS)
            conn.execute("VACUUM ANALYZE sms_gateway_message")
            size = conn.execute(
                "SELECT pg_size_pretty(pg_total_relation_size('sms_gateway_message'))"
            ).fetchone()[0]
        print(f"{args.rows:,} rows over {args.days} days loaded in "
              f"{time.perf_counter() - t0:.0f} s; table with indexes: {size}")  # fmt: skip

        User.objects.create_superuser("bench", password="bench")  # noqa: S106
        client = Client()
        client.force_login(User.objects.get(username="bench"))
        group = Group.objects.create(name="second operators")
        Tenant.objects.create(pk=SECOND, slug="second", name="Second", operators=group)
        operator = User.objects.create_user("second-ops", is_staff=True)
        operator.user_permissions.add(Permission.objects.get(codename="view_message"))
        operator.groups.add(group)
        tenant_client = Client()
        tenant_client.force_login(operator)
        views = [
            ("today", {"days": 1}),
            ("last 7 days", {"days": 7}),
            ("last 30 days", {"days": 30}),
            ("last 30 days, FR", {"days": 30, "country": "FR"}),
            ("last 30 days, vonage", {"days": 30, "provider": "vonage"}),
            ("last 90 days", {"days": 90}),
        ]
        url_path = "/admin/sms_gateway/deliverydashboard/"
        t = time.perf_counter()
        call_command("rollup_deliveries")  # at deploy and hourly: never by a page view
        built = DeliveryStatsDay.objects.values("day").distinct().count()
        print(f"rollup_deliveries: {(time.perf_counter() - t) * 1000:.0f} ms, "
              f"rolling up {built} closed days")  # fmt: skip
        for who, viewer in (("superuser, every tenant", client), ("second tenant", tenant_client)):
            print(f"\n{who}:\n{'view':<24} {'page ms (median of 3)':>22} {'queries ms':>11}")
            for name, params in views:
                times, inner = [], []
                for _ in range(3):
                    t = time.perf_counter()
                    response = viewer.get(url_path, params)
                    times.append((time.perf_counter() - t) * 1000)
                    inner.append(response.context["query_ms"] if response.status_code == 200 else 0)
                if response.status_code != 200:  # before the per-tenant dashboard: 403
                    print(f"{name:<24} {'HTTP ' + str(response.status_code):>22}")
                    continue
                median = statistics.median(times)
                print(f"{name:<24} {median:>22.0f} {statistics.median(inner):>11.0f}")

        from sms_gateway.dashboard import queries, rollup

        filters = queries.Filters(days=30)
        open_from = max(
            filters.start, rollup.day_bounds(filters.end.date())[0] - rollup.CLOSE_AFTER
        )
        plans = [("the whole gateway", rollup.live_queryset(open_from, filters.end))]
        if "tenants" in inspect.signature(rollup.live_queryset).parameters:
            second = rollup.live_queryset(open_from, filters.end, tenants=(SECOND,))
            plans.append(("the second tenant", second))
        for whose, queryset in plans:
            sql, params = queryset.query.sql_with_params()
            with queries.reading(), connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
                print(f"\nplan of the live query (the days not closed yet), {whose}:")
                print("\n".join(row[0] for row in cursor.fetchall()))
        connection.close()


if __name__ == "__main__":
    main()
