"""Jobs every worker runs in the background, one pass at a time across the deployment.

The reconciler, the dashboard's rollup and the routing plans share this shape:
each gunicorn worker starts a daemon thread (``post_worker_init``) that runs the
job every N seconds; a pass holds a transaction-level PostgreSQL advisory lock,
so a worker finding it taken skips its turn (another is doing the same work).
SQLite serves one process: nothing to share.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from django.db import connection

logger = logging.getLogger("sms_gateway.sms")

_started: set[str] = set()
_lock = threading.Lock()


def only_pass(key: int) -> bool:
    """Take the deployment-wide lock ``key`` until the transaction ends, if it is free."""
    if connection.vendor != "postgresql":
        return True
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [key])
        return cursor.fetchone()[0]


def start(name: str, job: Callable[[], object], every: Callable[[], float], failed: str) -> None:
    """Run ``job`` now, then every ``every()`` seconds, in a daemon thread named ``name``
    (once per process). A failing pass logs ``failed`` and waits for the next one."""
    with _lock:
        if name in _started:
            return
        _started.add(name)

    def loop() -> None:
        while True:
            try:
                job()
            except Exception as err:  # the database may be away: try again next time
                logger.warning("%s: %s", failed, type(err).__name__)
            finally:
                connection.close()
            threading.Event().wait(every())

    threading.Thread(target=loop, name=name, daemon=True).start()
