"""Twilio's requests carried on urllib3 (providers/twilio.py ``_HttpClient``): the
same request on the wire as the SDK's own ``requests`` client sends, its encodings
equal to requests' on every kind of value the SDK passes, its answers decoded."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit, urlunsplit

import pytest
import urllib3
from requests.auth import _basic_auth_str
from requests.models import RequestEncodingMixin
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from sms_gateway.providers.base import OutgoingSMS
from sms_gateway.providers.twilio import TwilioProvider, basic_auth, decoded, form_encoded

from .conftest import TWILIO_SID, TWILIO_TOKEN, twilio_config

VALUES = [
    {"To": "+33612345678", "From": "+15005550006", "Body": "Votre code : 123456"},
    {"Body": "a b&c=d+e/f?g#h%i", "To": "+1"},
    {"Body": "Код 123456 — ваш 🙂", "StatusCallback": "https://h.example/w?ref=1&x=%20"},
    {"MediaUrl": ["https://a.example/1", "https://a.example/2"], "To": "+1"},
    {"MediaUrl": ("x", None, "y"), "Skip": None},
    {"PageSize": 50, "Page": 0, "Flag": "true"},
    {},
]


@pytest.mark.parametrize("values", VALUES)
def test_form_encoding_is_requests_own(values):
    assert form_encoded(values) == RequestEncodingMixin._encode_params(values)


@pytest.mark.parametrize(
    ("user", "password"),
    [(TWILIO_SID, TWILIO_TOKEN), ("SK" + "0" * 32, "sécret:with:colons"), ("u", "")],
)
def test_basic_auth_is_requests_own(user, password):
    assert basic_auth(user, password) == _basic_auth_str(user, password)


def answer(body: bytes, content_type: str | None) -> str:
    headers = urllib3.HTTPHeaderDict({"Content-Type": content_type} if content_type else {})
    return decoded(headers, body)


def test_answers_are_decoded_in_their_charset():
    text = '{"body": "café"}'
    assert answer(text.encode(), "application/json") == text
    assert answer(text.encode(), None) == text
    assert answer(text.encode("latin-1"), "text/plain; charset=ISO-8859-1") == text
    assert answer(text.encode("latin-1"), 'text/plain; charset="iso-8859-1"') == text
    assert answer(text.encode(), "application/json; charset=no-such-thing") == text
    assert answer(b"\xff{}", "application/json") == "\ufffd{}"  # never raises


class _SdkClient(TwilioHttpClient):
    """The SDK's own client, its URL sent to the fake as the gateway's is."""

    def __init__(self, base_url: str) -> None:
        super().__init__()
        self.session.trust_env = False
        self.base = urlsplit(base_url)

    def request(self, method, url, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN201
        parts = urlsplit(url)
        kwargs["headers"] = {**(kwargs.get("headers") or {}), "Host": parts.netloc}
        url = urlunsplit(parts._replace(scheme=self.base.scheme, netloc=self.base.netloc))
        return super().request(method, url, *args, **kwargs)


# Headers each HTTP library adds of its own accord, not the SDK's request.
LIBRARY_HEADERS = {"accept-encoding", "connection", "content-length"}


def test_the_request_on_the_wire_is_the_sdks(twilio_fake):
    sms = OutgoingSMS(
        to="+33612345678",
        text="Votre code : 123456 & bienvenue",
        masked_text="x",
        sender="",
        reference="r",
        unicode=False,
        receipt_url="https://gw.example/webhooks/twilio/twilio?ref=1&x=y",
    )
    provider = TwilioProvider("twilio", **twilio_config(twilio_fake)["OPTIONS"])
    ours = provider.send(sms, timeout=5)
    sdk = Client(TWILIO_SID, TWILIO_TOKEN, http_client=_SdkClient(twilio_fake.url), environment={})
    theirs = sdk.messages.create(
        to=sms.to, body=sms.text, from_="+15005550006", status_callback=sms.receipt_url
    )
    first, second = twilio_fake.received

    assert (first.method, first.path) == (second.method, second.path)
    assert parse_qsl(first.body.decode()) == parse_qsl(second.body.decode())
    assert first.body == second.body  # byte for byte: same order, same escaping
    ours_headers = {k: v for k, v in first.headers.items() if k not in LIBRARY_HEADERS}
    sdk_headers = {k: v for k, v in second.headers.items() if k not in LIBRARY_HEADERS}
    assert ours_headers == sdk_headers
    assert ours_headers["host"] == "api.twilio.com"
    assert ours_headers["content-type"] == "application/x-www-form-urlencoded"
    assert ours.provider_message_id.startswith("SM")
    assert (ours.status, theirs.status) == ("queued", "queued")
    provider.close()


def test_an_error_answer_is_the_sdks_exception(twilio_fake):
    from twilio.base.exceptions import TwilioRestException

    options = twilio_config(twilio_fake, AUTH_TOKEN="wrong")["OPTIONS"]
    provider = TwilioProvider("twilio", **options)
    with pytest.raises(TwilioRestException) as raised:
        provider.client.messages.create(to="+33612345678", body="x", from_="+15005550006")
    assert (raised.value.status, raised.value.code) == (401, 20003)
    provider.close()


def test_query_parameters_reach_the_url_as_the_sdks_do():
    from .pricing_fakes import FakeTwilioPricing

    fake = FakeTwilioPricing(TWILIO_SID, TWILIO_TOKEN)
    fake.countries["FR"] = fake.country("FR", "France", "USD", [("Orange", "208", "01", 0.08)])
    provider = TwilioProvider("twilio", **twilio_config(fake)["OPTIONS"])
    sdk = Client(TWILIO_SID, TWILIO_TOKEN, http_client=_SdkClient(fake.url), environment={})
    try:
        ours = provider.client.pricing.v1.messaging.countries.list(page_size=20)
        theirs = sdk.pricing.v1.messaging.countries.list(page_size=20)
    finally:
        fake.stop()
        provider.close()
    assert [c.iso_country for c in ours] == [c.iso_country for c in theirs] == ["FR"]
    assert fake.paths[0] == fake.paths[1] == "/v1/Messaging/Countries?PageSize=20"


def test_proxy_credentials_are_sent_to_the_proxy(twilio_fake):
    """user:password@ in PROXY: urllib3 sends them only when told (requests did itself)."""
    options = twilio_config(twilio_fake, API_BASE_URL="http://twilio-egress.invalid:8080")
    host = twilio_fake.url.split("://", 1)[1]
    options["OPTIONS"]["PROXY"] = f"http://gw%40acme:s%3Acret@{host}"
    provider = TwilioProvider("twilio", **options["OPTIONS"])
    provider.send(
        OutgoingSMS(to="+33612345678", text="x", masked_text="x", sender="", reference="r",
                    unicode=False),
        timeout=5,
    )  # fmt: skip
    [request] = twilio_fake.received
    assert request.via_proxy is True
    assert request.headers["proxy-authorization"] == _basic_auth_str("gw@acme", "s:cret")
    provider.close()


def test_a_refused_connection_is_a_failed_connection_not_a_timeout():
    import socket

    from sms_gateway.core.errors import ProviderError

    with socket.socket() as listener:  # a port nothing listens on once closed
        listener.bind(("127.0.0.1", 0))
        port = listener.getsockname()[1]
    options = {"ACCOUNT_SID": TWILIO_SID, "AUTH_TOKEN": TWILIO_TOKEN, "FROM": "+15005550006",
               "API_BASE_URL": f"http://127.0.0.1:{port}"}  # fmt: skip
    provider = TwilioProvider("twilio", **options)
    with pytest.raises(ProviderError) as raised:
        provider.send(
            OutgoingSMS(to="+33612345678", text="x", masked_text="x", sender="", reference="r",
                        unicode=False),
            timeout=5,
        )  # fmt: skip
    assert "connection failed" in str(raised.value)
    assert raised.value.ambiguous is False  # nothing was sent


def test_a_missing_ca_bundle_is_a_startup_error(tmp_path):
    from django.core.exceptions import ImproperlyConfigured

    options = {"ACCOUNT_SID": TWILIO_SID, "AUTH_TOKEN": TWILIO_TOKEN,
               "CA_BUNDLE": str(tmp_path / "nowhere.pem")}  # fmt: skip
    with pytest.raises(ImproperlyConfigured, match="CA_BUNDLE"):
        TwilioProvider("twilio", **options)
