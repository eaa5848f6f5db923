"""The one shape of every inbound webhook, after django-anymail's base view.

``validate`` (signature, constant-time; raise ``WebhookForbidden``) → ``parse``
(the request into normalized events; raise ``WebhookInvalid``) → ``update``
(each event applied to its record, which sends the signal) → 200. A body that
cannot be read as its content type raises ``WebhookMalformed`` wherever it is read.

Every webhook is bounded like the SMS endpoint (``api.bounds.MAX_BODY_BYTES``),
before anything reads the body. A body over the bound is answered 413 (a query
string over it 414), a request that cannot be read as its content type 400, a
forgery 403 and a signed request without the fields it needs 400, each with one
short JSON object, no traceback, and counted in
``sms_gateway_webhook_requests_total``; anything accepted is answered 200, even
for a message we do not know (the sender would only retry it).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from typing import Any, ClassVar

from django.core.exceptions import ImproperlyConfigured, SuspiciousOperation
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.module_loading import import_string
from django.views import View
from django.views.decorators.csrf import csrf_exempt

from ..api import bounds
from ..api.parsers import BodyTooLarge
from ..ops import metrics
from ..providers import get_provider

logger = logging.getLogger("sms_gateway.webhooks")

QUERY_TOO_LONG = f"The query string is longer than {bounds.MAX_BODY_BYTES // 1024} KiB."


class WebhookForbidden(Exception):
    """The request is not signed by whom it claims (bad or missing signature, too old)."""


class WebhookInvalid(Exception):
    """Signed, but not a request this endpoint understands."""


class WebhookMalformed(Exception):
    """The request cannot be read as what it says it is (not JSON, a broken form)."""


def oversize(request: HttpRequest) -> tuple[int, str] | None:
    """(status, message) when the request is larger than any webhook, before it is read."""
    declared = request.META.get("CONTENT_LENGTH") or ""
    if declared.isdigit() and int(declared) > bounds.MAX_BODY_BYTES:
        return 413, str(BodyTooLarge.default_detail)
    if len(request.META.get("QUERY_STRING", "")) > bounds.MAX_BODY_BYTES:
        return 414, QUERY_TOO_LONG
    return None


def json_body(request: HttpRequest) -> Any:
    """The body as JSON (already bounded in size by ``dispatch``)."""
    try:
        return json.loads(request.body)
    except RecursionError as err:
        raise WebhookMalformed("the body is nested too deeply") from err
    except ValueError as err:  # UnicodeDecodeError included
        raise WebhookMalformed("the body is not JSON") from err


# How each refusal is answered: status, metrics outcome, message (fixed texts only:
# the caller's input is never echoed).
REFUSALS: tuple[tuple[type[Exception], int, str, str], ...] = (
    (WebhookForbidden, 403, "forbidden", "Forbidden."),
    (WebhookMalformed, 400, "malformed", "Malformed request: {}."),
    (WebhookInvalid, 400, "invalid", "Invalid request: {}."),
)


class WebhookView(View):
    http_method_names: ClassVar[list[str]] = ["post"]

    @classmethod
    def as_view(cls, **initkwargs: Any):  # noqa: ANN206
        # Signed by the caller, not a browser form: no CSRF token to check.
        return csrf_exempt(super().as_view(**initkwargs))

    def source(self) -> str:
        """The metrics label: the provider alias, or "logto"."""
        raise NotImplementedError

    def validate(self, request: HttpRequest) -> None:
        raise NotImplementedError

    def parse(self, request: HttpRequest) -> Iterable[Any]:
        raise NotImplementedError

    def update(self, event: Any) -> None:
        raise NotImplementedError

    def setup(self, request: HttpRequest, *args: Any, **kwargs: Any) -> None:
        super().setup(request, *args, **kwargs)
        self.alias = kwargs.get("alias", "")

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        problem = oversize(request)
        if problem is not None:
            status, message = problem
            logger.warning("webhook too large", extra={"source": self.source()})
            metrics.WEBHOOKS.labels(self.source(), "too_large").inc()
            return JsonResponse({"message": message}, status=status)
        return super().dispatch(request, *args, **kwargs)

    def http_method_not_allowed(self, request: HttpRequest, *args: Any, **kwargs: Any):  # noqa: ANN201
        response = JsonResponse({"message": "Method not allowed."}, status=405)
        response["Allow"] = ", ".join(m.upper() for m in self._allowed_methods())
        return response

    def handle(self, request: HttpRequest) -> HttpResponse:
        try:
            self.validate(request)
            events = list(self.parse(request))
        except (SuspiciousOperation, MultiPartParserError) as err:
            # Django's own refusals while reading a form (too many fields, a broken
            # multipart body) would otherwise be an HTML 400 and an ERROR traceback.
            return self.refuse(request, WebhookMalformed("the form cannot be read"), type(err))
        except (WebhookForbidden, WebhookMalformed, WebhookInvalid) as err:
            return self.refuse(request, err)
        for event in events:
            self.update(event)
        return HttpResponse(status=200)

    def refuse(
        self, request: HttpRequest, err: Exception, cause: type | None = None
    ) -> HttpResponse:
        status, outcome, message = next(a for kind, *a in REFUSALS if isinstance(err, kind))
        logger.warning(
            "webhook %s: %s",
            outcome,
            err,
            extra={
                "source": self.source(),
                "ip": request.META.get("REMOTE_ADDR", ""),
                "cause": cause.__name__ if cause else "",
            },
        )
        metrics.WEBHOOKS.labels(self.source(), outcome).inc()
        return JsonResponse({"message": message.format(err)}, status=status)

    def post(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        return self.handle(request)


class ReceiptView(WebhookView):
    """A provider's delivery receipts, at ``/webhooks/<kind>/<alias>``."""

    #: dotted path of the provider class whose aliases this view serves (imported
    #: lazily: the SDKs are slow to import and a gateway may use only one of them)
    provider_class: ClassVar[str]

    def source(self) -> str:
        return self.alias

    def setup(self, request: HttpRequest, *args: Any, **kwargs: Any) -> None:
        super().setup(request, *args, **kwargs)
        try:
            self.provider = get_provider(self.alias)
        except ImproperlyConfigured:
            self.provider = None

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        # An alias of another kind (or none) is not found: its secret is not ours to check.
        # Checked first, so that every other label of the metrics is a configured alias.
        if not isinstance(self.provider, import_string(self.provider_class)):
            metrics.WEBHOOKS.labels("unknown_alias", "invalid").inc()
            return JsonResponse({"message": "No such provider alias."}, status=404)
        return super().dispatch(request, *args, **kwargs)

    def update(self, event: Any) -> None:
        from ..delivery import tracking

        tracking.apply(event, sender=type(self))


def check_strings(fields: dict[str, Any], error: type[Exception]) -> None:
    """Refuse what cannot be stored nor signed (a NUL, which PostgreSQL refuses, another
    control character, a lone surrogate, which no SDK can encode; a huge string): the
    SMS endpoint's rules (``api.bounds``). The field is named when its name is plain."""
    violation = bounds.check(fields)
    if violation is not None:
        path = violation.path
        name = path if path.isprintable() and 0 < len(path) <= 40 else "a field"
        raise error(f"{name} {violation.problem}")
