"""The wall-clock deadline holds whatever the provider's answer looks like.

Each case is Logto's real HTTP call to the gateway, the real SDK talking to a fake
provider that sends a success answer one byte every 0.25 s, framed one way or
another, over plain HTTP or TLS. ``http.client`` lets go of the socket once the
headers of a ``Connection: close`` answer are in, so a watchdog that looked for
the socket there found nothing and the call ran until the body ended. Every case
must be answered within ``SMS_DEADLINE`` + 0.5 s, with the row out of ``accepted``.

Vonage over plain HTTP is no case: its SDK only builds ``https://`` URLs.

The measured table is printed at the end of the module (``-s`` not needed).
"""

import time

import pytest

from sms_gateway.models import Message, Route
from sms_gateway.providers import get_provider

from .conftest import (
    TWILIO_SID,
    TWILIO_TOKEN,
    VONAGE_KEY,
    VONAGE_SECRET,
    logto_body,
    twilio_config,
    vonage_config,
)
from .fakes import FakeServer, FakeTwilio, FakeVonage

pytestmark = pytest.mark.django_db(transaction=True)

DEADLINE = 2.0
BYTE_EVERY = 0.25  # each read is quick: only the wall clock can end the answer
CASES = [
    (provider, transport, framing)
    for provider in ("twilio", "vonage")
    for transport in ("http", "tls")
    for framing in FakeServer.FRAMINGS
    if (provider, transport) != ("vonage", "http")
]

table: dict[tuple[str, str, str], tuple[float, str]] = {}


@pytest.fixture(scope="module", autouse=True)
def print_table(request):
    yield
    if not table:
        return
    lines = [
        "",
        f"deadline table (SMS_DEADLINE={DEADLINE}, one byte every {BYTE_EVERY} s):",
        f"{'case':<10} {'transport':<10} {'provider':<9} {'seconds':>8}  final status",
    ]
    for (provider, transport, framing), (seconds, status) in sorted(table.items()):
        lines.append(f"{framing:<10} {transport:<10} {provider:<9} {seconds:>8.2f}  {status}")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    with capture.global_and_fixture_disabled():
        print("\n".join(lines))


@pytest.fixture
def fake(request, settings, tls, api):
    provider, transport = request.param
    context, ca_file = tls
    if provider == "twilio":
        server = FakeTwilio(TWILIO_SID, TWILIO_TOKEN, context if transport == "tls" else None)
        config = twilio_config(server, CA_BUNDLE=ca_file)  # the test CA, for its TLS case
    else:
        server = FakeVonage(VONAGE_KEY, VONAGE_SECRET, context)
        config = vonage_config(server, ca_file)
    settings.SMS_PROVIDERS = {**settings.SMS_PROVIDERS, provider: config}
    settings.SMS_ATTEMPT_TIMEOUT = DEADLINE
    settings.SMS_DEADLINE = DEADLINE
    get_provider(provider)  # the SDK imported: a process's first send pays for it
    # The live server's first request imports the send path: not what is measured here.
    assert api.post(logto_body()).status_code == 200  # to the default provider, locmem
    Message.objects.all().delete()
    route = Route.objects.create()
    route.hops.create(provider=provider, position=0)
    yield server
    server.stop()


@pytest.mark.parametrize(
    ("fake", "framing"),
    [((provider, transport), framing) for provider, transport, framing in CASES],
    ids=[f"{p}-{t}-{f}" for p, t, f in CASES],
    indirect=["fake"],
)
def test_a_trickled_answer_is_cut_at_the_deadline(api, fake, framing, request):
    fake.will(("trickle", BYTE_EVERY, framing))

    started = time.monotonic()
    response = api.post(logto_body())
    elapsed = time.monotonic() - started

    message = Message.objects.get()
    provider, transport = request.node.callspec.params["fake"]
    table[(provider, transport, framing)] = (elapsed, message.status)
    assert response.status_code == 502, response.text
    assert elapsed < DEADLINE + 0.5
    assert message.status == Message.Status.FAILED
    [attempt] = message.attempts
    assert (attempt["outcome"], attempt["error"]) == ("ambiguous", "timed out")
    assert len(fake.received) == 1  # cut, and never sent again
