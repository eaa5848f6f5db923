"""Logto's optional ``Authorization`` header, checked against configured values.

Logto sends the header exactly as the operator typed it (no ``Bearer`` added),
so we compare whole values. Several values may be accepted at once, so a token
can be rotated without downtime.
"""

from __future__ import annotations

import hmac

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from rest_framework import authentication, exceptions, permissions


def token_matches(presented: str, accepted: list[str]) -> bool:
    """Constant-time comparison against every accepted value, no early exit."""
    presented_bytes = presented.encode()
    matched = False
    for token in accepted:
        matched |= hmac.compare_digest(presented_bytes, token.encode())
    return matched


class GatewayTokenAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):  # noqa: ANN001, ANN201
        accepted = settings.SMS_GATEWAY_TOKENS
        if not accepted:
            # Development only; production refuses to start without tokens (checks.py),
            # and if it is started anyway the endpoint stays closed.
            if settings.DEBUG:
                return (AnonymousUser(), "open")
            raise exceptions.AuthenticationFailed("The gateway has no accepted token configured.")
        presented = request.META.get("HTTP_AUTHORIZATION", "").strip()
        if not presented:
            raise exceptions.NotAuthenticated("Missing Authorization header.")
        if not token_matches(presented, accepted):
            raise exceptions.AuthenticationFailed("Invalid Authorization header.")
        return (AnonymousUser(), "token")

    def authenticate_header(self, request) -> str:  # noqa: ANN001
        return 'Bearer realm="sms-gateway"'


class HasGatewayToken(permissions.BasePermission):
    def has_permission(self, request, view) -> bool:  # noqa: ANN001
        return request.auth is not None
