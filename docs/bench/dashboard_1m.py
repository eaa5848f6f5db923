"""Time the delivery dashboard on 1,000,000 records in a throwaway PostgreSQL.

    .venv/bin/python docs/bench/dashboard_1m.py [--rows 1000000] [--days 30]

Starts its own PostgreSQL cluster (tests/throwaway.py) on a free port, migrates,
COPYs generated records (tests/dashboard_data.py: ``--days`` days ending now),
runs VACUUM ANALYZE (what autovacuum does after a bulk load), then renders the
admin page in-process with Django's test client: ``rollup_deliveries`` first
(as at deploy), then each view three times; prints the median page time and the plan of
the live query. Nothing is left behind. Takes a few minutes, most of it
generating rows.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
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
        from django.contrib.auth.models import User
        from django.core.management import call_command
        from django.db import connection
        from django.test import Client
        from django.test.utils import setup_test_environment

        from sms_gateway.models import DeliveryStatsDay

        setup_test_environment()  # response.context, for the time the queries took

        call_command("migrate", verbosity=0)
        import psycopg

        from tests.dashboard_data import copy_into_postgres

        now = datetime.now(UTC)
        t0 = time.perf_counter()
        with psycopg.connect(url, autocommit=True) as conn:
            copy_into_postgres(conn, args.rows, args.days, now)
            conn.execute("VACUUM ANALYZE sms_gateway_message")
            size = conn.execute(
                "SELECT pg_size_pretty(pg_total_relation_size('sms_gateway_message'))"
            ).fetchone()[0]
        print(f"{args.rows:,} rows over {args.days} days loaded in "
              f"{time.perf_counter() - t0:.0f} s; table with indexes: {size}")  # fmt: skip

        User.objects.create_superuser("bench", password="bench")  # noqa: S106
        client = Client()
        client.force_login(User.objects.get(username="bench"))
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
        print(f"{'view':<24} {'page ms (median of 3)':>22} {'queries ms':>11}")
        for name, params in views:
            times, inner = [], []
            for _ in range(3):
                t = time.perf_counter()
                response = client.get(url_path, params)
                times.append((time.perf_counter() - t) * 1000)
                assert response.status_code == 200, response.status_code
                inner.append(response.context["query_ms"])
            print(f"{name:<24} {statistics.median(times):>22.0f} {statistics.median(inner):>11.0f}")

        from sms_gateway.dashboard import queries, rollup

        filters = queries.Filters(days=30)
        open_from = max(
            filters.start, rollup.day_bounds(filters.end.date())[0] - rollup.CLOSE_AFTER
        )
        sql, params = rollup.live_queryset(open_from, filters.end).query.sql_with_params()
        with queries.reading(), connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
            print("\nplan of the live query (the days not closed yet):")
            print("\n".join(row[0] for row in cursor.fetchall()))
        connection.close()


if __name__ == "__main__":
    main()
