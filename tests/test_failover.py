"""Routes, failover and records, end to end: Logto's HTTP call -> fake providers."""

import time

import pytest

from sms_gateway.models import Message, Route

from .conftest import logto_body

pytestmark = pytest.mark.django_db(transaction=True)


def route(prefix="", country="", *hops):
    r = Route.objects.create(prefix=prefix, country=country)
    for position, hop in enumerate(hops):
        alias, _, sender = hop.partition(":")
        r.hops.create(provider=alias, sender=sender, position=position)
    return r


def test_route_by_longest_prefix_picks_the_provider(api, providers):
    twilio, vonage = providers
    route("33", "", "twilio")
    route("336", "", "vonage")

    mobile = api.post(logto_body(to="33612345678"))
    landline = api.post(logto_body(to="33123456789"))

    assert mobile.status_code == landline.status_code == 200
    assert mobile.json()["provider"] == "vonage"
    assert landline.json()["provider"] == "twilio"
    assert [r.form["to"] for r in vonage.received] == ["33612345678"]
    assert [r.form["To"] for r in twilio.received] == ["+33123456789"]


def test_sender_comes_from_the_route(api, providers):
    twilio, vonage = providers
    route("1", "", "twilio:+15551230000")
    route("", "FR", "vonage:AcmeFR")

    assert api.post(logto_body(to="14155550123")).status_code == 200
    assert api.post(logto_body(to="33612345678")).status_code == 200
    assert twilio.received[0].form["From"] == "+15551230000"
    assert vonage.received[0].form["from"] == "AcmeFR"


@pytest.mark.parametrize(
    "failure",
    [("status", 500), ("status", 429), "drop", "non_json", ("error", 401, 20003, "Authenticate")],
)
def test_provider_failure_fails_over_to_the_next(api, providers, failure):
    twilio, vonage = providers
    route("", "", "twilio", "vonage")
    twilio.will(failure)

    response = api.post(logto_body())

    assert response.status_code == 200, response.text
    assert response.json()["provider"] == "vonage"
    assert len(twilio.received) == 1 and len(vonage.received) == 1
    message = Message.objects.get(pk=response.json()["id"])
    assert message.status == Message.Status.SENT
    assert message.provider == "vonage"
    first, second = message.attempts
    # A connection dropped after the request was sent may have been taken: ambiguous.
    expected = "ambiguous" if failure == "drop" else "failed"
    assert (first["provider"], first["outcome"]) == ("twilio", expected)
    assert first["category"] in {"unavailable", "rate_limited", "provider_config"}
    assert (second["provider"], second["outcome"]) == ("vonage", "sent")
    assert second["provider_message_id"] == message.provider_message_id


def test_invalid_number_rejection_does_not_fail_over(api, providers):
    twilio, vonage = providers
    route("", "", "twilio", "vonage")
    twilio.will(("error", 400, 21211, "The 'To' number +33612345678 is not a valid phone number."))

    response = api.post(logto_body())

    assert response.status_code == 400
    assert response.json()["message"] == (
        "The SMS cannot be sent: the number is invalid or cannot receive SMS."
    )
    assert vonage.received == []
    message = Message.objects.get()
    assert message.status == Message.Status.REJECTED
    [attempt] = message.attempts
    assert (attempt["category"], attempt["error_code"]) == ("recipient", "21211")


def test_all_providers_failing_is_502_and_recorded(api, providers):
    twilio, vonage = providers
    route("", "", "twilio", "vonage")
    twilio.will(("status", 503))
    vonage.will(("sms_status", "5", "Internal Error"))

    response = api.post(logto_body())

    assert response.status_code == 502
    body = response.json()
    assert body["message"] == "The SMS could not be sent right now. Please try again later."
    message = Message.objects.get(pk=body["id"])
    assert message.status == Message.Status.FAILED
    assert message.error.startswith("all providers failed; last: vonage")
    assert [a["outcome"] for a in message.attempts] == ["failed", "failed"]
    assert all(a["duration_ms"] >= 0 for a in message.attempts)


def test_timeout_is_honoured_within_the_deadline(api, providers, settings):
    twilio, vonage = providers
    settings.SMS_ATTEMPT_TIMEOUT = 0.5
    settings.SMS_DEADLINE = 3.0
    route("", "", "twilio", "vonage")
    twilio.will(("slow", 10))

    started = time.monotonic()
    response = api.post(logto_body())
    elapsed = time.monotonic() - started

    assert response.status_code == 200, response.text
    assert response.json()["provider"] == "vonage"
    assert elapsed < 5  # twilio's 10 s were cut at the attempt timeout
    [attempt] = [a for a in Message.objects.get().attempts if a["provider"] == "twilio"]
    assert attempt["category"] == "unavailable" and attempt["error"] == "timed out"


def test_deadline_stops_failover(api, providers, settings):
    twilio, vonage = providers
    settings.SMS_ATTEMPT_TIMEOUT = 1.0
    settings.SMS_DEADLINE = 1.0
    route("", "", "twilio", "vonage")
    twilio.will(("slow", 10))

    response = api.post(logto_body())

    assert response.status_code == 502
    assert vonage.received == []
    assert Message.objects.get().status == Message.Status.FAILED


def test_unicode_text_goes_to_vonage_as_unicode(api, providers):
    from sms_gateway.models import Template

    _, vonage = providers
    Template.objects.filter(type="SignIn", locale="fr").update(text="Votre code : {{code}}. Reçu ?")
    route("", "", "vonage")

    response = api.post(logto_body(payload={"code": "123456", "locale": "fr"}))

    assert response.status_code == 200, response.text
    assert vonage.received[0].form["type"] == "unicode"
    assert vonage.received[0].form["text"] == "Votre code : 123456. Reçu ?"
    assert vonage.received[0].form["client-ref"] == response.json()["id"]
    assert Message.objects.get().encoding == "UCS-2"


def test_unknown_alias_in_a_route_fails_over(api, providers):
    _, vonage = providers
    route("", "", "ghost", "vonage")
    response = api.post(logto_body())
    assert response.status_code == 200
    first = Message.objects.get().attempts[0]
    assert (first["provider"], first["category"]) == ("ghost", "provider_config")


@pytest.mark.parametrize("alias", ["twilio", "vonage"])
def test_a_trickling_provider_is_cut_at_the_deadline(api, providers, settings, alias):
    """Headers at once, then a byte every 0.5 s: each read is quick, the answer never ends."""
    fake = dict(zip(["twilio", "vonage"], providers, strict=True))[alias]
    settings.SMS_ATTEMPT_TIMEOUT = 2.0
    settings.SMS_DEADLINE = 2.5
    route("", "", alias)
    fake.will(("trickle", 0.5))

    started = time.monotonic()
    response = api.post(logto_body())
    elapsed = time.monotonic() - started

    assert response.status_code == 502
    assert elapsed < settings.SMS_DEADLINE + 0.5  # the margin: recording the outcome
    [attempt] = Message.objects.get().attempts
    assert (attempt["outcome"], attempt["error"]) == ("ambiguous", "timed out")
    assert 1900 <= attempt["duration_ms"] < 2400
    assert len(fake.received) == 1  # cut, and never sent again
