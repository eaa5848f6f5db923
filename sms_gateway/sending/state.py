"""What flows from one stage of the send path to the next."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from ..core.errors import GatewayError
from ..core.phone import PhoneNumber
from ..core.routing import RouteRule
from ..fraud.config import GuardConfig


@dataclass(frozen=True)
class SmsRequest:
    """Logto's call, validated."""

    to: PhoneNumber
    type: str
    payload: dict[str, Any] = field(repr=False)  # holds the code
    ip: str | None = None
    request_id: str = ""
    sent_by: int | None = None  # the admin's test SMS: the operator's user id


@dataclass(frozen=True)
class Draft:
    """The SMS as prepared: what will be recorded and, unless refused, sent."""

    message_id: uuid.UUID
    request: SmsRequest
    requested_locale: str = ""
    ui_locales: str = ""
    template_type: str = ""
    locale: str = ""
    text: str = field(default="", repr=False)  # the text as sent: holds the code
    body: str = ""  # the text with the code masked: what is stored and shown
    encoding: str = ""
    segments: int = 0
    unicode: bool = False
    route: RouteRule | None = None  # its hops in the order they are tried
    route_reason: dict[str, Any] = field(default_factory=dict)  # why that order (not ordered)
    refusal: GatewayError | None = None  # set when it must not be sent
    flags: tuple[str, ...] = ()  # raised by the guard, kept in the record
    guard: GuardConfig | None = field(default=None, repr=False)  # from the catalog snapshot

    @property
    def route_label(self) -> str:
        return self.route.label if self.route else ""


@dataclass(frozen=True)
class AttemptRecord:
    """One try at one provider, stored in ``Message.attempts`` as a JSON object."""

    provider: str
    outcome: str  # "sent" | "failed" | "ambiguous" (failed after the request was sent)
    started_at: str  # ISO 8601, UTC
    duration_ms: int
    sender: str = ""
    provider_message_id: str = ""
    category: str = ""
    error_code: str = ""
    error: str = ""

    def as_json(self) -> dict[str, Any]:
        return {key: value for key, value in self.__dict__.items()}


@dataclass(frozen=True)
class Delivery:
    """What became of the SMS: the final status and everything the record keeps."""

    status: str  # a Message.Status value
    provider: str = ""
    provider_message_id: str = ""
    error: str = ""  # for the record and the operator, never for Logto
    exception: GatewayError | None = None  # what the caller answers, None when sent
    attempts: tuple[AttemptRecord, ...] = ()


@dataclass(frozen=True)
class Outcome:
    """What the caller needs to answer Logto."""

    message_id: uuid.UUID
    status: str
    provider: str
    locale: str
    segments: int
    route: str
    attempts: tuple[AttemptRecord, ...]
    error: GatewayError | None = None
