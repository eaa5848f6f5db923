from __future__ import annotations

import pytest
import requests

from sms_gateway import catalog
from sms_gateway.providers import locmem

TOKEN = "Bearer test-token"


@pytest.fixture(autouse=True)
def gateway_settings(settings):
    settings.SMS_PROVIDERS = {
        "locmem": {"BACKEND": "sms_gateway.providers.locmem.LocmemProvider"},
        "console": {"BACKEND": "sms_gateway.providers.console.ConsoleProvider"},
    }
    settings.SMS_DEFAULT_PROVIDERS = ["locmem"]
    settings.SMS_GATEWAY_TOKENS = [TOKEN]
    settings.SMS_ATTEMPT_TIMEOUT = 2.0
    settings.SMS_DEADLINE = 5.0
    return settings


@pytest.fixture(autouse=True)
def fresh_state():
    locmem.outbox.clear()
    catalog.invalidate()
    yield
    locmem.outbox.clear()
    catalog.invalidate()


@pytest.fixture
def outbox():
    return locmem.outbox


class Api:
    """Logto's side of the wire: real HTTP to the live server."""

    def __init__(self, base_url: str) -> None:
        self.url = f"{base_url}/sms/send"
        self.session = requests.Session()
        self.session.trust_env = False  # no proxy between us and 127.0.0.1

    def post(self, body, token: str | None = TOKEN, **kwargs) -> requests.Response:
        headers = {"Authorization": token} if token is not None else {}
        headers.update(kwargs.pop("headers", {}))
        if isinstance(body, str | bytes):
            headers.setdefault("Content-Type", "application/json")
            return self.session.post(self.url, data=body, headers=headers, timeout=30, **kwargs)
        return self.session.post(self.url, json=body, headers=headers, timeout=30, **kwargs)


@pytest.fixture
def api(live_server) -> Api:
    return Api(live_server.url)


def logto_body(**overrides) -> dict:
    body = {
        "to": "33612345678",
        "type": "SignIn",
        "payload": {"code": "123456", "locale": "en", "uiLocales": "en"},
        "ip": "203.0.113.7",
    }
    body.update(overrides)
    return body
