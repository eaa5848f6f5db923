"""What flows from one stage of the send path to the next.

``SmsRequest`` and ``Draft`` live in ``core/draft.py`` (the fraud guard's steps
read the draft too, and must not import the send path); they are imported from
here like the rest.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from ..core.draft import Draft, SmsRequest
from ..core.errors import GatewayError

__all__ = ["AttemptRecord", "Delivery", "Draft", "Outcome", "SmsRequest"]


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
