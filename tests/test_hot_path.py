"""Steady state: templates and routes come from the in-process snapshot, not the database."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sms_gateway import sending
from sms_gateway.models import Route, Template
from sms_gateway.phone import parse

pytestmark = pytest.mark.django_db


def send(code="123456"):
    return sending.send(
        sending.SmsRequest(
            to=parse("33612345678"), type="SignIn", payload={"code": code, "locale": "en"}
        )
    )


def catalog_queries(queries) -> list[str]:
    return [
        q["sql"]
        for q in queries
        if "sms_gateway_template" in q["sql"] or "sms_gateway_route" in q["sql"]
    ]


def test_no_template_or_route_query_in_steady_state(outbox):
    send()  # loads the snapshot
    with CaptureQueriesContext(connection) as ctx:
        outcome = send()
    assert outcome.message.status == "sent"
    assert catalog_queries(ctx.captured_queries) == []
    # what remains is recording: the message, its attempt, its outcome
    assert len(ctx.captured_queries) == 3


def test_a_change_reloads_the_snapshot_once(outbox):
    send()
    Template.objects.filter(type="SignIn", locale="en").get().save()  # a save, as the admin does
    route = Route.objects.create(prefix="33")
    route.hops.create(provider="locmem", sender="Acme")
    with CaptureQueriesContext(connection) as ctx:
        first = send()
    with CaptureQueriesContext(connection) as again:
        send()
    assert catalog_queries(ctx.captured_queries)  # reloaded once
    assert catalog_queries(again.captured_queries) == []
    assert first.message.status == "sent"
    assert outbox[-1][1].sender == "Acme"
