"""Provider HTTP sessions: pooled for every thread, blind to the environment, proxy as an option."""

import logging
from concurrent.futures import ThreadPoolExecutor

import pytest

from sms_gateway.providers.base import OutgoingSMS
from sms_gateway.providers.twilio import TwilioProvider
from sms_gateway.providers.vonage import VonageProvider

from .conftest import twilio_config, vonage_config


def sms(to="+33612345678") -> OutgoingSMS:
    return OutgoingSMS(
        to=to, text="Your code is 123456", masked_text="x", sender="", reference="r", unicode=False
    )


@pytest.fixture
def hostile_environment(monkeypatch):
    """What requests would obey on every call if it read the environment."""
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY"):
        monkeypatch.setenv(name, "http://127.0.0.1:9")  # nothing listens: every call would fail
    monkeypatch.setenv("NO_PROXY", "")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/nonexistent/ca.pem")


def test_twilio_ignores_proxy_variables(twilio_fake, hostile_environment):
    provider = TwilioProvider("twilio", **twilio_config(twilio_fake)["OPTIONS"])
    assert provider.send(sms(), timeout=5).provider_message_id.startswith("SM")
    assert twilio_fake.received[0].via_proxy is False


def test_twilio_proxy_option_is_used(twilio_fake, hostile_environment):
    # The fake answers as a forward proxy too: the request line then carries the URL.
    options = twilio_config(twilio_fake, API_BASE_URL="http://twilio-egress.invalid:8080")
    options["OPTIONS"]["PROXY"] = twilio_fake.url
    provider = TwilioProvider("twilio", **options["OPTIONS"])
    assert provider.send(sms(), timeout=5).provider_message_id.startswith("SM")
    [request] = twilio_fake.received
    assert request.via_proxy is True
    assert request.headers["host"] == "api.twilio.com"


def test_vonage_ignores_proxy_and_ca_variables(vonage_fake, tls, hostile_environment):
    provider = VonageProvider("vonage", **vonage_config(vonage_fake, tls[1])["OPTIONS"])
    assert provider.send(sms(), timeout=5).provider_message_id
    provider.close()


def test_twilio_pool_holds_a_connection_per_thread(twilio_fake, caplog, settings):
    """32 threads at once: no 'Connection pool is full' and one connection per thread, reused."""
    settings.SMS_HTTP_POOL_SIZE = 32
    twilio_fake.latency = 0.2  # keeps all 32 requests in flight together
    provider = TwilioProvider("twilio", **twilio_config(twilio_fake)["OPTIONS"])
    caplog.set_level(logging.WARNING, logger="urllib3.connectionpool")

    with ThreadPoolExecutor(max_workers=32) as pool:
        for _ in range(2):
            list(pool.map(lambda n: provider.send(sms(f"+3361234{n:04d}"), timeout=5), range(32)))

    assert len(twilio_fake.received) == 64
    assert not [r for r in caplog.records if "pool is full" in r.getMessage()]
    # The second round reused the first round's connections.
    assert len({r.client_port for r in twilio_fake.received}) <= 32
    provider.close()
