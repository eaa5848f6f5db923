"""The rollup is built at deploy and by the workers, never by a page view: real gunicorn."""

import re
import sqlite3
import time

from .services import Gunicorn, manage, production_env

SEED = (
    "from django.utils import timezone; from tests.dashboard_data import insert_orm; "
    "insert_orm(400, days=10, now=timezone.now())"
)


def rolled_up_days(database) -> int:  # noqa: ANN001
    with sqlite3.connect(database) as db:
        return db.execute(
            "SELECT count(DISTINCT day) FROM sms_gateway_deliverystatsday"
        ).fetchone()[0]


def test_setup_and_the_workers_roll_the_closed_days_up(tmp_path):
    database = tmp_path / "gateway.sqlite3"
    env = production_env(DATABASE_URL=f"sqlite:///{database}", STATIC_ROOT=str(tmp_path / "s"))
    assert manage(env, "migrate").returncode == 0
    assert manage(env, "shell", "-c", SEED).returncode == 0
    setup = manage(env, "setup")  # every deploy
    assert setup.returncode == 0, setup.stderr
    said = re.search(
        r"Dashboard rollup: (\d+) closed day\(s\) of the last 90 built in", setup.stdout
    )
    built = int(said.group(1))
    assert built >= 6 and rolled_up_days(database) == built  # 10 days, the last 3-4 open

    # Days that closed since the deploy: the workers' pass, not a page view, builds them.
    with sqlite3.connect(database) as db:
        db.execute("DELETE FROM sms_gateway_deliverystatsday")
    server = Gunicorn({**env, "SMS_ROLLUP_INTERVAL": "1"}, tmp_path)
    try:
        server.wait_ready()
        deadline = time.monotonic() + 30
        while rolled_up_days(database) < built and time.monotonic() < deadline:
            time.sleep(0.2)
        assert rolled_up_days(database) == built, server.stderr
        assert f"rolled up {built} closed day(s) for the dashboard" in server.stderr
    finally:
        server.stop()
