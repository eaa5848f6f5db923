"""No record stays ``accepted`` past its deadline.

A message is ``accepted`` from its INSERT until finalize writes the outcome,
at most ``SMS_DEADLINE`` + ``SMS_RECORD_RETRY_SECONDS`` later. One still
``accepted`` after that belongs to a process that died (a killed worker, a
lost machine) or could not write: the provider may or may not have sent it, so
it becomes ``unknown``, with whatever attempts it has. Each gunicorn worker runs
this every ``SMS_RECONCILE_INTERVAL`` seconds (``gunicorn_conf.post_worker_init``);
``manage.py reconcile_messages`` does the same once, for cron (or for a server
started without that config).

One pass at a time across the deployment: on PostgreSQL a pass holds a
transaction-level advisory lock, and a worker that finds it taken skips its
pass (another is doing the same work). Its UPDATE reads the partial index
``message_accepted_idx`` (only the rows still ``accepted``, a handful): an
index scan however large the table (docs/bench/reconcile_1m.py). SQLite serves
one process: nothing to share.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ..models import Message
from ..ops import periodic

logger = logging.getLogger("sms_gateway.sms")

GRACE_SECONDS = 5.0
# pg_try_advisory_xact_lock's key: any constant no other code of the database uses.
LOCK_KEY = 0x736D735F72636E  # "sms_rcn"
UNKNOWN_ERROR = "outcome unknown: the process stopped before recording what the provider did"


def cutoff(now: datetime) -> datetime:
    return now - timedelta(
        seconds=settings.SMS_DEADLINE + settings.SMS_RECORD_RETRY_SECONDS + GRACE_SECONDS
    )


def reconcile(now: datetime | None = None) -> int | None:
    """Mark stale ``accepted`` messages ``unknown``; returns how many, or None when
    another process's pass holds the lock (this one is skipped)."""
    now = now or timezone.now()
    with transaction.atomic():
        if not periodic.only_pass(LOCK_KEY):
            return None
        # status = 'accepted' is the partial index's condition: an index scan.
        count = Message.objects.filter(
            status=Message.Status.ACCEPTED, created_at__lt=cutoff(now)
        ).update(status=Message.Status.UNKNOWN, error=UNKNOWN_ERROR, updated_at=now)
    if count:
        logger.warning("reconciled %d message(s) left accepted past their deadline", count)
    return count


def start_background() -> None:
    """Reconcile every SMS_RECONCILE_INTERVAL seconds in a daemon thread (once per process)."""
    periodic.start(
        "sms-reconcile",
        reconcile,
        lambda: settings.SMS_RECONCILE_INTERVAL,
        "reconciliation failed",
    )
