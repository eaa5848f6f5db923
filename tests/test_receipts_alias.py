"""A receipt only changes a message its own provider alias sent (the alias of the attempt
that was taken), however correctly it is signed for its own alias. End to end: the SMS
goes out through the fake providers, the receipts come back signed by the SDKs' helpers."""

import pytest
from prometheus_client import REGISTRY

from sms_gateway.core.delivery_status import DeliveryStatus
from sms_gateway.delivery.tracking import sent_by
from sms_gateway.models import Message, Route

from .receipts import Caller, SignalLog, send_one
from .test_receipts_twilio import callback_fields, signed_post
from .test_receipts_vonage import SIGNATURE_SECRET, receipt, signed

pytestmark = pytest.mark.django_db(transaction=True)

SENT = Message.Status.SENT


@pytest.mark.parametrize(
    ("alias", "status", "provider", "expected"),
    [
        ("vonage", SENT, "vonage", True),
        ("vonage", SENT, "twilio", False),  # another provider sent it
        ("vonage-eu", SENT, "vonage", False),  # another account of the same provider
        ("vonage", Message.Status.ACCEPTED, "", False),  # the outcome is not recorded yet
        ("vonage", Message.Status.UNKNOWN, "", False),  # nobody knows who sent it
        ("vonage", Message.Status.REJECTED, "vonage", False),  # refused: nothing was sent
        ("vonage", Message.Status.FAILED, "", False),
        ("", SENT, "", False),
    ],
)
def test_sent_by(alias, status, provider, expected):
    assert sent_by(alias, status, provider) is expected


@pytest.fixture
def both(settings, providers, live_server):
    settings.SMS_PUBLIC_BASE_URL = live_server.url
    settings.SMS_VONAGE_SIGNATURES = {"vonage": {"SECRET": SIGNATURE_SECRET, "METHOD": "sha256"}}
    return providers


@pytest.fixture
def caller():
    c = Caller()
    yield c
    c.close()


def route(*aliases: str) -> None:
    r = Route.objects.create()
    for position, alias in enumerate(aliases):
        r.hops.create(provider=alias, position=position)


def other_alias_count(alias: str) -> float:
    labels = {"source": alias, "outcome": "other_alias"}
    return REGISTRY.get_sample_value("sms_gateway_webhook_requests_total", labels) or 0.0


def test_a_vonage_receipt_does_not_change_a_message_twilio_sent(api, both, caller, live_server):
    twilio, _ = both
    route("twilio")
    message = send_one(api)
    assert message.provider == "twilio"
    url = f"{live_server.url}/webhooks/vonage/vonage"
    before = other_alias_count("vonage")

    with SignalLog() as signals:
        # Correctly signed for the Vonage alias, naming the Twilio message (client-ref).
        response = caller.post(url, data=signed(receipt(message, "failed")))

    assert response.status_code == 200  # the provider would only retry it
    assert Message.objects.get(pk=message.pk).delivery_status == ""
    assert signals == []
    assert other_alias_count("vonage") == before + 1
    # Twilio's own receipt still counts.
    twilio_url = twilio.received[0].form["StatusCallback"]
    assert signed_post(caller, twilio_url, callback_fields(message, "delivered")).status_code == 200
    assert Message.objects.get(pk=message.pk).delivery_status == DeliveryStatus.DELIVERED


def test_a_twilio_receipt_does_not_change_a_message_vonage_sent(api, both, caller, live_server):
    route("vonage")
    message = send_one(api)
    assert message.provider == "vonage"
    url = f"{live_server.url}/webhooks/twilio/twilio?ref={message.pk}"
    fields = callback_fields(message, "undelivered", MessageSid="SM" + "a" * 32)
    fields["SmsSid"] = fields["MessageSid"]

    assert signed_post(caller, url, fields).status_code == 200
    assert Message.objects.get(pk=message.pk).delivery_status == ""


def test_a_receipt_without_our_id_is_looked_up_among_its_alias_messages(
    api, both, caller, live_server
):
    route("twilio")
    message = send_one(api)
    fields = receipt(message, "delivered", messageId=message.provider_message_id)
    del fields["client-ref"]  # found by the provider's id only: Twilio's SID here

    with SignalLog() as signals:
        response = caller.post(f"{live_server.url}/webhooks/vonage/vonage", data=signed(fields))

    assert response.status_code == 200
    assert Message.objects.get(pk=message.pk).delivery_status == ""
    assert signals == []


def test_after_a_failover_only_the_provider_that_took_it_counts(api, both, caller, live_server):
    twilio, vonage = both
    route("twilio", "vonage")
    twilio.will("drop")  # Twilio may have sent it (ambiguous); Vonage took it
    message = send_one(api)
    first, second = message.attempts
    assert (first["provider"], first["outcome"]) == ("twilio", "ambiguous")
    assert (second["provider"], second["outcome"]) == ("vonage", "sent")
    twilio_url = twilio.received[0].form["StatusCallback"]  # ...?ref=<our id>
    twilio_receipt = callback_fields(message, "undelivered", MessageSid="SM" + "b" * 32)
    twilio_receipt["SmsSid"] = twilio_receipt["MessageSid"]

    with SignalLog() as signals:
        assert signed_post(caller, twilio_url, twilio_receipt).status_code == 200
        assert Message.objects.get(pk=message.pk).delivery_status == ""
        vonage_url = vonage.received[0].form["callback"]
        assert (
            caller.post(vonage_url, data=signed(receipt(message, "delivered"))).status_code == 200
        )

    message.refresh_from_db()
    assert message.delivery_status == DeliveryStatus.DELIVERED
    assert [s["event"].provider for s in signals] == ["vonage"]


def test_another_account_of_the_same_provider_does_not_count(
    api, settings, both, caller, live_server
):
    settings.SMS_PROVIDERS["vonage-eu"] = settings.SMS_PROVIDERS["vonage"]
    settings.SMS_VONAGE_SIGNATURES = {
        "vonage": {"SECRET": SIGNATURE_SECRET},
        "vonage-eu": {"SECRET": "eu-secret"},
    }
    route("vonage")
    message = send_one(api)
    eu = f"{live_server.url}/webhooks/vonage/vonage-eu"
    response = caller.post(eu, data=signed(receipt(message, "delivered"), secret="eu-secret"))
    assert response.status_code == 200
    assert Message.objects.get(pk=message.pk).delivery_status == ""


def test_a_receipt_before_the_outcome_is_recorded_changes_nothing(api, both, caller):
    twilio, _ = both
    route("twilio")
    message = send_one(api)
    # As while the send path still waits on the provider: no outcome, no provider yet.
    Message.objects.filter(pk=message.pk).update(
        status=Message.Status.ACCEPTED, provider="", attempts=[]
    )
    url = twilio.received[0].form["StatusCallback"]
    assert signed_post(caller, url, callback_fields(message, "delivered")).status_code == 200
    assert Message.objects.get(pk=message.pk).delivery_status == ""
