"""How every error is answered: HTTP status, what Logto shows the end user, metrics reason.

One table, used by the exception handler for everything the endpoint raises:
DRF's own errors (parsing, validation, authentication) and the send path's
``GatewayError``s, which the view raises after the message is recorded. Logto
shows a non-2xx body to the end user, so each is one short JSON object that
never holds a stack trace, a credential or the code.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views import defaults
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import set_rollback

from ..core.errors import (
    GatewayError,
    NoTemplate,
    RecipientRejected,
    RecordUnavailable,
    Refused,
    SendFailed,
)
from ..ops import metrics
from ..ops.log_format import describe_exception
from .parsers import BodyTooLarge

logger = logging.getLogger("sms_gateway.api")


@dataclass(frozen=True)
class Answer:
    status: int
    reason: str  # label of sms_gateway_rejected_requests_total
    message: str  # for the end user; "{error}" is the exception's own text


# First match wins: order from the most to the least specific.
ANSWERS: tuple[tuple[type[Exception], Answer], ...] = (
    (exceptions.ParseError, Answer(400, "malformed", "{error}")),
    (BodyTooLarge, Answer(413, "too_large", "{error}")),
    (exceptions.ValidationError, Answer(400, "invalid", "Invalid request: {error}")),
    (exceptions.NotAuthenticated, Answer(401, "unauthorized", "{error}")),
    (exceptions.AuthenticationFailed, Answer(401, "unauthorized", "{error}")),
    (exceptions.APIException, Answer(0, "http", "{error}")),  # 0: the exception's own status
    (RecipientRejected, Answer(400, "recipient", "The SMS cannot be sent: {error}.")),
    (Refused, Answer(403, "refused", "{error}")),
    (NoTemplate, Answer(500, "no_template", "No SMS template is configured for this message.")),
    (
        RecordUnavailable,
        Answer(503, "unavailable", "The SMS could not be sent right now. Please try again later."),
    ),
    (
        SendFailed,
        Answer(502, "send_failed", "The SMS could not be sent right now. Please try again later."),
    ),
    (Exception, Answer(500, "internal", "Internal error: the SMS was not sent.")),
)


def answer_for(exc: Exception) -> Answer:
    return next(answer for kind, answer in ANSWERS if isinstance(exc, kind))


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


def _error_text(exc: Exception) -> str:
    if isinstance(exc, exceptions.APIException):
        detail = exc.detail
        return str(detail) if isinstance(detail, str) else first_error(detail)
    return str(exc)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response:
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, RequestDataTooBig):  # Django's own limit, before our parser's
        exc = BodyTooLarge()
    set_rollback()
    answer = answer_for(exc)
    metrics.rejected(answer.reason)
    if answer.reason == "internal":
        logger.error("unexpected error while handling an SMS request: %s", describe_exception(exc))
    body: dict[str, Any] = {"message": answer.message.format(error=_error_text(exc))}
    if isinstance(exc, exceptions.ValidationError):
        body["errors"] = _plain(exc.detail)
    message_id = getattr(exc, "message_id", None)
    if message_id is not None:
        body["id"] = str(message_id)
    status = answer.status or getattr(exc, "status_code", 500)
    headers = _drf_headers(exc) if isinstance(exc, exceptions.APIException) else {}
    retry_after = getattr(exc, "retry_after", None)
    if isinstance(exc, GatewayError) and retry_after:
        status, headers["Retry-After"] = 429, str(retry_after)
    return Response(body, status=status, headers=headers or None)


def _drf_headers(exc: exceptions.APIException) -> dict[str, str]:
    headers = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None):
        headers["Retry-After"] = str(int(exc.wait))
    return headers


# --- Django's own error pages, for paths that are API paths ----------------------
JSON_PATHS = ("/sms/", "/api/")


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if request.path.startswith(JSON_PATHS):
        metrics.rejected("http")
        return JsonResponse({"message": "Not found."}, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    if request.path.startswith(JSON_PATHS):
        return JsonResponse({"message": "Internal error: the SMS was not sent."}, status=500)
    return defaults.server_error(request)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    if request.path.startswith(JSON_PATHS):
        return JsonResponse({"message": "Bad request."}, status=400)
    return defaults.bad_request(request, exception)
