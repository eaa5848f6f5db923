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


def answer(body: bytes, content_type: str | None) -> urllib3.HTTPResponse:
    headers = {"Content-Type": content_type} if content_type else {}
    return urllib3.HTTPResponse(body=body, headers=headers, status=200, preload_content=True)


def test_answers_are_decoded_in_their_charset():
    text = '{"body": "café"}'
    assert decoded(answer(text.encode(), "application/json")) == text
    assert decoded(answer(text.encode(), None)) == text
    assert decoded(answer(text.encode("latin-1"), "text/plain; charset=ISO-8859-1")) == text
    assert decoded(answer(text.encode("latin-1"), 'text/plain; charset="iso-8859-1"')) == text
    assert decoded(answer(text.encode(), "application/json; charset=no-such-thing")) == text
    assert decoded(answer(b"\xff{}", "application/json")) == "\ufffd{}"  # never raises


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
