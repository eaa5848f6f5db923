"""Stage 4: the route's providers, in order, under the request's deadline. No database.

Each attempt gets ``min(SMS_ATTEMPT_TIMEOUT, time left)`` of wall-clock time,
enforced by ``providers.deadline`` however slowly the provider answers; none
starts with less than ``MIN_ATTEMPT_SECONDS`` left. An attempt that failed after
its request was sent is recorded as ``ambiguous``. A recipient-side refusal stops there
(the next provider would refuse too); anything else moves on to the next hop,
including a bug in a provider adapter (category ``internal``: logged at ERROR with its
traceback and counted, never taken for the provider's fault).

Each provider gets its receipt URL from here (``OutgoingSMS.receipt_url``): the
providers layer does not know the gateway's URLs.
"""

from __future__ import annotations

import logging
import time
import uuid
from dataclasses import replace
from datetime import UTC, datetime

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from ..core import senders
from ..core.errors import Category, ProviderError, RecipientRejected, SendFailed
from ..core.routing import Hop
from ..delivery.callbacks import callback_url
from ..models import Message
from ..ops import metrics
from ..ops.log_format import describe_exception, traceback_text
from ..providers import (
    BaseProvider,
    OutgoingSMS,
    SendResult,
    build_provider,
    deadline,
    get_provider,
)
from .state import AttemptRecord, Delivery, Draft

logger = logging.getLogger("sms_gateway.sms")

# Below this, an attempt could not finish anyway.
MIN_ATTEMPT_SECONDS = 0.2


def deliver(draft: Draft, deadline: float) -> Delivery:
    sms = OutgoingSMS(
        to=draft.request.to.e164,
        text=draft.text,
        masked_text=draft.body,
        sender="",
        reference=str(draft.message_id),  # 36 characters: within Vonage's 40 for client-ref
        unicode=draft.unicode,
    )
    hops = draft.route.hops if draft.route else ()
    attempts: list[AttemptRecord] = []
    last_error: ProviderError | None = None
    for position, hop in enumerate(hops, start=1):
        remaining = deadline - time.monotonic()
        if remaining < MIN_ATTEMPT_SECONDS:
            break
        attempt, result, error = _attempt(
            hop, sms, min(settings.SMS_ATTEMPT_TIMEOUT, remaining), draft
        )
        attempts.append(attempt)
        if result is not None:
            return Delivery(
                Message.Status.SENT,
                provider=hop.provider,
                provider_message_id=attempt.provider_message_id,
                attempts=tuple(attempts),
            )
        last_error = error
        if not error.fails_over:
            return Delivery(
                Message.Status.REJECTED,
                provider=hop.provider,
                error=f"{hop.provider}: {error.message}"[:300],
                exception=RecipientRejected("the number is invalid or cannot receive SMS"),
                attempts=tuple(attempts),
            )
        if position < len(hops):
            metrics.FAILOVERS.labels(hop.provider, error.category).inc()
    if last_error is None:
        detail = "deadline exceeded before any provider was tried"
    else:
        detail = f"all providers failed; last: {last_error.provider}: {last_error.message}"
    return Delivery(
        Message.Status.FAILED,
        error=detail[:300],
        exception=SendFailed(detail[:300]),
        attempts=tuple(attempts),
    )


def receipt_url(provider: BaseProvider, alias: str, reference: str) -> str:
    """Where ``provider`` posts the receipts of the SMS ``reference``; '' when it has no
    webhook here or ``SMS_PUBLIC_BASE_URL`` is not set."""
    if not provider.receipts:
        return ""
    return callback_url(
        provider.receipts, alias, reference if provider.reference_in_receipt_url else ""
    )


def receipt_url_problems() -> list[str]:
    """One line per provider alias that would refuse every SMS with the receipt URL built
    here (Vonage takes at most 100 characters), for a startup check (checks.py)."""
    problems = []
    for alias in settings.SMS_PROVIDERS:
        try:
            provider = build_provider(alias)
        except ImproperlyConfigured:
            continue  # check E002 names it
        try:
            url = receipt_url(provider, alias, str(uuid.UUID(int=0)))
            problem = provider.receipt_url_problem(url)
        finally:
            provider.close()
        if problem:
            problems.append(f"SMS_PROVIDERS[{alias!r}] under SMS_PUBLIC_BASE_URL: {problem}.")
    return problems


def _attempt(
    hop: Hop, sms: OutgoingSMS, timeout: float, draft: Draft
) -> tuple[AttemptRecord, SendResult | None, ProviderError | None]:
    started_at = datetime.now(UTC).isoformat()
    t0 = time.monotonic()
    result: SendResult | None = None
    error: ProviderError | None = None
    call: deadline.Call | None = None
    sender = hop.sender
    try:
        provider = get_provider(hop.provider)
        choice = _sender(hop, provider, draft)
        sender = choice.sender
        if not choice.usable:
            raise ProviderError(hop.provider, Category.PROVIDER_CONFIG, choice.reason)
        sms = replace(
            sms,
            sender=choice.sender or sms.sender,
            receipt_url=receipt_url(provider, hop.provider, sms.reference),
            dlt_entity_id=choice.dlt_entity_id,
            dlt_template_id=choice.dlt_template_id,
        )
        with deadline.wall_clock(timeout) as call:
            result = provider.send(sms, timeout)
    except ProviderError as err:
        error = err
    except ImproperlyConfigured:
        error = ProviderError(hop.provider, Category.PROVIDER_CONFIG, "alias not configured")
    except Exception as err:  # a bug in the adapter: logged and counted, and failover goes on
        error = _internal_error(hop.provider, err, sent=call is not None and call.sent)
    seconds = time.monotonic() - t0
    outcome = "sent" if result is not None else "ambiguous" if error.ambiguous else "failed"
    metrics.PROVIDER_LATENCY.labels(hop.provider, outcome).observe(seconds)
    attempt = AttemptRecord(
        provider=hop.provider,
        outcome=outcome,
        started_at=started_at,
        duration_ms=int(seconds * 1000),
        sender=sender,
        provider_message_id=(result.provider_message_id if result else "")[:100],
        category=str(error.category) if error else "",
        error_code=(error.code if error else "")[:32],
        error=(error.message if error else "")[:300],
    )
    return attempt, result, error


def _sender(hop: Hop, provider: BaseProvider, draft: Draft) -> senders.SenderChoice:
    """The sender this country takes from this provider (core/senders.py)."""
    choice = senders.decide(
        draft.request.to.region or "",
        hop.provider,
        hop.sender,
        provider.default_sender(),
        draft.sender_rules,
        draft.template_type,
        draft.locale,
    )
    if choice.reason:
        logger.debug(
            "sender for %s via %s: %s",
            draft.request.to.region,
            hop.provider,
            choice.reason,
            extra={"message_id": str(draft.message_id), "provider": hop.provider},
        )
    return choice


def _internal_error(alias: str, err: Exception, sent: bool) -> ProviderError:
    """A programming error inside a provider adapter (a wrong call to its SDK, an SDK
    that changed): ours to fix, not the provider's fault."""
    name = type(err).__name__
    metrics.PROVIDER_INTERNAL_ERRORS.labels(alias, name).inc()
    logger.error(
        "provider %s raised an unexpected error: %s\n%s",
        alias,
        describe_exception(err),
        traceback_text(err),
        extra={"provider": alias},
    )
    # Sent already: the provider may have taken it, as after a timeout.
    return ProviderError(alias, Category.INTERNAL, f"internal error: {name}", ambiguous=sent)
