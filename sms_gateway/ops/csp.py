"""A Content-Security-Policy on every response (Django 5.2 has none built in).

The admin's scripts and styles come from our own static files only: no inline
script, no inline style, nothing from another origin, so markup slipped into a
page (a template text, a sender, a reason) cannot run or restyle anything.
Images may also be ``data:`` URIs (the favicon). JSON answers get it too: it
costs one header and protects a browser that opens one.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

HEADER = "Content-Security-Policy"


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.policy = settings.CONTENT_SECURITY_POLICY

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if self.policy and HEADER not in response:
            response[HEADER] = self.policy
        return response
