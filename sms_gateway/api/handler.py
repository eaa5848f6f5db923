"""The WSGI application: the endpoint and the probes skip the admin's middleware.

Django runs every entry of ``MIDDLEWARE`` on every request. Sessions, CSRF,
authentication, messages (a ``Signer`` built per request), clickjacking and
WhiteNoise serve the admin and its static files; ``/sms/send`` uses none of them
(DRF's views are CSRF-exempt, the endpoint checks its own ``Authorization``).
So paths under ``/sms/`` and the probes are served by a second handler whose
middleware is ``API_MIDDLEWARE`` (settings): the request id, the probes' host
rule, and ``SecurityMiddleware`` (the https redirect, HSTS, ``nosniff``).
Everything else, the admin included, gets ``MIDDLEWARE`` as before.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.core.handlers.exception import convert_exception_to_response
from django.core.handlers.wsgi import WSGIHandler, get_path_info
from django.utils.module_loading import import_string

from ..ops.health import PROBES

API_PREFIX = "/sms/"


def is_api_path(path_info: str) -> bool:
    return path_info.startswith(API_PREFIX) or path_info in PROBES


class ApiHandler(WSGIHandler):
    """Django's WSGI handler with ``API_MIDDLEWARE`` instead of ``MIDDLEWARE``."""

    def load_middleware(self, is_async: bool = False) -> None:
        # Django's own loop (BaseHandler.load_middleware), synchronous, on another list.
        self._view_middleware = []
        self._template_response_middleware = []
        self._exception_middleware = []
        handler = convert_exception_to_response(self._get_response)
        for path in reversed(settings.API_MIDDLEWARE):
            try:
                middleware = import_string(path)(handler)
            except MiddlewareNotUsed:
                continue
            if hasattr(middleware, "process_view"):
                self._view_middleware.insert(0, middleware.process_view)
            if hasattr(middleware, "process_template_response"):
                self._template_response_middleware.append(middleware.process_template_response)
            if hasattr(middleware, "process_exception"):
                self._exception_middleware.append(middleware.process_exception)
            handler = convert_exception_to_response(middleware)
        self._middleware_chain = handler


StartResponse = Callable[..., Any]


class Application:
    """Sends each request to the API's handler or to the site's (admin, webhooks...)."""

    def __init__(self) -> None:
        self.api = ApiHandler()
        self.site = WSGIHandler()

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        # The path as Django resolves it (request.path_info).
        handler = self.api if is_api_path(get_path_info(environ)) else self.site
        return handler(environ, start_response)
