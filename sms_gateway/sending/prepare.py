"""Stage 1, pure: the locale, the template, the text, its masked copy, its encoding, the route.

Nothing here reads the database, the cache or the clock: the catalog snapshot
and the settings it needs are passed in, so every decision is testable alone.
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from ..core import encoding, locales, routing, selection, shares
from ..core.composition import TextOptions, compose
from ..core.errors import NoTemplate, RecipientRejected
from ..core.masking import mask_value, render_masked
from ..core.rendering import render
from .state import Draft, SmsRequest

if TYPE_CHECKING:
    from ..catalog.snapshot import Catalog


def prepare(
    request: SmsRequest,
    catalog: Catalog,
    default_locale: str,
    message_id: uuid.UUID,
    options: TextOptions | None = None,  # validity and origin-bound line; None: the settings'
) -> Draft:
    payload = request.payload
    requested, ui_locales = _text(payload.get("locale")), _text(payload.get("uiLocales"))
    draft = Draft(
        message_id=message_id,
        request=request,
        guard=catalog.guard,
        sender_rules=tuple(r for r in catalog.senders if r.country == request.to.region),
        requested_locale=mask_value(requested, payload)[:100],
        ui_locales=mask_value(ui_locales, payload)[:200],
    )
    candidates = locales.candidates(requested, ui_locales, request.to.region, default_locale)
    try:
        chosen = selection.select(catalog, request.type, candidates)
    except NoTemplate as err:
        return replace(draft, refusal=err)
    composed = compose(
        chosen.type, chosen.text, payload, chosen.locale, options or TextOptions.from_settings()
    )
    text = render(composed.template, composed.values)
    analysis = encoding.analyze(text)
    route = routing.choose(catalog.routes, request.to.digits, request.to.region)
    blocked = route is None or not route.hops
    reason: dict = {}
    if route is not None:  # weighted, adaptive, least cost: the provider drawn by its share
        route, reason = routing.arrange(route, shares.draw_of(message_id.int))
    return replace(
        draft,
        template_type=chosen.type,
        locale=chosen.locale,
        text=text,
        body=render_masked(composed.template, composed.values),
        encoding=analysis.encoding,
        segments=analysis.segments,
        unicode=analysis.is_unicode,
        route=route,
        route_reason=reason,
        refusal=RecipientRejected("SMS to this destination is not enabled") if blocked else None,
    )


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""
