"""Sending one SMS for Logto, stage by stage.

1. prepare  (pure)  locale → template → render → mask → encoding → route
2. guard            ordered policy steps (``SMS_GUARD``) that may refuse it
3. record   1 SQL   the message, before anything is sent; the connection goes back
                    (no database: 503, nothing sent)
4. deliver          the route's providers in order, under the deadline
5. finalize 1 SQL   the final status with the attempts; log line; metrics

A refused message skips 3 and 4 and is recorded once, by finalize, with its reason.
An unexpected error once the message is recorded (a bug) leaves it ``unknown``, not
``failed``: a provider may have taken the SMS before it struck.
"""

from __future__ import annotations

import logging
import time
import uuid
from dataclasses import replace

from django.conf import settings
from django.db import InterfaceError, OperationalError

from ..catalog import snapshot
from ..core.composition import TextOptions
from ..core.errors import RecordUnavailable, SendFailed
from ..core.routing import RouteRule
from ..models import Message
from ..ops.log_format import describe_exception, traceback_text
from .deliver import deliver
from .durability import retrying
from .finalize import finalize, refused
from .guard import check
from .prepare import prepare
from .record import record, release_connection
from .state import Delivery, Draft, Outcome, SmsRequest

logger = logging.getLogger("sms_gateway.sms")


def send(request: SmsRequest, route: RouteRule | None = None) -> Outcome:
    """Send one SMS; always returns with its final status recorded.

    ``route``: the admin's test SMS forces this route instead of the chosen one."""
    started = time.monotonic()
    try:
        # Read from the tables only on a change or in a new process: retried like a write.
        catalog = retrying(
            lambda: snapshot.current(request.tenant),
            started + settings.SMS_RECORD_RETRY_SECONDS,
        )
    except (OperationalError, InterfaceError) as err:  # no snapshot yet, no database
        raise RecordUnavailable("the database is unavailable; nothing was sent") from err
    if route is not None:
        catalog = replace(catalog, routes=(route,))
    draft = prepare(
        request,
        catalog,
        settings.SMS_DEFAULT_LOCALE,
        uuid.uuid4(),
        TextOptions.from_settings(),
    )
    if draft.refusal is None:
        refusal, flags = check(draft)
        draft = replace(draft, refusal=refusal, flags=flags)
    if draft.refusal is not None:
        return finalize(draft, refused(draft), started, recorded=False)

    try:
        retrying(lambda: record(draft), time.monotonic() + settings.SMS_RECORD_RETRY_SECONDS)
    except (OperationalError, InterfaceError) as err:
        raise RecordUnavailable("the database is unavailable; nothing was sent") from err
    release_connection()
    try:
        delivery = deliver(draft, deadline=started + settings.SMS_DEADLINE)
    except Exception as err:  # a bug past every provider's own error handling
        delivery = _unknown(draft, err)
    except BaseException as err:  # the worker is stopping: record what we know, then stop
        finalize(draft, _unknown(draft, err), started, recorded=True)
        raise
    return finalize(draft, delivery, started, recorded=True)


def _unknown(draft: Draft, err: BaseException) -> Delivery:
    """The truthful outcome of an error we did not expect after the record: a provider
    may have taken the SMS before it struck, so it is not ``failed`` but ``unknown``."""
    logger.error(
        "unexpected error while sending, outcome unknown: %s\n%s",
        describe_exception(err),
        traceback_text(err),
        extra={"request_id": draft.request.request_id, "message_id": str(draft.message_id)},
    )
    return Delivery(
        Message.Status.UNKNOWN,
        error=f"internal error: {type(err).__name__} (see the log)",
        # Logto gets the 502 of an SMS no provider took: the user may ask for another code.
        exception=SendFailed("internal error; the outcome is unknown"),
    )
