"""No record stays ``accepted`` past its deadline.

A message is ``accepted`` from its INSERT until finalize writes the outcome,
at most ``SMS_DEADLINE`` + ``SMS_RECORD_RETRY_SECONDS`` later. One still
``accepted`` after that belongs to a process that died (a killed worker, a
lost machine) or could not write: the provider may or may not have sent it, so
it becomes ``unknown``, with whatever attempts it has. Each gunicorn worker runs
this every ``SMS_RECONCILE_INTERVAL`` seconds (``gunicorn_conf.post_worker_init``);
``manage.py reconcile_messages`` does the same once, for cron.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection
from django.utils import timezone

from ..models import Message

logger = logging.getLogger("sms_gateway.sms")

GRACE_SECONDS = 5.0
UNKNOWN_ERROR = "outcome unknown: the process stopped before recording what the provider did"


def cutoff(now: datetime) -> datetime:
    return now - timedelta(
        seconds=settings.SMS_DEADLINE + settings.SMS_RECORD_RETRY_SECONDS + GRACE_SECONDS
    )


def reconcile(now: datetime | None = None) -> int:
    """Mark stale ``accepted`` messages ``unknown``; returns how many."""
    now = now or timezone.now()
    count = Message.objects.filter(
        status=Message.Status.ACCEPTED, created_at__lt=cutoff(now)
    ).update(status=Message.Status.UNKNOWN, error=UNKNOWN_ERROR, updated_at=now)
    if count:
        logger.warning("reconciled %d message(s) left accepted past their deadline", count)
    return count


_started = threading.Event()


def start_background() -> None:
    """Reconcile every SMS_RECONCILE_INTERVAL seconds in a daemon thread (once per process)."""
    if _started.is_set():
        return
    _started.set()

    def loop() -> None:
        while True:
            try:
                reconcile()
            except Exception as err:  # the database may be away: try again next time
                logger.warning("reconciliation failed: %s", type(err).__name__)
            finally:
                connection.close()
            threading.Event().wait(settings.SMS_RECONCILE_INTERVAL)

    threading.Thread(target=loop, name="sms-reconcile", daemon=True).start()
