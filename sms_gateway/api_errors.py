"""Every error answer is one short JSON object: Logto shows its body to the end user."""

from __future__ import annotations

import logging
from typing import Any

from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from . import metrics
from .log_format import describe_exception

logger = logging.getLogger("sms_gateway.api")


def first_error(detail: Any, path: str = "") -> str:
    """'payload.code: This field is required.' from DRF's nested error detail."""
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = path if key == "non_field_errors" else (f"{path}.{key}" if path else str(key))
            return first_error(value, name)
    if isinstance(detail, list) and detail:
        return first_error(detail[0], path)
    return f"{path}: {detail}" if path else str(detail)


def _plain(detail: Any) -> Any:
    if isinstance(detail, dict):
        return {str(k): _plain(v) for k, v in detail.items()}
    if isinstance(detail, list):
        return [_plain(v) for v in detail]
    return str(detail)


def _reason(exc: Exception) -> str:
    if isinstance(exc, exceptions.ParseError):
        return "malformed"
    if isinstance(exc, exceptions.ValidationError):
        return "invalid"
    if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
        return "unauthorized"
    if isinstance(exc, exceptions.APIException):
        return "http"
    return "internal"


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response:
    metrics.rejected(_reason(exc))
    if isinstance(exc, exceptions.ParseError):
        return Response({"message": "The request body is not valid JSON."}, status=400)
    if isinstance(exc, exceptions.ValidationError):
        return Response(
            {
                "message": f"Invalid request: {first_error(exc.detail)}",
                "errors": _plain(exc.detail),
            },
            status=status.HTTP_400_BAD_REQUEST,
        )
    response = drf_exception_handler(exc, context)
    if response is not None:
        detail = getattr(exc, "detail", "")
        response.data = {"message": str(detail) if isinstance(detail, str) else first_error(detail)}
        return response
    logger.error("unexpected error while handling an SMS request: %s", describe_exception(exc))
    return Response(
        {"message": "Internal error: the SMS was not sent."},
        status=status.HTTP_500_INTERNAL_SERVER_ERROR,
    )
