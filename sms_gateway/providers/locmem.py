"""Keeps sent SMS in ``outbox`` for tests, like Django's locmem email backend."""

from __future__ import annotations

import threading
import uuid

from .base import BaseProvider, OutgoingSMS, SendResult

outbox: list[tuple[str, OutgoingSMS]] = []
_lock = threading.Lock()


class LocmemProvider(BaseProvider):
    def send(self, sms: OutgoingSMS, timeout: float) -> SendResult:
        with _lock:
            outbox.append((self.alias, sms))
        return SendResult(provider_message_id=f"locmem-{uuid.uuid4().hex}", status="stored")
