"""Send a test SMS from the admin, through the real send path.

The operator picks a number, a type and a locale, and optionally forces a route
from the database or one provider (with a sender): the SMS then goes through
``sending.send`` exactly as one from Logto would (template, guard, record,
providers, failover), and the page shows the outcome and every attempt. The
code is random and never shown; the record holds it masked, as always.
"""

from __future__ import annotations

import secrets

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse

from ..core import phone
from ..core.errors import GatewayError
from ..core.message_types import MessageType
from ..core.routing import Hop, RouteRule
from ..models import Message, Route
from ..providers import provider_aliases

TEXT = {"class": "vTextField"}


class TestSmsForm(forms.Form):
    to = forms.CharField(
        widget=forms.TextInput(attrs=TEXT),
        label="Number",
        max_length=32,
        help_text="International format: +33 6 12 34 56 78 or 33612345678.",
    )
    type = forms.ChoiceField(choices=MessageType.choices, initial=MessageType.SIGN_IN)
    locale = forms.CharField(
        widget=forms.TextInput(attrs=TEXT),
        max_length=35,
        initial="en",
        help_text="As Logto would send it: en, fr-FR, pt-BR…",
    )
    route = forms.ModelChoiceField(
        queryset=Route.objects.all(),
        required=False,
        empty_label="as routed (the route the number matches)",
        help_text="Force one route of the database instead of the one the number matches.",
    )
    provider = forms.ChoiceField(
        choices=(),
        required=False,
        help_text="Or force one provider alone (no failover); overrides the route.",
    )
    sender = forms.CharField(
        widget=forms.TextInput(attrs=TEXT),
        max_length=64,
        required=False,
        help_text="With a forced provider: the sender to use.",
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["provider"].choices = [("", "---------")] + [(a, a) for a in provider_aliases()]

    def clean_to(self) -> phone.PhoneNumber:
        try:
            return phone.parse(self.cleaned_data["to"])
        except phone.InvalidNumber as err:
            raise forms.ValidationError(f"Not a valid phone number: {err}.") from err

    def clean(self) -> dict:
        data = super().clean()
        if data.get("sender") and not data.get("provider"):
            self.add_error("sender", "A sender goes with a forced provider.")
        return data

    def forced_route(self) -> RouteRule | None:
        data = self.cleaned_data
        if data.get("provider"):
            return RouteRule(hops=(Hop(data["provider"], data.get("sender", "")),))
        route: Route | None = data.get("route")
        if route is None:
            return None
        hops = tuple(Hop(h.provider, h.sender) for h in route.hops.order_by("position", "id"))
        return RouteRule(route.prefix, route.country, hops)


def can_send(request: HttpRequest) -> bool:
    return request.user.is_active and (
        request.user.is_superuser or request.user.has_perm("sms_gateway.change_route")
    )


def test_sms_view(request: HttpRequest, model_admin: admin.ModelAdmin) -> HttpResponse:
    from ..sending import SmsRequest, send

    if not can_send(request):
        raise PermissionDenied
    result = None
    if request.method == "POST":
        form = TestSmsForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            code = f"{secrets.randbelow(10**6):06d}"
            sms = SmsRequest(
                to=data["to"],
                type=data["type"],
                payload={"code": code, "locale": data["locale"]},
                ip=request.META.get("REMOTE_ADDR") or None,
                request_id=getattr(request, "request_id", ""),
            )
            try:
                outcome = send(sms, route=form.forced_route())
                error = str(outcome.error) if outcome.error else ""
            except GatewayError as err:  # nothing recorded (e.g. the database is away)
                outcome, error = None, str(err)
            message = Message.objects.filter(pk=outcome.message_id).first() if outcome else None
            result = {
                "outcome": outcome,
                "error": error,
                "message": message,
                "message_url": reverse("admin:sms_gateway_message_change", args=[message.pk])
                if message
                else "",
                "attempts": [a.as_json() for a in outcome.attempts] if outcome else [],
                "forced": form.forced_route(),
            }
    else:
        form = TestSmsForm()
    context = {
        **model_admin.admin_site.each_context(request),
        "title": "Send a test SMS",
        "opts": model_admin.model._meta,
        "form": form,
        "result": result,
    }
    return TemplateResponse(request, "admin/sms_gateway/message/test_sms.html", context)
