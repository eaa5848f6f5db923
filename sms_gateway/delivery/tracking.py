"""Applying one normalized receipt to its record: find it, move it up, signal.

The record is found by our id when the receipt carries it, else by the
provider's message id among the alias's messages. The move is one conditional
UPDATE (``WHERE delivery_status IN (what this status replaces)``): two receipts
racing in two workers cannot both win, a duplicate changes nothing, and
``delivered`` is never overwritten. Only a real change is counted and signalled.

A receipt only changes a message its own provider alias sent: the alias of the
attempt that was taken, which the record keeps in ``provider`` (written with
the attempts, in the send path's final UPDATE). After a failover the first
provider may have sent the SMS too (an ``ambiguous`` attempt), but only the
taken attempt's receipts count; a receipt for a message another alias sent, or
whose outcome is not recorded yet, changes nothing (answered 200 all the same,
logged and counted as ``other_alias``). The condition is part of the UPDATE.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass

from django.utils import timezone

from ..core.delivery_status import DeliveryEvent, DeliveryStatus, replaceable_by
from ..models import Message
from ..ops import metrics
from .signals import delivery_status_changed

logger = logging.getLogger("sms_gateway.delivery")


@dataclass(frozen=True)
class Applied:
    """What one receipt did: ``found`` the record; ``changed`` its status."""

    found: bool
    changed: bool = False
    message_id: uuid.UUID | None = None
    previous: str = ""


def sent_by(alias: str, status: str, provider: str) -> bool:
    """Whether ``alias`` sent a message recorded with this send ``status`` and ``provider``:
    its receipts may change it. Pure."""
    return bool(alias) and status == Message.Status.SENT and provider == alias


def find(event: DeliveryEvent) -> Message | None:
    fields = ("id", "created_at", "country", "status", "provider", "delivery_status")
    if event.message_id:
        try:
            pk = uuid.UUID(event.message_id)
        except ValueError:
            pk = None
        if pk is not None:
            message = Message.objects.only(*fields).filter(pk=pk).first()
            if message is not None:
                return message
    if event.provider_message_id:
        return (
            Message.objects.only(*fields)
            .filter(provider_message_id=event.provider_message_id[:100], provider=event.provider)
            .order_by("-created_at")
            .first()
        )
    return None


def apply(event: DeliveryEvent, sender: type | None = None) -> Applied:
    message = find(event)
    if message is None:
        # Answered 200 all the same: the provider would only retry it.
        logger.warning(
            "delivery receipt for an unknown message",
            extra={
                "provider": event.provider,
                "provider_message_id": event.provider_message_id[:100],
                "reference": event.message_id[:64],
                "status": event.status,
            },
        )
        metrics.WEBHOOKS.labels(event.provider, "unknown_message").inc()
        return Applied(found=False)

    if not sent_by(event.provider, message.status, message.provider):
        logger.warning(
            "delivery receipt from an alias that did not send the message",
            extra={
                "provider": event.provider,
                "message_id": str(message.pk),
                "sent_by": message.provider,
                "send_status": message.status,
                "status": event.status,
            },
        )
        metrics.WEBHOOKS.labels(event.provider, "other_alias").inc()
        return Applied(found=True, message_id=message.pk, previous=message.delivery_status)

    now = timezone.now()
    update = {
        "delivery_status": event.status,
        "provider_status": event.provider_status[:32],
        "delivery_error_code": event.error_code[:32],
        "delivery_updated_at": now,
    }
    latency = None
    if event.status == DeliveryStatus.DELIVERED:
        latency = max(0.0, (now - message.created_at).total_seconds())
        update["delivered_at"] = now
        update["delivery_ms"] = int(latency * 1000)
    changed = Message.objects.filter(
        pk=message.pk,
        status=Message.Status.SENT,
        provider=event.provider,
        delivery_status__in=replaceable_by(event.status),
    ).update(**update)
    metrics.WEBHOOKS.labels(event.provider, "accepted").inc()
    if not changed:
        return Applied(found=True, message_id=message.pk, previous=message.delivery_status)

    provider = event.provider  # the record's: only the alias that sent it gets here
    metrics.DELIVERIES.labels(provider, message.country, event.status).inc()
    if latency is not None:
        metrics.DELIVERY_SECONDS.labels(provider).observe(latency)
    logger.info(
        "delivery %s",
        event.status,
        extra={
            "message_id": str(message.pk),
            "provider": provider,
            "status": event.status,
            "provider_status": event.provider_status[:32],
            "error_code": event.error_code[:32],
            "previous": message.delivery_status,
            "delivery_ms": update.get("delivery_ms"),
        },
    )
    delivery_status_changed.send(
        sender=sender or Message,
        message_id=message.pk,
        status=event.status,
        previous=message.delivery_status,
        event=event,
    )
    return Applied(
        found=True, changed=True, message_id=message.pk, previous=message.delivery_status
    )
