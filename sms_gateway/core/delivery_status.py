"""The closed set of delivery statuses, and the one rule for moving between them. Pure.

Receipts arrive late, twice, and out of order (an ``at_carrier`` after the
``delivered``). A status only ever moves up this ladder, so applying the same
receipts in any order gives the same record:

    (none) < unclear < at_provider < at_carrier < undelivered = dropped < delivered

``delivered`` is final: the phone got the code. A failure may still be followed
by ``delivered`` (carriers do report a late success), never by another failure.

These words are the delivery's own: none is a record status (``Message.Status``:
accepted, sent, rejected, failed, unknown), so a ``sent`` record reads
``sent → at_carrier`` and never ``sent → sent``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class DeliveryStatus(StrEnum):
    UNCLEAR = "unclear"  # the provider does not know (or said something we do not)
    AT_PROVIDER = "at_provider"  # still at the provider
    AT_CARRIER = "at_carrier"  # handed to the carrier, not yet on the phone
    UNDELIVERED = "undelivered"  # the carrier could not deliver it (expired, unreachable)
    DROPPED = "dropped"  # the provider or carrier refused or cancelled it
    DELIVERED = "delivered"  # on the phone


# What an operator reads (the field's choices); "" is a record no receipt reached yet.
LABELS = {
    "": "no receipt",
    DeliveryStatus.UNCLEAR: "unclear (the provider does not know)",
    DeliveryStatus.AT_PROVIDER: "at the provider",
    DeliveryStatus.AT_CARRIER: "at the carrier",
    DeliveryStatus.UNDELIVERED: "undelivered (expired, unreachable)",
    DeliveryStatus.DROPPED: "dropped by the provider or carrier",
    DeliveryStatus.DELIVERED: "delivered",
}

RANK = {
    "": 0,
    DeliveryStatus.UNCLEAR: 1,
    DeliveryStatus.AT_PROVIDER: 2,
    DeliveryStatus.AT_CARRIER: 3,
    DeliveryStatus.UNDELIVERED: 4,
    DeliveryStatus.DROPPED: 4,
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
