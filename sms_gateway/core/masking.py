"""Keeping the one-time code out of everything we store or print."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .rendering import js_string, render

MASK = "*"


def masked_payload(payload: Mapping[str, Any]) -> dict[str, Any]:
    masked = dict(payload)
    if "code" in masked and masked["code"] is not None:
        masked["code"] = MASK * len(js_string(masked["code"]))
    return masked


def render_masked(template: str, payload: Mapping[str, Any]) -> str:
    """The text as sent, with the code replaced wherever it appears."""
    text = render(template, masked_payload(payload))
    code = payload.get("code")
    if code:
        # A template may carry the code through another key (a link, say).
        secret = js_string(code)
        if len(secret) >= 4:
            text = text.replace(secret, MASK * len(secret))
    return text
