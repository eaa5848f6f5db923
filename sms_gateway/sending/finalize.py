"""Stage 5: the one place that sets the final status, saves it, logs it and counts it."""

from __future__ import annotations

import logging
import time

from django.conf import settings
from django.db import InterfaceError, OperationalError

from ..core.errors import NoTemplate, RecipientRejected
from ..core.phone import mask
from ..models import Message
from ..ops import metrics
from . import statements
from .durability import retrying
from .record import row
from .state import Delivery, Draft, Outcome

logger = logging.getLogger("sms_gateway.sms")


def finalize(draft: Draft, delivery: Delivery, started: float, recorded: bool) -> Outcome:
    """One UPDATE when ``record`` inserted the message, else one INSERT with the outcome."""
    final = {
        "status": delivery.status,
        "provider": delivery.provider,
        "provider_message_id": delivery.provider_message_id,
        "error": delivery.error,
        "attempts": [attempt.as_json() for attempt in delivery.attempts],
    }
    until = started + settings.SMS_DEADLINE + settings.SMS_RECORD_RETRY_SECONDS
    try:
        if recorded:
            retrying(lambda: statements.update_outcome(draft.message_id, **final), until)
        else:  # a refusal is never recorded before: its kind goes in this INSERT
            kind = refusal_kind(draft.refusal) if draft.refusal is not None else ""
            retrying(lambda: statements.insert(**row(draft, **final, refusal=kind)), until)
    except (OperationalError, InterfaceError):
        # What the provider did stands: the answer says it. This line is the record.
        logger.error(
            "sms outcome not recorded: database unavailable",
            extra={
                "request_id": draft.request.request_id,
                "message_id": str(draft.message_id),
                "status": delivery.status,
                "provider": delivery.provider,
                "provider_message_id": delivery.provider_message_id,
            },
        )
    outcome = Outcome(
        message_id=draft.message_id,
        status=delivery.status,
        provider=delivery.provider,
        locale=draft.locale,
        segments=draft.segments,
        route=draft.route_label,
        attempts=delivery.attempts,
        error=delivery.exception,
    )
    _count_and_log(draft, outcome, started)
    return outcome


def refused(draft: Draft) -> Delivery:
    """The Delivery of a message that is not sent: no template, blocked route, guard."""
    refusal = draft.refusal
    status = Message.Status.FAILED if isinstance(refusal, NoTemplate) else Message.Status.REJECTED
    reason = getattr(refusal, "reason", "")
    error = f"guard: {reason}: {refusal}" if reason else str(refusal)
    return Delivery(status, error=error[:300], exception=refusal)


def refusal_kind(refusal: Exception) -> str:
    """The word the admin filters refusals on: ``rate_limited`` for a guard reason
    ``rate_limited:recipient``, ``route`` for a country no route sends to. Pure."""
    if isinstance(refusal, NoTemplate):
        return Message.Refusal.NO_TEMPLATE
    if isinstance(refusal, RecipientRejected):
        return Message.Refusal.ROUTE
    word = getattr(refusal, "reason", "").split(":", 1)[0]
    return word if word in Message.Refusal.values else Message.Refusal.OTHER


def _count_and_log(draft: Draft, outcome: Outcome, started: float) -> None:
    request = draft.request
    country = request.to.region or ""
    metrics.SMS.labels(
        draft.template_type or request.type, outcome.provider, country, outcome.status
    ).inc()
    logger.info(
        "sms %s",
        outcome.status,
        extra={
            "request_id": request.request_id,
            "message_id": str(outcome.message_id),
            "to": mask(request.to.e164),
            "country": country,
            "type": request.type,
            "locale": outcome.locale,
            "route": outcome.route,
            "provider": outcome.provider,
            "attempts": len(outcome.attempts),
            "status": outcome.status,
            "segments": outcome.segments,
            "duration_ms": int((time.monotonic() - started) * 1000),
        },
    )
