"""When the dashboard's rollup is built: never on a page view.

``refresh()`` rolls up every closed day of the last ``ROLLUP_DAYS`` that has no
rollup yet (or one built before the day closed). It runs

- at deploy: ``manage.py setup`` calls it (the first run on a large table takes
  seconds: about 0.1 s a day on 1,000,000 records), and ``manage.py
  rollup_deliveries`` runs it on its own, for cron;
- every ``SMS_ROLLUP_INTERVAL`` seconds (an hour) in each gunicorn worker started
  with the project's config (``gunicorn_conf.post_worker_init``), so a day is
  rolled up within the hour it closes; the dashboard groups it live meanwhile;
- before ``purge_messages`` deletes records (their days must be rolled up first).

One pass at a time across the deployment, like the reconciler: on PostgreSQL a
pass holds a transaction-level advisory lock, and a process that finds it taken
skips its pass. A pass with nothing to build is one small query and an index
probe per closed day without records.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ..ops import periodic
from . import rollup

logger = logging.getLogger("sms_gateway.dashboard")

ROLLUP_DAYS = 90  # the dashboard's longest range
LOCK_KEY = 0x736D735F726C70  # "sms_rlp": pg_try_advisory_xact_lock's key, ours alone


def refresh(
    days: int = ROLLUP_DAYS, now: datetime | None = None, rebuild: bool = False
) -> int | None:
    """Roll up the closed days of the last ``days`` that need it (all of them with
    ``rebuild``); returns how many, or None when another process's pass holds the lock."""
    now = now or timezone.now()
    first, last = (now - timedelta(days=days)).date(), now.date()
    with transaction.atomic():
        if not periodic.only_pass(LOCK_KEY):
            return None
        if not rebuild:
            return rollup.ensure_days(first, last, now)
        count, day = 0, first
        while day <= last and rollup.is_closed(day, now):
            rollup.build_day(day, now)
            count, day = count + 1, day + timedelta(days=1)
        return count


def start_background() -> None:
    """Refresh now, then every SMS_ROLLUP_INTERVAL seconds, in a daemon thread (once
    per process)."""

    def job() -> None:
        built = refresh()
        if built:
            logger.info("rolled up %d closed day(s) for the dashboard", built)

    periodic.start(
        "sms-rollup", job, lambda: settings.SMS_ROLLUP_INTERVAL, "dashboard rollup failed"
    )
