"""The closed set of delivery statuses, and the one rule for moving between them. Pure.

Receipts arrive late, twice, and out of order (a ``sent`` after the
``delivered``). A status only ever moves up this ladder, so applying the same
receipts in any order gives the same record:

    (none) < unknown < queued < sent < undelivered = failed < delivered

``delivered`` is final: the phone got the code. A failure may still be followed
by ``delivered`` (carriers do report a late success), never by another failure.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class DeliveryStatus(StrEnum):
    UNKNOWN = "unknown"  # the provider does not know (or said something we do not)
    QUEUED = "queued"  # still at the provider
    SENT = "sent"  # handed to the carrier, not yet on the phone
    UNDELIVERED = "undelivered"  # the carrier could not deliver it (expired, unreachable)
    FAILED = "failed"  # the provider or carrier refused it
    DELIVERED = "delivered"  # on the phone


RANK = {
    "": 0,
    DeliveryStatus.UNKNOWN: 1,
    DeliveryStatus.QUEUED: 2,
    DeliveryStatus.SENT: 3,
    DeliveryStatus.UNDELIVERED: 4,
    DeliveryStatus.FAILED: 4,
    DeliveryStatus.DELIVERED: 5,
}


def replaces(new: str, current: str) -> bool:
    """Whether a receipt saying ``new`` changes a record that says ``current``."""
    return RANK[new] > RANK.get(current, 0)


def replaceable_by(new: str) -> list[str]:
    """The current statuses that ``new`` replaces (for one conditional UPDATE)."""
    return [status for status in RANK if replaces(new, status)]


@dataclass(frozen=True)
class DeliveryEvent:
    """One receipt, normalized. ``raw`` is what the provider sent (never holds the code)."""

    provider: str  # the alias whose callback URL received it
    status: DeliveryStatus
    provider_status: str  # the provider's own word: "delivered", "expired", "undelivered"...
    error_code: str = ""  # the provider's own code; "" or "0" when none
    message_id: str = ""  # ours (Vonage client-ref, our ref in Twilio's callback URL)
    provider_message_id: str = ""  # theirs (MessageSid, messageId)
    raw: dict[str, Any] = field(default_factory=dict, repr=False)
