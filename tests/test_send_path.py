"""The send path seen from Logto: guard refusals, the answer table, pooled connections."""

import pytest
from rest_framework import exceptions

from sms_gateway.api.errors import ANSWERS, answer_for
from sms_gateway.core import errors
from sms_gateway.models import Message

from . import probes
from .conftest import logto_body
from .services import require_postgres


@pytest.mark.django_db(transaction=True)
def test_a_guard_refusal_is_recorded_and_never_sent(api, outbox, settings):
    settings.SMS_GUARD = ["tests.probes.never", "tests.probes.refuse_russia"]

    refused = api.post(logto_body(to="79161234567"))
    allowed = api.post(logto_body())

    assert refused.status_code == 403
    assert refused.json() == {
        "message": "SMS to this country is not allowed.",
        "id": refused.json()["id"],
    }
    message = Message.objects.get(pk=refused.json()["id"])
    assert message.status == Message.Status.REJECTED
    assert message.error == "guard: country_blocked: SMS to this country is not allowed."
    assert message.attempts == []
    assert allowed.status_code == 200
    assert [sms.to for _, sms in outbox] == ["+33612345678"]


@pytest.mark.django_db(transaction=True)
def test_a_guard_refusal_with_a_wait_is_429_with_retry_after(api, outbox, settings):
    settings.SMS_GUARD = ["tests.probes.slow_down_everyone", "tests.probes.refuse_russia"]

    response = api.post(logto_body(to="79161234567"))

    assert response.status_code == 429
    assert response.headers["Retry-After"] == "60"
    assert response.json()["message"] == "Too many codes requested. Try again in a minute."
    assert outbox == []


@pytest.mark.parametrize(
    ("error", "status", "reason"),
    [
        (exceptions.ParseError(), 400, "malformed"),
        (exceptions.ValidationError({"to": ["x"]}), 400, "invalid"),
        (exceptions.NotAuthenticated(), 401, "unauthorized"),
        (exceptions.AuthenticationFailed(), 401, "unauthorized"),
        (exceptions.UnsupportedMediaType("text/plain"), 0, "http"),
        (errors.RecipientRejected("x"), 400, "recipient"),
        (errors.Refused("r", "x"), 403, "refused"),
        (errors.NoTemplate("x"), 500, "no_template"),
        (errors.SendFailed("x"), 502, "send_failed"),
        (errors.ProviderError("p", errors.Category.UNAVAILABLE, "x"), 500, "internal"),
        (RuntimeError("x"), 500, "internal"),
    ],
)
def test_every_error_has_one_answer(error, status, reason):
    answer = answer_for(error)
    assert (answer.status, answer.reason) == (status, reason)


def test_every_gateway_error_the_view_raises_is_in_the_table():
    listed = {kind for kind, _ in ANSWERS}
    for kind in (errors.RecipientRejected, errors.Refused, errors.NoTemplate, errors.SendFailed):
        assert kind in listed


@pytest.mark.django_db(transaction=True)
def test_no_database_connection_is_held_while_a_provider_is_called(api, settings):
    require_postgres()  # the pool (DATABASE_POOL) exists on PostgreSQL only
    settings.SMS_PROVIDERS = {
        "probe": {"BACKEND": "tests.probes.ConnectionProbeProvider"},
    }
    settings.SMS_DEFAULT_PROVIDERS = ["probe"]
    probes.held_during_send.clear()

    responses = [api.post(logto_body(to=f"3361234{n:04d}")) for n in range(5)]

    assert [r.status_code for r in responses] == [200] * 5
    assert probes.held_during_send == [False] * 5
    assert Message.objects.filter(status="sent").count() == 5
