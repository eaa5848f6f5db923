"""Send a test SMS from the admin, through the real send path.

The operator picks a number, a type and a locale, and optionally forces a route
from the database or one provider (with a sender): the SMS then goes through
``sending.send`` exactly as one from Logto would (template, guard, record,
providers, failover), and the page shows the outcome and every attempt. The
code is random and never shown; the record holds it masked, as always.

It spends money, so it has a permission of its own (``send_test_sms``), a limit
per operator (``SMS_TEST_SMS_PER_HOUR``), the route editor's sender checks, and
a blocked destination stays blocked whatever route or provider is forced. The
record says it is a test and who sent it; the admin log says so too. It carries
no end-user ip: the request's address is the operator's, or the proxy's.
"""

from __future__ import annotations

import secrets

from django import forms
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.models import ADDITION, LogEntry
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse

from ..catalog import snapshot
from ..core import phone, routing
from ..core.errors import GatewayError
from ..core.message_types import MessageType
from ..core.routing import Hop, RouteRule
from ..core.tenants import DEFAULT_TENANT_ID
from ..fraud import ratelimits
from ..fraud.config import Limit
from ..models import Message, Route
from ..providers import provider_aliases
from .routes import sender_problem
from .tenants import scope, tenant_of

PERMISSION = "sms_gateway.send_test_sms"

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

    tenant = DEFAULT_TENANT_ID  # the operator's (test_sms_view sets it)

    def clean_sender(self) -> str:
        return self.cleaned_data["sender"].strip()

    def clean(self) -> dict:
        data = super().clean()
        if data.get("sender") and not data.get("provider"):
            self.add_error("sender", "A sender goes with a forced provider.")
        elif data.get("sender"):
            problem = sender_problem(data["provider"], data["sender"])  # as the route editor
            if problem:
                self.add_error("sender", problem)
        number = data.get("to")
        forced = data.get("provider") or data.get("route")
        if number and forced and blocked(number, self.tenant):
            # Forcing chooses who sends, not whether this destination may receive.
            raise forms.ValidationError(
                "SMS to this destination is not enabled (its route has no providers): "
                "a forced route or provider does not lift the block."
            )
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


def blocked(number: phone.PhoneNumber, tenant: int = DEFAULT_TENANT_ID) -> bool:
    """Whether the route this number matches refuses every SMS (as the send path decides)."""
    rule = routing.choose(snapshot.current(tenant).routes, number.digits, number.region)
    return rule is None or not rule.hops


def can_send(request: HttpRequest) -> bool:
    return request.user.is_active and request.user.has_perm(PERMISSION)


def over_limit(request: HttpRequest) -> int | None:
    """Count one test SMS for this operator: None, or the seconds until the next may go."""
    limit = Limit("test_sms_operator", settings.SMS_TEST_SMS_PER_HOUR, 3600)
    return ratelimits.hit(limit, str(request.user.pk))


def log_sent(request: HttpRequest, message: Message, form: TestSmsForm) -> None:
    """The admin log says who sent which test SMS, where and how it went."""
    data = form.cleaned_data
    forced = ""
    if data.get("provider"):
        forced = f"; forced provider {data['provider']}"
        forced += f", sender {data['sender']}" if data.get("sender") else ""
    elif data.get("route"):
        forced = f"; forced route {data['route']}"
    LogEntry.objects.log_actions(
        user_id=request.user.pk,
        queryset=[message],
        action_flag=ADDITION,
        change_message=(
            f"Sent a test SMS to {phone.mask(message.to)} ({message.type}, {message.locale or '-'})"
            f"{forced}: {message.status}" + (f" by {message.provider}" if message.provider else "")
        ),
        single_object=True,
    )


def test_sms_view(request: HttpRequest, model_admin: admin.ModelAdmin) -> HttpResponse:
    from ..sending import SmsRequest, send

    if not can_send(request):
        raise PermissionDenied
    result = None
    status = 200
    if request.method == "POST":
        form = TestSmsForm(request.POST)
        form.fields["route"].queryset = scope(Route.objects.all(), request)
        form.tenant = tenant_of(request)
        wait = over_limit(request) if form.is_valid() else None
        if wait is not None:
            form.add_error(
                None,
                f"You have sent {settings.SMS_TEST_SMS_PER_HOUR} test SMS in the last hour "
                f"(SMS_TEST_SMS_PER_HOUR): the next one in {max(1, round(wait / 60))} min.",
            )
            status = 429
        if form.is_valid():
            data = form.cleaned_data
            code = f"{secrets.randbelow(10**6):06d}"
            sms = SmsRequest(
                to=data["to"],
                type=data["type"],
                payload={"code": code, "locale": data["locale"]},
                ip=None,  # not an end user's: the operator's address, or the proxy's
                request_id=getattr(request, "request_id", ""),
                sent_by=request.user.pk,
                tenant=tenant_of(request),  # the operator's: its texts, routes and limits
            )
            try:
                outcome = send(sms, route=form.forced_route())
                error = str(outcome.error) if outcome.error else ""
            except GatewayError as err:  # nothing recorded (e.g. the database is away)
                outcome, error = None, str(err)
            message = Message.objects.filter(pk=outcome.message_id).first() if outcome else None
            if message is not None:
                log_sent(request, message, form)
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
        form.fields["route"].queryset = scope(Route.objects.all(), request)
    context = {
        **model_admin.admin_site.each_context(request),
        "title": "Send a test SMS",
        "opts": model_admin.model._meta,
        "form": form,
        "result": result,
    }
    return TemplateResponse(
        request, "admin/sms_gateway/message/test_sms.html", context, status=status
    )
