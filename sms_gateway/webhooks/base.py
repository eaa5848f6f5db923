"""The one shape of every inbound webhook, after django-anymail's base view.

``validate`` (signature, constant-time; raise ``WebhookForbidden``) → ``parse``
(the request into normalized events; raise ``WebhookInvalid``) → ``update``
(each event applied to its record, which sends the signal) → 200.

A forgery is answered 403 and a malformed request 400, each with one short JSON
object; anything accepted is answered 200, even for a message we do not know
(the sender would only retry it).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any, ClassVar

from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.module_loading import import_string
from django.views import View
from django.views.decorators.csrf import csrf_exempt

from ..ops import metrics
from ..providers import get_provider

logger = logging.getLogger("sms_gateway.webhooks")


class WebhookForbidden(Exception):
    """The request is not signed by whom it claims (bad or missing signature, too old)."""


class WebhookInvalid(Exception):
    """Signed, but not a request this endpoint understands."""


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

    def handle(self, request: HttpRequest) -> HttpResponse:
        try:
            self.validate(request)
        except WebhookForbidden as err:
            logger.warning(
                "webhook refused: %s",
                err,
                extra={"source": self.source(), "ip": request.META.get("REMOTE_ADDR", "")},
            )
            metrics.WEBHOOKS.labels(self.source(), "forbidden").inc()
            return JsonResponse({"message": "Forbidden."}, status=403)
        try:
            events = list(self.parse(request))
        except WebhookInvalid as err:
            logger.warning("webhook not understood: %s", err, extra={"source": self.source()})
            metrics.WEBHOOKS.labels(self.source(), "invalid").inc()
            return JsonResponse({"message": f"Invalid request: {err}"}, status=400)
        for event in events:
            self.update(event)
        return HttpResponse(status=200)

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
        if not isinstance(self.provider, import_string(self.provider_class)):
            metrics.WEBHOOKS.labels("unknown_alias", "invalid").inc()
            return JsonResponse({"message": "No such provider alias."}, status=404)
        return super().dispatch(request, *args, **kwargs)

    def update(self, event: Any) -> None:
        from ..delivery import tracking

        tracking.apply(event, sender=type(self))
