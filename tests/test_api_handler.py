"""The production WSGI application (api/handler.py): the endpoint without the admin's middleware.

Each request goes over real HTTP to a server running ``Application``, the object
``sms_gateway.wsgi`` serves, and the same request to pytest-django's live server
(Django's plain handler, every entry of ``MIDDLEWARE``) must get the same answer.
"""

from __future__ import annotations

import pytest
import requests
from django.db import connections
from django.test.testcases import LiveServerThread

from sms_gateway.api.bounds import MAX_BODY_BYTES
from sms_gateway.api.handler import Application, is_api_path

from .conftest import TOKEN, logto_body

pytestmark = pytest.mark.django_db(transaction=True)


def test_which_paths_are_the_apis():
    for path in ("/sms/send", "/sms/send/", "/sms/nope", "/healthz", "/readyz", "/metrics"):
        assert is_api_path(path), path
    for path in ("/sms", "/smssend", "/admin/", "/admin/login/", "/webhooks/twilio/x", "/"):
        assert not is_api_path(path), path


class Server:
    """``Application`` served by Django's live server thread on a free port."""

    def __init__(self) -> None:
        in_memory = {
            c.alias: c for c in connections.all() if c.vendor == "sqlite" and c.is_in_memory_db()
        }
        self.thread = LiveServerThread(
            "127.0.0.1",
            static_handler=lambda _django_s: Application(),
            connections_override=in_memory,
        )
        self.thread.daemon = True
        self.in_memory = in_memory

    def __enter__(self) -> Server:
        for conn in self.in_memory.values():
            conn.inc_thread_sharing()
        self.thread.start()
        self.thread.is_ready.wait()
        if self.thread.error:
            raise self.thread.error
        self.url = f"http://127.0.0.1:{self.thread.port}"
        return self

    def __exit__(self, *exc: object) -> None:
        self.thread.terminate()
        for conn in self.in_memory.values():
            conn.dec_thread_sharing()


@pytest.fixture
def production_app():
    with Server() as server:
        yield server


@pytest.fixture
def http():
    session = requests.Session()
    session.trust_env = False
    yield session
    session.close()


def answer(response: requests.Response) -> tuple:
    """What Logto and an operator see, without what differs per request (ids)."""
    try:
        body = response.json()
    except ValueError:
        body = response.text
    if isinstance(body, dict):
        body.pop("id", None)
    headers = {
        name: response.headers.get(name)
        for name in (
            "Content-Type",
            "WWW-Authenticate",
            "Allow",
            "Retry-After",
            "X-Content-Type-Options",
            "Referrer-Policy",
            "Cross-Origin-Opener-Policy",
            "Strict-Transport-Security",
        )
    }
    return response.status_code, body, headers


AUTH = {"Authorization": TOKEN}
REQUESTS = {
    "sent": ("POST", "/sms/send", {"json": logto_body()}),
    "trailing slash": ("POST", "/sms/send/", {"json": logto_body()}),
    "bad number": ("POST", "/sms/send", {"json": logto_body(to="12")}),
    "code missing": ("POST", "/sms/send", {"json": logto_body(payload={"locale": "en"})}),
    "short code": ("POST", "/sms/send", {"json": logto_body(payload={"code": "12"})}),
    "payload not an object": ("POST", "/sms/send", {"json": logto_body(payload="x")}),
    "body not an object": ("POST", "/sms/send", {"json": [1]}),
    "body null": ("POST", "/sms/send", {"json": None}),
    "number as number": ("POST", "/sms/send", {"json": logto_body(to=33612345678)}),
    "bad ip": ("POST", "/sms/send", {"json": logto_body(ip="999.1.1.1")}),
    "not JSON": (
        "POST",
        "/sms/send",
        {"data": b"{", "headers": {"Content-Type": "application/json"}},
    ),
    "not JSON type": ("POST", "/sms/send", {"data": b"a=b"}),
    "too large": ("POST", "/sms/send", {"json": logto_body(x="a" * MAX_BODY_BYTES)}),
    "GET": ("GET", "/sms/send", {}),
    "no such path": ("POST", "/sms/nope", {"json": logto_body()}),
    "healthz": ("GET", "/healthz", {}),
}


@pytest.mark.parametrize("name", REQUESTS)
def test_the_same_answers_as_with_every_middleware(name, production_app, live_server, http):
    method, path, kwargs = REQUESTS[name]
    headers = {**AUTH, **kwargs.pop("headers", {})}
    ours = http.request(method, production_app.url + path, headers=headers, timeout=30, **kwargs)
    plain = http.request(method, live_server.url + path, headers=headers, timeout=30, **kwargs)
    assert answer(ours) == answer(plain)
    assert ours.headers["X-Request-ID"]
    # Issue 17: a Content-Security-Policy on every response, the endpoint's included.
    assert ours.headers["Content-Security-Policy"] == plain.headers["Content-Security-Policy"]
    assert "default-src 'self'" in ours.headers["Content-Security-Policy"]


@pytest.mark.parametrize("token", [None, "Bearer wrong"])
def test_the_same_refusals_without_the_right_token(token, production_app, live_server, http):
    headers = {"Authorization": token} if token else {}
    ours = http.post(production_app.url + "/sms/send", json=logto_body(), headers=headers)
    plain = http.post(live_server.url + "/sms/send", json=logto_body(), headers=headers)
    assert answer(ours) == answer(plain)
    assert ours.status_code == 401


def test_the_endpoint_runs_none_of_the_admins_middleware(production_app, http):
    sent = http.post(production_app.url + "/sms/send", json=logto_body(), headers=AUTH)
    assert sent.status_code == 200
    # XFrameOptionsMiddleware would add it; sessions or CSRF would set or vary on cookies.
    assert "X-Frame-Options" not in sent.headers
    assert "Set-Cookie" not in sent.headers
    assert "Cookie" not in sent.headers.get("Vary", "")
    # The admin, through the same application, still has all of it.
    login = http.get(production_app.url + "/admin/login/")
    assert login.status_code == 200
    assert login.headers["X-Frame-Options"] == "DENY"
    assert "csrftoken" in login.cookies
    assert login.headers["X-Request-ID"]


@pytest.fixture
def behind_tls_proxy(settings):
    """Production's https settings (tests turn the redirect off), before the server starts."""
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    return settings


def test_https_redirect_and_hsts_still_apply_to_the_endpoint(behind_tls_proxy, http):
    with Server() as server:
        url = server.url + "/sms/send"
        plain = http.post(url, json=logto_body(), headers=AUTH, allow_redirects=False)
        assert plain.status_code == 301
        assert plain.headers["Location"].startswith("https://")
        https = {**AUTH, "X-Forwarded-Proto": "https"}
        sent = http.post(url, json=logto_body(), headers=https)
        assert sent.status_code == 200, sent.text
        assert sent.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
        assert sent.headers["X-Content-Type-Options"] == "nosniff"
        # Probes stay exempt from the redirect.
        assert http.get(server.url + "/healthz", allow_redirects=False).status_code == 200
