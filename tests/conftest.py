from __future__ import annotations

import contextlib

import pytest
import requests
from redis.exceptions import RedisError

from sms_gateway.catalog import snapshot as catalog
from sms_gateway.fraud import ratelimits
from sms_gateway.ops import degraded, webhook_keys
from sms_gateway.ops.redis_cache import shared_client
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
    # SMS_GUARD is left as shipped: every test sends through the fraud guard
    # unless it is marked guard_off (below) with the reason.
    return settings


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "guard_off(reason): run with SMS_GUARD empty; the reason says why the shipped guard "
        "cannot apply to this test",
    )


@pytest.fixture(autouse=True)
def guard_off(request, settings):
    """Turns the fraud guard off for a test marked ``guard_off("why")``, and only then."""
    marker = request.node.get_closest_marker("guard_off")
    if marker is None:
        return
    if not (marker.args and str(marker.args[0]).strip()):
        raise pytest.UsageError(f"{request.node.nodeid}: guard_off needs a reason")
    settings.SMS_GUARD = []


def forget_guard_counts() -> None:
    """The guard's counters in the test Redis (rate limits, pumping), also those an
    earlier test process left: every test starts from zero."""
    client = shared_client()
    if client is None:
        return  # per-process counts: ratelimits.reset() forgets them
    with contextlib.suppress(RedisError):
        redis = client.get_client(write=True)
        keys = list(redis.scan_iter(match="sms_gateway:*", count=1000))
        if keys:
            redis.delete(*keys)


@pytest.fixture(autouse=True)
def fresh_state():
    locmem.outbox.clear()
    catalog.invalidate()
    ratelimits.reset()
    forget_guard_counts()
    degraded.reset()
    webhook_keys.reset()
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
def api(live_server):
    client = Api(live_server.url)
    yield client
    # Close keep-alive connections now, not when the live server shuts down.
    client.session.close()


def logto_body(**overrides) -> dict:
    body = {
        "to": "33612345678",
        "type": "SignIn",
        "payload": {"code": "123456", "locale": "en", "uiLocales": "en"},
        "ip": "203.0.113.7",
    }
    body.update(overrides)
    return body


def distinct_user(n: int) -> dict:
    """``logto_body(**distinct_user(n))``: the n-th of many users (n < 10,000), with its
    own number, in its own block of 1,000 numbers, spread over 100 six-digit prefixes,
    and its own address: many at once are busy traffic to the shipped guard, not an
    attack."""
    return {"to": f"3361{n % 100:02d}{n // 100:02d}567", "ip": f"198.51.{n // 250}.{n % 250 + 1}"}


# --- fake providers ------------------------------------------------------------
import trustme  # noqa: E402

from .fakes import FakeTwilio, FakeVonage  # noqa: E402

TWILIO_SID = "AC" + "0" * 32
TWILIO_TOKEN = "twilio-secret-token"
VONAGE_KEY = "vonage-key"
VONAGE_SECRET = "vonage-secret-1"


@pytest.fixture(scope="session")
def tls(tmp_path_factory):
    """A CA made for this run and a server certificate for 127.0.0.1."""
    ca = trustme.CA()
    import ssl

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    ca_file = tmp_path_factory.mktemp("tls") / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    return context, str(ca_file)


@pytest.fixture
def twilio_fake():
    fake = FakeTwilio(TWILIO_SID, TWILIO_TOKEN)
    yield fake
    fake.stop()


@pytest.fixture
def vonage_fake(tls):
    context, _ = tls
    fake = FakeVonage(VONAGE_KEY, VONAGE_SECRET, context)
    yield fake
    fake.stop()


def twilio_config(fake, **options):
    return {
        "BACKEND": "sms_gateway.providers.twilio.TwilioProvider",
        "OPTIONS": {
            "ACCOUNT_SID": TWILIO_SID,
            "AUTH_TOKEN": TWILIO_TOKEN,
            "FROM": "+15005550006",
            "API_BASE_URL": fake.url,
            **options,
        },
    }


def vonage_config(fake, ca_file, **options):
    return {
        "BACKEND": "sms_gateway.providers.vonage.VonageProvider",
        "OPTIONS": {
            "API_KEY": VONAGE_KEY,
            "API_SECRET": VONAGE_SECRET,
            "FROM": "Acme",
            "REST_HOST": fake.netloc,
            "CA_BUNDLE": ca_file,
            **options,
        },
    }


@pytest.fixture
def providers(settings, twilio_fake, vonage_fake, tls):
    """Aliases 'twilio' and 'vonage' pointing at the fakes."""
    settings.SMS_PROVIDERS = {
        **settings.SMS_PROVIDERS,
        "twilio": twilio_config(twilio_fake),
        "vonage": vonage_config(vonage_fake, tls[1]),
    }
    return twilio_fake, vonage_fake
