"""The one-time code never reaches the database, the logs or an error body."""

import io
import logging

import pytest
from django.db import connection

from sms_gateway.providers.base import BaseProvider, OutgoingSMS
from sms_gateway.providers.console import ConsoleProvider

from .conftest import logto_body

pytestmark = pytest.mark.django_db(transaction=True)

CODE = "804317"


def database_text() -> str:
    """Every row of every table, as text."""
    chunks = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608
            chunks.extend(repr(row) for row in cursor.fetchall())
    return "\n".join(chunks)


def test_code_is_nowhere_in_database_or_logs(api, outbox, caplog, settings):
    settings.SMS_PROVIDERS = {
        **settings.SMS_PROVIDERS,
        "console": {"BACKEND": "sms_gateway.providers.console.ConsoleProvider"},
    }
    caplog.set_level(logging.DEBUG)
    response = api.post(logto_body(payload={"code": CODE, "locale": "en"}))
    assert response.status_code == 200
    assert outbox[0][1].text.count(CODE) == 1  # it was really sent

    # Failures and rejections go through the other paths that write and log.
    api.post(logto_body(payload={"code": CODE, "locale": 5}))
    api.post(logto_body(to="123", payload={"code": CODE}))
    api.post(logto_body(type="Bad type!", payload={"code": CODE}))

    assert CODE not in database_text()
    assert "******" in database_text()
    assert CODE not in caplog.text
    for record in caplog.records:
        assert CODE not in repr(vars(record))
    assert CODE not in response.text


def test_code_is_never_echoed_in_error_bodies(api):
    for payload in ({"code": CODE + " x"}, {"code": CODE * 10}, {"code": CODE, "locale": []}):
        response = api.post(logto_body(payload=payload))
        assert response.status_code == 400
        assert CODE not in response.text


def test_code_hidden_in_another_key_is_masked_too(api, outbox):
    from sms_gateway.models import Message, Template

    Template.objects.filter(type="SignIn", locale="en").update(text="Open {{link}}")
    payload = {"code": CODE, "locale": "en", "link": f"https://example.com/?c={CODE}"}
    response = api.post(logto_body(payload=payload))
    assert outbox[0][1].text == f"Open https://example.com/?c={CODE}"
    assert (
        Message.objects.get(pk=response.json()["id"]).body == "Open https://example.com/?c=******"
    )


def test_console_provider_prints_masked_text():
    stream = io.StringIO()
    sms = OutgoingSMS(
        to="+33612345678",
        text=f"Code {CODE}",
        masked_text="Code ******",
        sender="",
        reference="ref",
        unicode=False,
    )
    result = ConsoleProvider("console", stream=stream).send(sms, timeout=1)
    assert "Code ******" in stream.getvalue()
    assert CODE not in stream.getvalue()
    assert result.provider_message_id.startswith("console-")


class LeakyError(Exception):
    pass


class ExplodingProvider(BaseProvider):
    """A provider with a bug whose exception message repeats the text it was given."""

    def send(self, sms, timeout):
        raise LeakyError(f"could not handle {sms.text!r}")


def test_unexpected_provider_error_is_logged_without_its_message(api, outbox, caplog, settings):
    settings.SMS_PROVIDERS = {
        **settings.SMS_PROVIDERS,
        "buggy": {"BACKEND": "tests.test_secrecy.ExplodingProvider"},
    }
    from sms_gateway.models import Route

    route = Route.objects.create()
    route.hops.create(provider="buggy", position=0)
    route.hops.create(provider="locmem", position=1)
    caplog.set_level(logging.DEBUG)

    response = api.post(logto_body(payload={"code": CODE, "locale": "en"}))

    assert response.status_code == 200  # failed over past the bug
    assert "provider buggy raised an unexpected error: LeakyError at" in caplog.text
    assert CODE not in caplog.text
    assert CODE not in database_text()
