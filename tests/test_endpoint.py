"""Logto's exact HTTP call, end to end through the live server."""

import pytest

from sms_gateway.core.message_types import MessageType
from sms_gateway.models import Message, Template

from .conftest import logto_body

pytestmark = pytest.mark.django_db(transaction=True)

EXPECTED_EN = {
    "SignIn": "Your sign-in code is 123456. It expires in 10 minutes. Never share it with anyone.",
    "Register": "Your sign-up code is 123456. It expires in 10 minutes.",
    "ForgotPassword": "Your password reset code is 123456.",
    "OrganizationInvitation": "Accept the invitation: https://example.com/invite/xyz",
    "Generic": "Your verification code is 123456. It expires in 10 minutes. "
    "Never share it with anyone.",
    "UserPermissionValidation": "Your identity verification code is 123456.",
    "BindNewIdentifier": "Your code to link this phone number to your account is 123456.",
    "MfaVerification": "Your 2-step verification code is 123456.",
    "BindMfa": "Your code to set up 2-step verification by SMS is 123456.",
}


@pytest.mark.parametrize("to", ["33612345678", "+33612345678"])
def test_logto_request_is_sent_and_recorded(api, outbox, to):
    response = api.post(logto_body(to=to))

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "sent"
    assert body["provider"] == "locmem"
    assert body["segments"] == 1
    assert response.headers["X-Request-ID"]

    [(alias, sms)] = outbox
    assert alias == "locmem"
    assert sms.to == "+33612345678"
    assert sms.text == EXPECTED_EN["SignIn"]

    message = Message.objects.get(pk=body["id"])
    assert message.to == "+33612345678"
    assert message.country == "FR"
    assert message.type == "SignIn"
    assert message.template_type == "SignIn"
    assert message.locale == "en"
    assert message.status == Message.Status.SENT
    assert message.provider == "locmem"
    assert message.provider_message_id.startswith("locmem-")
    assert message.ip == "203.0.113.7"
    assert message.segments == 1
    assert message.encoding == "GSM-7"
    assert message.body == EXPECTED_EN["SignIn"].replace("123456", "******")
    assert message.route == "default"
    [attempt] = message.attempts
    assert attempt["outcome"] == "sent"
    assert attempt["provider"] == "locmem"
    assert attempt["provider_message_id"] == message.provider_message_id


@pytest.mark.parametrize("kind", MessageType.values)
def test_every_logto_type_renders_its_own_template(api, outbox, kind):
    payload = {"code": "123456", "link": "https://example.com/invite/xyz", "locale": "en"}
    response = api.post(logto_body(type=kind, payload=payload))

    assert response.status_code == 200, response.text
    [(_, sms)] = outbox
    assert EXPECTED_EN[kind] in sms.text
    assert Message.objects.get(pk=response.json()["id"]).template_type == kind


def test_extra_payload_keys_reach_templates(api, outbox):
    Template.objects.filter(type="SignIn", locale="en").update(
        text="{{application.name}}: {{ code }} for {{user.name}}{{ unknown }}"
    )
    payload = {"code": "987654", "locale": "en", "application": {"name": "Acme"}, "user": {}}
    response = api.post(logto_body(payload=payload))

    assert response.status_code == 200, response.text
    assert outbox[0][1].text == "Acme: 987654 for {{ unknown }}"


def test_ip_is_optional(api):
    body = logto_body()
    del body["ip"]
    response = api.post(body)
    assert response.status_code == 200, response.text
    assert Message.objects.get(pk=response.json()["id"]).ip is None


def test_ipv6_is_recorded(api):
    response = api.post(logto_body(ip="2001:db8::7"))
    assert response.status_code == 200, response.text
    assert Message.objects.get(pk=response.json()["id"]).ip == "2001:db8::7"


def test_unknown_type_falls_back_to_generic_template(api, outbox):
    response = api.post(logto_body(type="PasskeyRecovery2"))

    assert response.status_code == 200, response.text
    assert outbox[0][1].text == EXPECTED_EN["Generic"]
    message = Message.objects.get(pk=response.json()["id"])
    assert (message.type, message.template_type) == ("PasskeyRecovery2", "Generic")


def test_type_without_template_falls_back_to_generic(api, outbox):
    Template.objects.filter(type="BindMfa").delete()
    response = api.post(logto_body(type="BindMfa"))
    assert response.status_code == 200, response.text
    assert outbox[0][1].text.startswith("Your verification code is 123456")


def test_requested_locale_without_template_uses_default_locale(api, outbox):
    # +31: Dutch, which ships no templates, so the default locale is next.
    response = api.post(logto_body(to="31612345678", payload={"code": "123456", "locale": "xx-YY"}))
    assert response.status_code == 200, response.text
    message = Message.objects.get(pk=response.json()["id"])
    assert (message.requested_locale, message.locale) == ("xx-YY", "en")


def test_requested_locale_with_template_is_used(api, outbox):
    Template.objects.filter(type="SignIn", locale="fr").update(text="Votre code : {{code}}")
    response = api.post(logto_body(to="14155550123", payload={"code": "123456", "locale": "fr-FR"}))
    assert response.status_code == 200, response.text
    assert outbox[0][1].text == "Votre code : 123456"
    assert Message.objects.get(pk=response.json()["id"]).locale == "fr"


def test_no_template_at_all_is_a_short_500_and_recorded(api):
    Template.objects.all().delete()
    response = api.post(logto_body())
    assert response.status_code == 500
    assert response.json()["message"] == "No SMS template is configured for this message."
    message = Message.objects.get()
    assert message.status == Message.Status.FAILED


def test_route_without_providers_blocks_the_destination(api, outbox):
    from sms_gateway.models import Route

    Route.objects.create(prefix="33", description="France disabled")
    response = api.post(logto_body())

    assert response.status_code == 400
    assert response.json()["message"] == (
        "The SMS cannot be sent: SMS to this destination is not enabled."
    )
    assert outbox == []
    assert Message.objects.get().status == Message.Status.REJECTED


def test_route_sends_through_its_providers_with_its_sender(api, outbox):
    from sms_gateway.models import Route

    route = Route.objects.create(prefix="336")
    route.hops.create(provider="locmem", sender="Acme", position=0)
    response = api.post(logto_body())

    assert response.status_code == 200, response.text
    assert outbox[0][1].sender == "Acme"


def test_trailing_slash_is_accepted(api, outbox, live_server):
    response = api.session.post(
        f"{live_server.url}/sms/send/", json=logto_body(), headers={"Authorization": api_token()}
    )
    assert response.status_code == 200, response.text


def api_token():
    from .conftest import TOKEN

    return TOKEN
