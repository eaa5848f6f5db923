"""Keeping the one-time code out of everything we store or print.

The code is masked wherever it appears, whatever its length: in ``{{code}}``,
in another payload value a template renders (``payload.link``,
``application.name``), in the template's own words, in the origin-bound line,
in the locales Logto sent. Masking replaces every occurrence, so a code that is
also an ordinary word (``code``) masks that word too: a stored text may show
more stars than codes, never a code.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .rendering import js_string, render

MASK = "*"
_SPARE_MASKS = "#•x?"  # when the code itself contains "*"


def _mask_char(secret: str) -> str:
    return next(char for char in MASK + _SPARE_MASKS if char not in secret)


def code_of(payload: Mapping[str, Any]) -> str:
    """The code as templates render it ('' when there is none)."""
    code = payload.get("code")
    return js_string(code) if code is not None and code != "" else ""


def mask_secret(text: str, secret: str) -> str:
    """``text`` with every occurrence of ``secret`` replaced by as many mask characters.

    The mask character is never one of the secret's, so masking cannot leave or
    form an occurrence: one left-to-right pass removes them all.
    """
    if not secret or secret not in text:
        return text
    return text.replace(secret, _mask_char(secret) * len(secret))


def mask_value(value: str, payload: Mapping[str, Any]) -> str:
    """Any text taken from the request (a locale, say), with the payload's code masked."""
    return mask_secret(value, code_of(payload))


def masked_payload(payload: Mapping[str, Any]) -> dict[str, Any]:
    masked = dict(payload)
    secret = code_of(payload)
    if secret:
        masked["code"] = _mask_char(secret) * len(secret)
    return masked


def render_masked(template: str, payload: Mapping[str, Any]) -> str:
    """The text as sent, with the code replaced wherever it appears."""
    return mask_secret(render(template, masked_payload(payload)), code_of(payload))
