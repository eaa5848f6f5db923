"""A provider's unreadable answer is its fault; a bug in our adapter is ours.

An answer that came but is not the documented JSON fails over with a WARNING. A
programming error inside an adapter (the SDK called the wrong way) also fails
over, but is logged at ERROR with its traceback and counted, as category
``internal``. An unexpected error once the message is recorded leaves it
``unknown``: the provider may have taken it. All through Logto's real HTTP call,
the real SDKs and the fake providers.
"""

import logging

import pytest
from prometheus_client import REGISTRY

from sms_gateway.models import Message, Route
from sms_gateway.providers.locmem import LocmemProvider
from sms_gateway.providers.twilio import TwilioProvider
from sms_gateway.providers.vonage import VonageProvider

from .conftest import logto_body

pytestmark = pytest.mark.django_db(transaction=True)

CODE = "804317"


def route(*aliases: str) -> None:
    r = Route.objects.create()
    for position, alias in enumerate(aliases):
        r.hops.create(provider=alias, position=position)


def internal_errors(alias: str, exception: str) -> float:
    labels = {"provider": alias, "exception": exception}
    return REGISTRY.get_sample_value("sms_gateway_provider_internal_errors_total", labels) or 0.0


def send(api) -> tuple:
    response = api.post(logto_body(payload={"code": CODE, "locale": "en"}))
    return response, Message.objects.get(pk=response.json()["id"])


# --- an answer we cannot read: the provider's fault --------------------------------
@pytest.mark.parametrize(("broken", "other"), [("twilio", "vonage"), ("vonage", "twilio")])
def test_a_2xx_answer_of_garbage_fails_over_with_a_warning(api, providers, caplog, broken, other):
    fakes = dict(zip(["twilio", "vonage"], providers, strict=True))
    route(broken, other)
    fakes[broken].will("non_json")  # 2xx, text/html
    before = internal_errors(broken, "TypeError") + internal_errors(broken, "JSONDecodeError")
    caplog.set_level(logging.INFO)

    response, message = send(api)

    assert response.status_code == 200, response.text
    assert response.json()["provider"] == other
    first, second = message.attempts
    assert (first["category"], first["error"]) == ("unavailable", "unreadable answer")
    assert second["outcome"] == "sent"
    [warning] = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert warning.getMessage().startswith(f"provider {broken} sent an unreadable answer: ")
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    after = internal_errors(broken, "TypeError") + internal_errors(broken, "JSONDecodeError")
    assert after == before  # not counted as a bug of ours
    assert CODE not in caplog.text


# --- a bug in our adapter: ours ------------------------------------------------------
class TupleTimeoutTwilio(TwilioProvider):
    """Passes requests-style (connect, read) timeouts: the twilio SDK takes one number
    and compares it with 0, a TypeError before anything is sent."""

    def send(self, sms, timeout):
        return super().send(sms, (1.0, timeout))


class TripleTimeoutVonage(VonageProvider):
    """A three-part timeout: requests refuses it with a ValueError before connecting."""

    def send(self, sms, timeout):
        return super().send(sms, (1.0, timeout, timeout))


@pytest.mark.parametrize(
    ("backend", "exception", "fake_index", "other"),
    [
        (TupleTimeoutTwilio, "TypeError", 0, "vonage"),
        (TripleTimeoutVonage, "ValueError", 1, "twilio"),
    ],
)
def test_a_bug_in_an_adapter_is_logged_with_its_traceback_counted_and_fails_over(
    api, providers, settings, caplog, backend, exception, fake_index, other
):
    kind = "twilio" if fake_index == 0 else "vonage"
    settings.SMS_PROVIDERS = {
        **settings.SMS_PROVIDERS,
        "buggy": {
            "BACKEND": f"{backend.__module__}.{backend.__name__}",
            "OPTIONS": settings.SMS_PROVIDERS[kind]["OPTIONS"],
        },
    }
    route("buggy", other)
    before = internal_errors("buggy", exception)
    caplog.set_level(logging.INFO)

    response, message = send(api)

    assert response.status_code == 200, response.text
    assert response.json()["provider"] == other
    assert providers[fake_index].received == []  # it failed before sending
    first, second = message.attempts
    assert (first["outcome"], first["category"]) == ("failed", "internal")
    assert first["error"] == f"internal error: {exception}"
    assert second["outcome"] == "sent"
    assert internal_errors("buggy", exception) == before + 1
    [error] = [r for r in caplog.records if r.levelno == logging.ERROR]
    text = error.getMessage()
    assert text.startswith(f"provider buggy raised an unexpected error: {exception} at ")
    assert "Traceback (most recent call last):" in text
    assert "in send\n" in text and "test_provider_bugs.py" in text  # the frames, to the bug
    assert f"{exception} (message withheld)" in text
    assert not [r for r in caplog.records if "unreadable answer" in r.getMessage()]
    assert CODE not in caplog.text


# --- an unexpected error after the record: the outcome is unknown -------------------
class WrongResultProvider(LocmemProvider):
    """Takes the SMS, then answers a dict instead of a SendResult: the send path
    breaks after the provider had it."""

    def send(self, sms, timeout):
        result = super().send(sms, timeout)
        return {"sid": result.provider_message_id}


def test_an_unexpected_error_after_the_record_leaves_it_unknown(api, settings, outbox, caplog):
    settings.SMS_PROVIDERS = {
        **settings.SMS_PROVIDERS,
        "wrong": {"BACKEND": "tests.test_provider_bugs.WrongResultProvider"},
    }
    route("wrong", "locmem")
    caplog.set_level(logging.INFO)

    response, message = send(api)

    assert len(outbox) == 1  # the provider had it: failing over would send it twice
    assert response.status_code == 502
    assert response.json()["id"] == str(message.pk)
    assert message.status == Message.Status.UNKNOWN
    assert message.error == "internal error: AttributeError (see the log)"
    [error] = [
        r for r in caplog.records if r.levelno == logging.ERROR and r.name != "django.request"
    ]
    text = error.getMessage()
    assert text.startswith("unexpected error while sending, outcome unknown: AttributeError at ")
    assert "Traceback (most recent call last):" in text and "deliver.py" in text
    assert error.message_id == str(message.pk)
    assert CODE not in caplog.text
