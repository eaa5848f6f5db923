"""From a template to the text sent: the gateway's own placeholders and the origin-bound line.

One pure function used by the send path and by the editor, so what an operator
previews is what a user receives.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from . import origin_bound, validity
from .message_types import CODE_TYPES
from .origin_bound import OriginBound


@dataclass(frozen=True)
class TextOptions:
    validity_minutes: int = 10
    origin: OriginBound = field(default_factory=OriginBound)

    @classmethod
    def from_settings(cls) -> TextOptions:
        from django.conf import settings

        return cls(
            validity_minutes=settings.SMS_CODE_VALIDITY_MINUTES,
            origin=OriginBound(
                domain=settings.SMS_ORIGIN_DOMAIN,
                by_application=settings.SMS_ORIGIN_DOMAINS,
                app_hash=settings.SMS_ANDROID_APP_HASH,
            ),
        )


@dataclass(frozen=True)
class Composed:
    template: str  # the template with the origin-bound line, if any
    values: dict[str, Any]  # the payload with the gateway's placeholders


def compose(
    kind: str, template: str, payload: Mapping[str, Any], locale: str, options: TextOptions
) -> Composed:
    """The template and values to render for one SMS of type ``kind`` in ``locale``.

    The gateway's placeholders (``validity``, ``validityMinutes``) override payload
    keys of the same name. The origin-bound line is added to code messages that
    carry a code, when a domain applies to this payload.
    """
    values = {**payload, **validity.values(options.validity_minutes, locale)}
    code = payload.get("code")
    if kind in CODE_TYPES and isinstance(code, str) and code:
        domain = options.origin.domain_for(payload)
        template = origin_bound.append(template, domain, options.origin.app_hash)
    return Composed(template, values)
