"""Time the reconciler's pass on 1,000,000 records in a throwaway PostgreSQL.

    .venv/bin/python docs/bench/reconcile_1m.py [--rows 1000000] [--days 30]

Starts its own PostgreSQL cluster (tests/throwaway.py) on a free port, migrates,
COPYs generated records (tests/dashboard_data.py: ``--days`` days ending now,
all of them done), leaves the newest few ``accepted`` as production does (20 in
flight, 5 left behind by a dead worker, past the cutoff), runs VACUUM ANALYZE,
then runs ``reconcile()`` as a worker does: its median time over 20 passes (each
rolled back, so each has the 5 rows to mark) and the EXPLAIN ANALYZE of its
UPDATE; then the same without the partial index (dropped inside a rolled-back
transaction), which is the query before migration 0005. Nothing is left behind.
Takes a few minutes, most of it generating rows.
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

IN_FLIGHT, LEFT_BEHIND, PASSES = 20, 5, 20


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=30)
    args = parser.parse_args()

    from tests.throwaway import PostgresCluster

    with PostgresCluster(extra_conf=["shared_buffers = 256MB", "work_mem = 16MB"]) as pg:
        url = pg.create_database("reconcile")
        os.environ.update(
            DATABASE_URL=url, DATABASE_POOL="0", DEBUG="1", DJANGO_SETTINGS_MODULE="tests.settings"
        )
        import django

        django.setup()
        import logging

        import psycopg
        from django.core.management import call_command
        from django.db import connection, transaction
        from django.test.utils import CaptureQueriesContext

        from sms_gateway.sending import reconcile
        from tests.dashboard_data import copy_into_postgres

        call_command("migrate", verbosity=0)
        logging.getLogger("sms_gateway.sms").setLevel(logging.ERROR)  # one WARNING a pass
        now = datetime.now(UTC)
        t0 = time.perf_counter()
        with psycopg.connect(url, autocommit=True) as conn:
            copy_into_postgres(conn, args.rows, args.days, now)
            # The newest rows, still accepted: most in flight, a few past the cutoff.
            conn.execute(
                "UPDATE sms_gateway_message SET status = 'accepted', created_at = "
                "now() - interval '2 seconds' WHERE id IN (SELECT id FROM "
                "sms_gateway_message ORDER BY created_at DESC LIMIT %s)",
                [IN_FLIGHT + LEFT_BEHIND],
            )
            conn.execute(
                "UPDATE sms_gateway_message SET created_at = now() - interval '10 minutes' "
                "WHERE id IN (SELECT id FROM sms_gateway_message WHERE status = 'accepted' "
                "LIMIT %s)",
                [LEFT_BEHIND],
            )
            conn.execute("VACUUM ANALYZE sms_gateway_message")
            size = conn.execute(
                "SELECT pg_size_pretty(pg_total_relation_size('sms_gateway_message')), "
                "pg_size_pretty(pg_relation_size('message_accepted_idx'))"
            ).fetchone()
        print(f"{args.rows:,} rows over {args.days} days loaded in "
              f"{time.perf_counter() - t0:.0f} s; table with indexes: {size[0]}, "
              f"message_accepted_idx: {size[1]}")  # fmt: skip

        def one_pass() -> tuple[float, int, str]:
            """reconcile() as a worker runs it, rolled back; its time, count and UPDATE."""
            with CaptureQueriesContext(connection) as queries, transaction.atomic():
                t = time.perf_counter()
                count = reconcile.reconcile()
                elapsed = (time.perf_counter() - t) * 1000
                transaction.set_rollback(True)
            [update] = [q["sql"] for q in queries if q["sql"].startswith("UPDATE")]
            return elapsed, count, update

        def explain(sql: str, before: str = "") -> str:
            with transaction.atomic(), connection.cursor() as cursor:
                if before:
                    cursor.execute(before)
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
                plan = "\n".join(row[0] for row in cursor.fetchall())
                transaction.set_rollback(True)
            return plan

        one_pass()  # warm the connection and the cache, as a running worker has them
        passes = [one_pass() for _ in range(PASSES)]
        times = [t for t, _, _ in passes]
        count, update = passes[0][1], passes[0][2]
        print(f"\nreconcile(): {count} row(s) marked per pass; median of {PASSES} passes "
              f"{statistics.median(times):.2f} ms (min {min(times):.2f}, "
              f"max {max(times):.2f})")  # fmt: skip
        print(f"\n{update}\n\nplan with message_accepted_idx:")
        print(explain(update))

        drop = "DROP INDEX message_accepted_idx"
        without = []
        for _ in range(5):
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(drop)
                t = time.perf_counter()
                cursor.execute(update)
                without.append((time.perf_counter() - t) * 1000)
                transaction.set_rollback(True)
        print(f"\nwithout the partial index (before 0005): median of 5 "
              f"{statistics.median(without):.0f} ms (min {min(without):.0f}, "
              f"max {max(without):.0f}); plan:")  # fmt: skip
        print(explain(update, before=drop))
        connection.close()


if __name__ == "__main__":
    main()
