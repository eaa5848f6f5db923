"""Test doubles that plug into the gateway the way an operator's would (dotted paths)."""

from __future__ import annotations

import uuid

from django.db import connections

from sms_gateway.core.errors import Refused
from sms_gateway.providers.base import BaseProvider, OutgoingSMS, SendResult

held_during_send: list[bool] = []


class ConnectionProbeProvider(BaseProvider):
    """Notes, during each send, whether this thread holds a database connection."""

    def send(self, sms: OutgoingSMS, timeout: float) -> SendResult:
        held_during_send.append(connections["default"].connection is not None)
        return SendResult(provider_message_id=f"probe-{uuid.uuid4().hex}")


def refuse_russia(draft) -> Refused | None:  # noqa: ANN001
    if draft.request.to.region == "RU":
        return Refused("country_blocked", "SMS to this country is not allowed.")
    return None


def slow_down_everyone(draft) -> Refused | None:  # noqa: ANN001
    return Refused("rate_limited", "Too many codes requested. Try again in a minute.", 60)


def never(draft) -> None:  # noqa: ANN001
    return None


broken = {"raising": True}


def broken_policy(draft) -> None:  # noqa: ANN001
    """A step whose backing store is down: it raises until told otherwise."""
    if broken["raising"]:
        raise RuntimeError("policy store unreachable")
    return None
