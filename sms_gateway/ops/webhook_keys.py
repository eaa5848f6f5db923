"""Tenants whose Logto webhook signing keys this process cannot decrypt: said once,
shown by ``/readyz``.

The catalog snapshot decrypts every tenant's keys when it loads (core/sealed.py). Keys
sealed under a ``SECRET_KEY`` that is neither the current one nor in
``SECRET_KEY_FALLBACKS`` cannot be read: that tenant's webhooks are refused (403)
until the old key is a fallback again or the keys are entered again in the admin.
Never a 500, never silent: one ERROR line naming the tenant (never a key) when it
starts, and ``/readyz`` naming it meanwhile. State is per process, like the snapshot.
"""

from __future__ import annotations

import logging
import threading

logger = logging.getLogger("sms_gateway.webhooks")

_lock = threading.Lock()
_unreadable: dict[int, str] = {}  # tenant id -> its slug


def loaded(unreadable: dict[int, str]) -> None:
    """The tenants (id -> slug) whose keys the snapshot just loaded could not decrypt."""
    global _unreadable
    with _lock:
        new = {pk: slug for pk, slug in unreadable.items() if pk not in _unreadable}
        _unreadable = dict(unreadable)
    for pk, slug in new.items():
        logger.error(
            "tenant %s (id %s): its Logto webhook signing keys cannot be decrypted with "
            "SECRET_KEY or SECRET_KEY_FALLBACKS; its webhooks are refused until the old "
            "SECRET_KEY is in SECRET_KEY_FALLBACKS or the keys are entered again",
            slug,
            pk,
        )


def current() -> str:
    """ "ok", or "unreadable: <slug>, ..." (for /readyz)."""
    unreadable = _unreadable
    return "unreadable: " + ", ".join(sorted(unreadable.values())) if unreadable else "ok"


def reset() -> None:
    """Forget what was said (tests)."""
    global _unreadable
    with _lock:
        _unreadable = {}
