"""Logto's optional ``Authorization`` header, checked against configured values.

Logto sends the header exactly as the operator typed it (no ``Bearer`` added),
so we compare whole values. Several values may be accepted at once, so a token
can be rotated without downtime.

The value also says whose SMS it is (README, "Tenants"): SMS_GATEWAY_TOKENS open the
default tenant, as before tenants; every other tenant's values are stored as their
SHA-256 (TenantToken) and looked up in the catalog snapshot, so finding the tenant
costs no query. ``request.auth`` is the tenant's id.
"""

from __future__ import annotations

import hmac

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import InterfaceError, OperationalError
from rest_framework import authentication, exceptions, permissions

from ..catalog import snapshot
from ..core.errors import RecordUnavailable
from ..core.tenants import DEFAULT_TENANT_ID, token_digest


def token_matches(presented: str, accepted: list[str]) -> bool:
    """Constant-time comparison against every accepted value, no early exit."""
    presented_bytes = presented.encode()
    matched = False
    for token in accepted:
        matched |= hmac.compare_digest(presented_bytes, token.encode())
    return matched


def _stored_tokens() -> dict[str, int]:
    """Every other tenant's values, by SHA-256, from the snapshot (no query per SMS)."""
    try:
        return snapshot.snapshot().tokens
    except (OperationalError, InterfaceError) as err:  # no snapshot yet, no database
        raise RecordUnavailable("the database is unavailable; nothing was sent") from err


class GatewayTokenAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):  # noqa: ANN001, ANN201
        accepted = settings.SMS_GATEWAY_TOKENS
        presented = request.META.get("HTTP_AUTHORIZATION", "").strip()
        if presented and token_matches(presented, accepted):
            return (AnonymousUser(), DEFAULT_TENANT_ID)  # the default tenant: no lookup
        stored = _stored_tokens()
        if not accepted and not stored:
            # Development only; production refuses to start without tokens (checks.py),
            # and if it is started anyway the endpoint stays closed.
            if settings.DEBUG:
                return (AnonymousUser(), DEFAULT_TENANT_ID)
            raise exceptions.AuthenticationFailed("The gateway has no accepted token configured.")
        if not presented:
            raise exceptions.NotAuthenticated("Missing Authorization header.")
        # A digest looked up tells an attacker nothing of a stored value.
        tenant = stored.get(token_digest(presented))
        if tenant is None:
            raise exceptions.AuthenticationFailed("Invalid Authorization header.")
        return (AnonymousUser(), tenant)

    def authenticate_header(self, request) -> str:  # noqa: ANN001
        return 'Bearer realm="sms-gateway"'


class HasGatewayToken(permissions.BasePermission):
    def has_permission(self, request, view) -> bool:  # noqa: ANN001
        return request.auth is not None
