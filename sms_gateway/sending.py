"""The send path: record, route, try each provider in order, record the outcome."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field, replace
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from . import catalog, encoding, locales, metrics, routing, selection
from .errors import (
    Category,
    GatewayError,
    NoTemplate,
    ProviderError,
    RecipientRejected,
    SendFailed,
)
from .log_format import describe_exception
from .masking import render_masked
from .models import Attempt, Message
from .phone import PhoneNumber, mask
from .providers import OutgoingSMS, get_provider
from .rendering import render

logger = logging.getLogger("sms_gateway.sms")

# Below this, an attempt could not finish anyway.
MIN_ATTEMPT_SECONDS = 0.2


@dataclass(frozen=True)
class SmsRequest:
    to: PhoneNumber
    type: str
    payload: dict[str, Any]
    ip: str | None = None
    request_id: str = ""


@dataclass
class Outcome:
    message: Message
    attempts: list[Attempt] = field(default_factory=list)
    error: GatewayError | None = None
    route: str = ""  # label of the route chosen, for the log line


def send(request: SmsRequest) -> Outcome:
    """Send one SMS for Logto; always returns with the message's final status recorded."""
    started = time.monotonic()
    payload = request.payload
    current = catalog.current()
    candidates = locales.candidates(
        _text(payload.get("locale")),
        _text(payload.get("uiLocales")),
        request.to.region,
        settings.SMS_DEFAULT_LOCALE,
    )
    message = Message(
        to=request.to.e164,
        country=request.to.region or "",
        type=request.type,
        requested_locale=_text(payload.get("locale"))[:100],
        ui_locales=_text(payload.get("uiLocales"))[:200],
        ip=request.ip,
    )
    outcome = Outcome(message)
    try:
        chosen = selection.select(current, request.type, candidates)
    except NoTemplate as err:
        message.status, message.error = Message.Status.FAILED, "no template for this message"
        message.save()
        outcome.error = err
        _log(request, outcome, started)
        return outcome

    text = render(chosen.text, payload)
    analysis = encoding.analyze(text)
    message.template_type, message.locale = chosen.type, chosen.locale
    message.body = render_masked(chosen.text, payload)
    message.encoding, message.segments = analysis.encoding, analysis.segments
    message.save()  # recorded before anything is sent

    sms = OutgoingSMS(
        to=request.to.e164,
        text=text,
        masked_text=message.body,
        sender="",
        reference=str(message.pk),  # 36 characters: within Vonage's 40 for client-ref
        unicode=analysis.is_unicode,
    )
    route = routing.choose(current.routes, request.to.digits, request.to.region)
    outcome.route = route.label if route else ""
    try:
        outcome.error = _dispatch(message, route, sms, started, outcome.attempts)
    finally:
        if message.status == Message.Status.ACCEPTED:  # an unexpected error escaped
            message.status, message.error = Message.Status.FAILED, "internal error"
        message.save()
        _log(request, outcome, started)
    return outcome


def _dispatch(
    message: Message,
    route: routing.RouteRule | None,
    sms: OutgoingSMS,
    started: float,
    attempts: list[Attempt],
) -> GatewayError | None:
    if route is None or not route.hops:
        message.status = Message.Status.REJECTED
        message.error = "no provider is enabled for this destination"
        return RecipientRejected("SMS to this destination is not enabled")
    deadline = started + settings.SMS_DEADLINE
    last_error: ProviderError | None = None
    for position, hop in enumerate(route.hops, start=1):
        remaining = deadline - time.monotonic()
        if remaining < MIN_ATTEMPT_SECONDS:
            break
        attempt = Attempt(message=message, provider=hop.provider, started_at=timezone.now())
        t0 = time.monotonic()
        try:
            provider = get_provider(hop.provider)
            result = provider.send(
                _with_sender(sms, hop.sender), timeout=min(settings.SMS_ATTEMPT_TIMEOUT, remaining)
            )
        except ProviderError as err:
            last_error = err
        except ImproperlyConfigured:
            last_error = ProviderError(
                hop.provider, Category.PROVIDER_CONFIG, "alias not configured"
            )
        except Exception as err:  # a provider bug must not stop failover
            logger.error(
                "provider %s raised an unexpected error: %s", hop.provider, describe_exception(err)
            )
            last_error = ProviderError(hop.provider, Category.UNAVAILABLE, type(err).__name__)
        else:
            attempt.outcome = Attempt.Outcome.SENT
            attempt.provider_message_id = result.provider_message_id[:100]
            _finish(attempt, t0, attempts)
            message.status, message.error = Message.Status.SENT, ""
            message.provider = hop.provider
            message.provider_message_id = result.provider_message_id[:100]
            return None
        attempt.outcome = Attempt.Outcome.FAILED
        attempt.category, attempt.error_code = last_error.category, last_error.code[:32]
        attempt.error = last_error.message[:300]
        _finish(attempt, t0, attempts)
        if last_error.fails_over:
            if position < len(route.hops):
                metrics.FAILOVERS.labels(hop.provider, last_error.category).inc()
        else:
            message.status = Message.Status.REJECTED
            message.provider = hop.provider
            message.error = f"{hop.provider}: {last_error.message}"[:300]
            return RecipientRejected("the number is invalid or cannot receive SMS")
    message.status = Message.Status.FAILED
    if last_error is None:
        message.error = "deadline exceeded before any provider was tried"
    else:
        message.error = f"all providers failed; last: {last_error.provider}: {last_error.message}"[
            :300
        ]
    return SendFailed(message.error)


def _with_sender(sms: OutgoingSMS, sender: str) -> OutgoingSMS:
    return replace(sms, sender=sender) if sender else sms


def _finish(attempt: Attempt, t0: float, attempts: list[Attempt]) -> None:
    seconds = time.monotonic() - t0
    attempt.duration_ms = int(seconds * 1000)
    attempt.save()
    metrics.PROVIDER_LATENCY.labels(attempt.provider, attempt.outcome).observe(seconds)
    attempts.append(attempt)


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _log(request: SmsRequest, outcome: Outcome, started: float) -> None:
    message = outcome.message
    metrics.SMS.labels(
        message.template_type or message.type, message.provider, message.country, message.status
    ).inc()
    logger.info(
        "sms %s",
        message.status,
        extra={
            "request_id": request.request_id,
            "message_id": str(message.pk),
            "to": mask(message.to),
            "country": message.country,
            "type": message.type,
            "locale": message.locale,
            "route": outcome.route,
            "provider": message.provider,
            "attempts": len(outcome.attempts),
            "status": message.status,
            "segments": message.segments,
            "duration_ms": int((time.monotonic() - started) * 1000),
        },
    )
