"""Login throttling for the admin: a username is locked after a few failed passwords.

Django does not throttle logins (its docs point to add-ons such as django-axes).
This is the small part of them the gateway needs, on the cache it already shares
between workers and machines (Redis in production), so every instance sees the
same counts and no table is added:

- each failed login for a username counts in the cache for
  ``ADMIN_LOGIN_LOCKOUT_SECONDS`` after the latest failure;
- from ``ADMIN_LOGIN_FAILURE_LIMIT`` failures on, the username is locked: its
  logins are refused before the password is even checked, so guessing goes no
  further, and each refused try extends the lock;
- a successful login clears the count; ``manage.py unlock_login <username>``
  clears it by hand.

Counted per username, not per address: behind the TLS proxy every operator has
the proxy's address, and a lock per address would lock them all out together.
Every failure is logged (username and client address; never the password).
If the cache fails, logins are not throttled meanwhile (one ERROR line each):
operators are not locked out of the admin by a Redis outage.
"""

from __future__ import annotations

import hashlib
import logging

from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.cache import cache
from django.core.exceptions import ValidationError

logger = logging.getLogger("sms_gateway.admin.login")


def is_locked(failures: int, limit: int) -> bool:
    """The decision: ``limit`` failures lock the username (a limit under 1 never locks)."""
    return limit >= 1 and failures >= limit


def _key(username: str) -> str:
    # Hashed: a username is arbitrary text, a cache key is not.
    digest = hashlib.sha256(username.strip().lower().encode()).hexdigest()[:32]
    return f"sms_gateway:login-failures:{digest}"


def failures(username: str) -> int:
    try:
        return int(cache.get(_key(username)) or 0)
    except Exception:  # noqa: BLE001 (the cache's own errors: Redis away, its breaker open)
        logger.error("login throttling is off: the cache is unavailable")
        return 0


def record_failure(username: str) -> int:
    """Count one failure; the count lives for the lockout time after this failure."""
    key, ttl = _key(username), settings.ADMIN_LOGIN_LOCKOUT_SECONDS
    try:
        cache.add(key, 0, ttl)
        count = cache.incr(key)
        cache.touch(key, ttl)
    except Exception:  # noqa: BLE001
        logger.error("login throttling is off: the cache is unavailable")
        return 0
    return count


def clear(username: str) -> None:
    try:
        cache.delete(_key(username))
    except Exception:  # noqa: BLE001
        logger.error("login throttling is off: the cache is unavailable")


def client_address(request: object) -> str:
    return getattr(request, "META", {}).get("REMOTE_ADDR", "") or "-"


class ThrottledLoginForm(AdminAuthenticationForm):
    """The admin's login form, refusing a locked username before checking its password."""

    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "locked": (
            "Too many failed logins for this account. It is locked for %(minutes)s "
            "minutes after the last attempt; an administrator can unlock it with "
            "manage.py unlock_login."
        ),
    }

    def clean(self) -> dict:
        username = self.cleaned_data.get("username") or ""
        limit = settings.ADMIN_LOGIN_FAILURE_LIMIT
        if username and is_locked(failures(username), limit):
            count = record_failure(username)  # trying while locked extends the lock
            logger.warning(
                "admin login refused: account locked",
                extra={"username": username, "client": client_address(self.request),
                       "failures": count},
            )  # fmt: skip
            raise ValidationError(
                self.error_messages["locked"],
                code="locked",
                params={"minutes": max(1, settings.ADMIN_LOGIN_LOCKOUT_SECONDS // 60)},
            )
        try:
            data = super().clean()
        except ValidationError:
            if username:
                count = record_failure(username)
                logger.warning(
                    "admin login failed",
                    extra={"username": username, "client": client_address(self.request),
                           "failures": count, "locked": is_locked(count, limit)},
                )  # fmt: skip
            raise
        clear(username)
        return data
