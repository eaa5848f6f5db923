"""The embedded default: writes each SMS to standard output, code masked."""

from __future__ import annotations

import sys
import uuid

from .base import BaseProvider, OutgoingSMS, SendResult


class ConsoleProvider(BaseProvider):
    options = {"stream": None}

    def send(self, sms: OutgoingSMS, timeout: float) -> SendResult:
        stream = self.config["stream"] or sys.stdout
        sender = sms.sender or "(default sender)"
        stream.write(
            f"--- SMS via {self.alias} ---\nTo: {sms.to}\nFrom: {sender}\n"
            f"Reference: {sms.reference}\n\n{sms.masked_text}\n---\n"
        )
        stream.flush()
        return SendResult(provider_message_id=f"console-{uuid.uuid4().hex}", status="printed")
