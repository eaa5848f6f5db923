"""A slow provider costs threads, never database connections.

gunicorn in its production shape (2 workers, the default threads) on a
throwaway PostgreSQL allowing 12 connections, each worker's pool capped at 4,
and a provider answering after 300 ms: 200 requests at once must all be sent
and recorded once. A thread that held its connection while waiting would
exhaust the pool (8 connections for 128 waiting threads) and fail.
"""

import glob
import os
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest
import requests

from .conftest import TWILIO_SID, TWILIO_TOKEN, distinct_user, logto_body
from .fakes import FakeTwilio
from .services import PROD_TOKEN, Gunicorn, manage, production_env
from .throwaway import PostgresCluster

pytestmark = pytest.mark.skipif(
    not glob.glob("/usr/lib/postgresql/*/bin/initdb") and not os.environ.get("REQUIRE_SERVICES"),
    reason="needs PostgreSQL's binaries",
)

CONCURRENT = 200


@pytest.fixture
def postgres():
    with PostgresCluster(max_connections=12) as cluster:
        yield cluster


def test_200_concurrent_requests_with_a_300_ms_provider(postgres, tmp_path):
    database = postgres.create_database("gateway")
    fake = FakeTwilio(TWILIO_SID, TWILIO_TOKEN)
    fake.latency = 0.3
    env = production_env(
        DATABASE_URL=database,
        DATABASE_POOL_MAX_SIZE="4",
        STATIC_ROOT=str(tmp_path / "static"),
        SMS_PROVIDERS=(
            '{"twilio": {"BACKEND": "sms_gateway.providers.twilio.TwilioProvider", "OPTIONS": '
            f'{{"ACCOUNT_SID": "{TWILIO_SID}", "AUTH_TOKEN": "{TWILIO_TOKEN}", '
            f'"FROM": "+15005550006", "API_BASE_URL": "{fake.url}"}}}}}}'
        ),
        SMS_DEFAULT_PROVIDERS="twilio",
    )
    setup = manage(env, "setup")
    assert setup.returncode == 0, setup.stderr
    server = Gunicorn(env, tmp_path, workers=2)
    peak = {"connections": 0}
    stop = threading.Event()

    def watch_connections() -> None:
        with psycopg.connect(database, autocommit=True) as conn:
            while not stop.is_set():
                (count,) = conn.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = 'gateway' "
                    "AND pid <> pg_backend_pid()"
                ).fetchone()
                peak["connections"] = max(peak["connections"], count)
                time.sleep(0.02)

    try:
        server.wait_ready()
        headers = {"Authorization": PROD_TOKEN, "X-Forwarded-Proto": "https"}
        users = [distinct_user(n) for n in range(CONCURRENT)]  # the guard sees 200 users
        local = threading.local()

        def post(user: dict) -> requests.Response:
            if not hasattr(local, "session"):
                local.session = requests.Session()
                local.session.trust_env = False
            return local.session.post(
                f"{server.url}/sms/send", json=logto_body(**user), headers=headers, timeout=60
            )

        watcher = threading.Thread(target=watch_connections, daemon=True)
        watcher.start()
        with ThreadPoolExecutor(max_workers=CONCURRENT) as pool:
            responses = list(pool.map(post, users))
        stop.set()
        watcher.join(5)

        statuses = [r.status_code for r in responses]
        if statuses != [200] * CONCURRENT:
            with psycopg.connect(database) as conn:
                failed = conn.execute(
                    "SELECT attempts FROM sms_gateway_message WHERE status <> 'sent' LIMIT 3"
                ).fetchall()
            answers = Counter(statuses)
            pytest.fail(f"{CONCURRENT - answers[200]} not sent ({answers}); attempts: {failed}")
        assert len(fake.received) == CONCURRENT
        with psycopg.connect(database) as conn:
            rows = conn.execute(
                'SELECT status, count(*), count(DISTINCT "to"), '
                "sum(jsonb_array_length(attempts)) FROM sms_gateway_message GROUP BY status"
            ).fetchall()
        assert rows == [("sent", CONCURRENT, CONCURRENT, CONCURRENT)]
        assert peak["connections"] <= 2 * 4  # two workers' pools, never one per thread
        assert "too many clients" not in server.stderr
    finally:
        stop.set()
        server.stop()
        fake.stop()
