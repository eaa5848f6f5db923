"""The SMS as the send path prepares it, and as the guard's steps read it.

Pure data. The send path's other states (attempts, delivery, outcome) are in
``sending/state.py``, which re-exports these two.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from .errors import GatewayError
from .guard import GuardConfig
from .phone import PhoneNumber
from .routing import RouteRule
from .senders import SenderRule
from .tenants import DEFAULT_TENANT_ID


@dataclass(frozen=True)
class SmsRequest:
    """Logto's call, validated."""

    to: PhoneNumber
    type: str
    payload: dict[str, Any] = field(repr=False)  # holds the code
    ip: str | None = None
    request_id: str = ""
    sent_by: int | None = None  # the admin's test SMS: the operator's user id
    tenant: int = DEFAULT_TENANT_ID  # whose Authorization value opened it (core/tenants.py)


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
    sender_rules: tuple[SenderRule, ...] = field(default=(), repr=False)  # the country's
    # What one guard step leaves for a later one of the same SMS: the rate limits' Redis
    # round trip also counts the pumping detector's counters (fraud/round_trip.py).
    guard_notes: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def route_label(self) -> str:
        return self.route.label if self.route else ""
