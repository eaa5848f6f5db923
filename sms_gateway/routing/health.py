"""Each provider's measured health in one route's destination over a sliding window:
delivery rate and p95 time to delivery from receipts, conversion from Logto's
webhooks, send errors from the attempts (``Message.attempts``).

``measure`` reads the records (one query per route, by an index on ``created_at``);
``aggregate`` is pure: the rows to ``core.shares.Health`` per provider alias.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from django.db.models import QuerySet

from ..core.message_types import MessageType
from ..core.shares import Health
from ..models import Message

DELIVERED = "delivered"
NOT_DELIVERED = ("undelivered", "dropped")
COLUMNS = (
    "provider",
    "status",
    "delivery_status",
    "delivery_ms",
    "converted_at",
    "type",
    "attempts",
)


def _p95(values: list[int]) -> int | None:
    if not values:
        return None
    values.sort()
    return values[min(len(values) - 1, int(0.95 * len(values)))]


def aggregate(rows: Iterable[Sequence[Any]], aliases: Sequence[str]) -> dict[str, Health]:
    counts = {
        a: {"delivered": 0, "undelivered": 0, "convertible": 0, "converted": 0} for a in aliases
    }
    attempts = dict.fromkeys(aliases, 0)
    errors = dict.fromkeys(aliases, 0)
    times: dict[str, list[int]] = {a: [] for a in aliases}
    for provider, status, delivery_status, delivery_ms, converted_at, kind, tried in rows:
        for attempt in tried or ():
            alias = attempt.get("provider")
            if alias in attempts:
                attempts[alias] += 1
                # A recipient-side refusal is the number's fault, not the provider's.
                if attempt.get("outcome") != "sent" and attempt.get("category") != "recipient":
                    errors[alias] += 1
        if provider not in counts or status != Message.Status.SENT:
            continue
        c = counts[provider]
        if delivery_status == DELIVERED:
            c["delivered"] += 1
            if delivery_ms is not None:
                times[provider].append(delivery_ms)
        elif delivery_status in NOT_DELIVERED:
            c["undelivered"] += 1
        if kind != MessageType.ORGANIZATION_INVITATION:
            c["convertible"] += 1
            c["converted"] += converted_at is not None
    return {
        a: Health(
            **counts[a], p95_delivery_ms=_p95(times[a]), attempts=attempts[a], errors=errors[a]
        )
        for a in aliases
    }


def measure(
    prefix: str, country: str, aliases: Sequence[str], since: datetime
) -> dict[str, Health]:
    rows = destination(prefix, country).filter(created_at__gte=since)
    return aggregate(rows.values_list(*COLUMNS).iterator(), aliases)


def destination(prefix: str, country: str) -> QuerySet[Message]:
    """The records of a route's destination (Logto's, not the admin's test SMS)."""
    rows = Message.objects.filter(is_test=False)
    if country:
        return rows.filter(country=country)
    if prefix:
        return rows.filter(to__startswith=f"+{prefix}")
    return rows
