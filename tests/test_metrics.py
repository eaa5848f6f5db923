import re

import pytest
import requests

from sms_gateway.models import Route

from .conftest import logto_body

pytestmark = pytest.mark.django_db(transaction=True)


def scrape(live_server, headers=None) -> str:
    response = requests.get(f"{live_server.url}/metrics", headers=headers or {}, timeout=10)
    assert response.status_code == 200, response.text
    return response.text


def value(text: str, name: str, **labels) -> float:
    total = 0.0
    for line in text.splitlines():
        if not line.startswith(name + "{") and not line.startswith(name + " "):
            continue
        if all(f'{k}="{v}"' in line for k, v in labels.items()):
            total += float(line.rsplit(" ", 1)[1])
    return total


def test_metrics_count_a_sent_and_a_failed_sms(api, live_server, providers, settings):
    settings.METRICS_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    twilio, vonage = providers
    before = scrape(live_server)

    route = Route.objects.create(prefix="33")
    route.hops.create(provider="twilio", position=0)
    route.hops.create(provider="vonage", position=1)
    twilio.will(("status", 500))  # fails over, then vonage sends
    assert api.post(logto_body()).status_code == 200
    twilio.will(("status", 500))
    vonage.will(("status", 500))
    assert api.post(logto_body()).status_code == 502
    assert api.post(logto_body(to="123")).status_code == 400
    assert api.post(logto_body(), token="Bearer nope").status_code == 401

    after = scrape(live_server)

    def delta(name, **labels):
        return value(after, name, **labels) - value(before, name, **labels)

    assert (
        delta(
            "sms_gateway_sms_total", type="SignIn", provider="vonage", country="FR", outcome="sent"
        )
        == 1
    )
    assert delta("sms_gateway_sms_total", type="SignIn", country="FR", outcome="failed") == 1
    assert delta("sms_gateway_http_requests_total", status="200") == 1
    assert delta("sms_gateway_http_requests_total", status="502") == 1
    assert delta("sms_gateway_http_requests_total", status="400") == 1
    assert delta("sms_gateway_http_requests_total", status="401") == 1
    assert delta("sms_gateway_failovers_total", from_provider="twilio", category="unavailable") == 2
    assert delta("sms_gateway_failovers_total", from_provider="vonage") == 0  # nothing after it
    assert delta("sms_gateway_provider_seconds_count", provider="twilio", outcome="failed") == 2
    assert delta("sms_gateway_provider_seconds_count", provider="vonage", outcome="sent") == 1
    assert delta("sms_gateway_rejected_requests_total", reason="invalid") == 1
    assert delta("sms_gateway_rejected_requests_total", reason="unauthorized") == 1
    assert delta("sms_gateway_rejected_requests_total", reason="send_failed") == 1
    assert re.search(r"sms_gateway_provider_seconds_bucket\{.*le=\"0.5\"", after)


def test_metrics_access_by_network_or_token(live_server, settings):
    settings.METRICS_ALLOWED_NETWORKS = ["10.0.0.0/8"]
    settings.METRICS_TOKEN = "scrape-me"
    url = f"{live_server.url}/metrics"
    assert requests.get(url, timeout=10).status_code == 403
    assert (
        requests.get(url, headers={"Authorization": "Bearer wrong"}, timeout=10).status_code == 403
    )
    assert (
        requests.get(url, headers={"Authorization": "Bearer scrape-me"}, timeout=10).status_code
        == 200
    )


def test_no_network_is_allowed_by_default_in_production(live_server):
    """Behind a TLS proxy on the same host every client is 127.0.0.1: loopback is not
    trusted unless asked for (DEBUG, or METRICS_ALLOWED_NETWORKS)."""
    import subprocess
    import sys

    from .services import ROOT

    def default(debug: str) -> str:
        code = "from sms_gateway import settings as s; print(s.METRICS_ALLOWED_NETWORKS)"
        env = {"DEBUG": debug, "PATH": "/usr/bin:/bin"}
        run = subprocess.run(
            [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
        )
        assert run.returncode == 0, run.stderr
        return run.stdout.strip()

    assert default("0") == "[]"
    assert default("1") == "['127.0.0.0/8', '::1/128']"


def test_a_malformed_network_never_turns_a_scrape_into_a_500(live_server, settings):
    settings.METRICS_ALLOWED_NETWORKS = ["10.0.0.1/8", "127.0.0.1"]  # E030 stops startup
    assert requests.get(f"{live_server.url}/metrics", timeout=10).status_code == 200
    settings.METRICS_ALLOWED_NETWORKS = ["10.0.0.1/8"]
    assert requests.get(f"{live_server.url}/metrics", timeout=10).status_code == 403
