"""Shared by the receipt and conversion tests: a route to a provider, an SMS sent
through it over HTTP, and a session that plays the provider calling back."""

from __future__ import annotations

import requests

from sms_gateway.delivery.signals import delivery_status_changed
from sms_gateway.models import Message, Route

from .conftest import logto_body


def route_to(alias: str) -> Route:
    route = Route.objects.create()
    route.hops.create(provider=alias, position=0)
    return route


def send_one(api, **overrides) -> Message:
    response = api.post(logto_body(**overrides))
    assert response.status_code == 200, response.text
    return Message.objects.get(pk=response.json()["id"])


class Caller:
    """The provider's (or Logto's) side of a webhook: real HTTP to the live server."""

    def __init__(self) -> None:
        self.session = requests.Session()
        self.session.trust_env = False

    def post(self, url: str, **kwargs) -> requests.Response:
        return self.session.post(url, timeout=30, **kwargs)

    def get(self, url: str, **kwargs) -> requests.Response:
        return self.session.get(url, timeout=30, **kwargs)

    def close(self) -> None:
        self.session.close()


class SignalLog(list):
    """Every delivery_status_changed sent while it is connected."""

    def __enter__(self):
        delivery_status_changed.connect(self.receive)
        return self

    def __exit__(self, *exc) -> None:
        delivery_status_changed.disconnect(self.receive)

    def receive(self, sender, **kwargs) -> None:
        self.append(kwargs)
