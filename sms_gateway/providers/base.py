"""The small contract every SMS provider implements.

A provider is chosen by dotted path in ``SMS_PROVIDERS`` (like Django's email
backends). It gets its alias and its ``OPTIONS`` as keyword arguments, turns an
``OutgoingSMS`` into one request to its API and either returns a ``SendResult``
or raises ``ProviderError``. Retrying and failover are the gateway's decisions,
never the provider's. Anything else a provider raises is a bug of ours (or an SDK
that changed under us): the caller logs and counts it (``sending/deliver.py``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, ClassVar

import requests
import urllib3.exceptions
from django.core.exceptions import ImproperlyConfigured

from ..core.errors import Category, ProviderError
from ..ops.log_format import describe_exception
from . import deadline
from .deadline import DeadlineExceeded

logger = logging.getLogger("sms_gateway.providers")

# What an SDK's HTTP layer raises for a timeout, a refused or dropped connection, an
# answer cut short: requests' (Vonage) or urllib3's (Twilio, see twilio.py) own.
TRANSPORT_ERRORS = (requests.RequestException, urllib3.exceptions.HTTPError, DeadlineExceeded)
TIMEOUTS = (requests.Timeout, urllib3.exceptions.TimeoutError)
READ_TIMEOUTS = (requests.ReadTimeout, urllib3.exceptions.ReadTimeoutError)


@dataclass(frozen=True)
class OutgoingSMS:
    to: str  # E.164 with '+'
    text: str  # holds the one-time code: never log it
    masked_text: str  # the same text with the code masked, for display
    sender: str  # from the route; '' = the provider's default
    reference: str  # our message id, for the provider's client reference
    unicode: bool  # the text is not GSM-7
    receipt_url: str = ""  # where this SMS's delivery receipts go ('' = the account's setting)
    # India's DLT registration (core/senders.py), for providers whose API takes them.
    dlt_entity_id: str = ""
    dlt_template_id: str = ""


@dataclass(frozen=True)
class SendResult:
    provider_message_id: str
    status: str = ""  # the provider's own word for it, for the record


class BaseProvider:
    #: option name -> default; an option not listed is a configuration error.
    options: ClassVar[dict[str, Any]] = {}
    #: options that must be given (non-empty).
    required: ClassVar[tuple[str, ...]] = ()
    #: the webhook that takes this provider's delivery receipts (``/webhooks/<receipts>/<alias>``,
    #: see delivery/callbacks.py); '' = none. The caller puts the URL in ``OutgoingSMS``.
    receipts: ClassVar[str] = ""
    #: its receipts do not carry our reference, so the receipt URL does (``?ref=``)
    reference_in_receipt_url: ClassVar[bool] = False

    def __init__(self, alias: str, **options: Any) -> None:
        self.alias = alias
        unknown = sorted(set(options) - set(self.options))
        if unknown:
            raise ImproperlyConfigured(
                f"SMS_PROVIDERS[{alias!r}]['OPTIONS'] has unknown option(s) {', '.join(unknown)}; "
                f"{type(self).__name__} accepts: {', '.join(sorted(self.options)) or 'none'}."
            )
        missing = [name for name in self.required if not options.get(name)]
        if missing:
            raise ImproperlyConfigured(
                f"SMS_PROVIDERS[{alias!r}]['OPTIONS'] must set {', '.join(missing)}."
            )
        self.config = {**self.options, **options}

    def send(self, sms: OutgoingSMS, timeout: float) -> SendResult:
        """Send one SMS within ``timeout`` seconds; at most one request to the provider."""
        raise NotImplementedError

    def default_sender(self) -> str:
        """What this alias sends from when the route names no sender (sender rules)."""
        return str(self.config.get("FROM", "") or "")

    def receipt_url_problem(self, url: str) -> str:
        """'' when this alias can send SMS whose receipt URL is ``url`` (a startup check:
        the caller builds the URL, see sending/deliver.py)."""
        return ""

    def close(self) -> None:
        """Release pooled connections (tests, shutdown)."""

    @contextmanager
    def transport_errors(self) -> Iterator[None]:
        """Translate what ``requests`` or urllib3 raises under an SDK, and an answer we
        cannot read.

        A failure after the request was sent (a timeout, a dropped connection, the
        wall-clock limit) is ambiguous: the provider may have taken the SMS. A
        ``TypeError``, ``ValueError`` or ``KeyError`` is the provider's unreadable
        answer only when an answer came (a 2xx whose body is not the documented JSON:
        json and pydantic errors are ValueErrors, Vonage's SDK raises TypeError);
        before that it is a bug of ours or an SDK incompatibility, and goes up as is.
        """
        with deadline.tracking() as call:
            try:
                yield
            except (TypeError, ValueError, KeyError) as err:
                # Checked first: some of requests' errors are ValueErrors too (a JSON
                # body it cannot decode: unreadable; an invalid URL: ours).
                if call.cut:
                    raise self._transport_error(err, call) from err
                if not call.answered:
                    raise
                raise self.unreadable_answer(err) from err
            except TRANSPORT_ERRORS as err:
                # Timeouts, refused or dropped connections, an answer cut short.
                raise self._transport_error(err, call) from err

    def _transport_error(self, err: Exception, call: deadline.Call) -> ProviderError:
        # urllib3 2 makes a refused connection or an unknown host a ConnectTimeoutError
        # (NewConnectionError): a failed connection, as requests reports it.
        refused = isinstance(err, urllib3.exceptions.NewConnectionError)
        timed_out = call.cut or (isinstance(err, TIMEOUTS) and not refused)
        return ProviderError(
            self.alias,
            Category.UNAVAILABLE,
            "timed out" if timed_out else "connection failed",
            ambiguous=call.sent or isinstance(err, READ_TIMEOUTS),
        )

    def unreadable_answer(self, err: Exception) -> ProviderError:
        """The provider answered something we cannot read: its fault, it fails over."""
        logger.warning(
            "provider %s sent an unreadable answer: %s",
            self.alias,
            describe_exception(err),
            extra={"provider": self.alias},
        )
        return ProviderError(self.alias, Category.UNAVAILABLE, "unreadable answer")
