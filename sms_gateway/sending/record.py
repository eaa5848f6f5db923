"""Stage 3: the message is recorded before anything is sent, in one INSERT
(``statements.py``).

Then the database connection goes back to the pool (``DATABASE_POOL``), so a
thread waiting on a slow provider holds none: threads can outnumber
PostgreSQL's ``max_connections`` many times over.
"""

from __future__ import annotations

from typing import Any

from django.db import connection

from ..models import Message
from . import statements
from .state import Draft


def row(draft: Draft, **final: Any) -> dict[str, Any]:
    """The message's columns as the draft knows them, plus ``final`` (status...)."""
    request = draft.request
    return {
        "id": draft.message_id,
        "tenant_id": request.tenant,
        "to": request.to.e164,
        "country": request.to.region or "",
        "type": request.type,
        "requested_locale": draft.requested_locale,
        "ui_locales": draft.ui_locales,
        "ip": request.ip,
        "template_type": draft.template_type,
        "locale": draft.locale,
        "body": draft.body,
        "encoding": draft.encoding,
        "segments": draft.segments,
        "route": draft.route_label,
        "route_reason": draft.route_reason,
        "flags": ",".join(draft.flags),
        "sent_by_id": request.sent_by,
        "is_test": request.sent_by is not None,
        **final,
    }


def record(draft: Draft) -> None:
    statements.insert(**row(draft, status=Message.Status.ACCEPTED))


def release_connection() -> None:
    """Give the connection back to the pool while providers are waited on.

    Only with a pool (returning is cheap) and outside a transaction (tests wrap
    each test in one; closing there would break it).
    """
    if getattr(connection, "pool", None) is not None and not connection.in_atomic_block:
        connection.close()
