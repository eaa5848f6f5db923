"""Writing the record when the database stumbles, so that what Logto hears is true.

The INSERT before sending is retried for ``SMS_RECORD_RETRY_SECONDS``; if the
database stays away, nothing is sent and Logto hears 503 (true: not sent).
The UPDATE after sending is retried until the request's deadline plus that
margin; if it still fails, the answer still tells what the provider did (a sent
SMS is a 200) and one ERROR line carries the message id, the outcome and the
provider's message id, so nothing is lost: the row, left ``accepted``, is later
marked ``unknown`` by the reconciler (``reconcile.py``).
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable
from typing import TypeVar

from django.db import InterfaceError, OperationalError, connection

logger = logging.getLogger("sms_gateway.sms")
T = TypeVar("T")
BACKOFF = (0.05, 0.1, 0.2, 0.4, 0.8)


def retrying(write: Callable[[], T], until: float) -> T:
    """Run ``write``; on a lost database, take a fresh connection and try again until
    ``until`` (time.monotonic()). The last error is raised."""
    attempt = 0
    while True:
        try:
            return write()
        except (OperationalError, InterfaceError):
            if connection.in_atomic_block:
                raise  # inside a transaction (tests): not ours to retry
            with contextlib.suppress(Exception):
                connection.close()  # a broken connection goes back and is discarded
            pause = BACKOFF[min(attempt, len(BACKOFF) - 1)]
            if time.monotonic() + pause >= until:
                raise
            time.sleep(pause)
            attempt += 1
