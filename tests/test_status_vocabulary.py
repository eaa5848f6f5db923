"""One status vocabulary: the record's status and the delivery ladder share no word;
migration 0005 renames stored delivery statuses (and back); the admin colours each
field from its own map."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from sms_gateway.admin.messages import DELIVERY_COLOURS, STATUS_COLOURS
from sms_gateway.core.delivery_status import LABELS, DeliveryStatus
from sms_gateway.models import Message

LIST = "/admin/sms_gateway/message/"
BEFORE = [("sms_gateway", "0004_fraud_guard")]
AFTER = [("sms_gateway", "0005_reconcile_and_delivery_status")]


def test_no_delivery_word_is_a_record_status():
    assert not set(DeliveryStatus) & set(Message.Status.values)
    field = Message._meta.get_field("delivery_status")
    assert [value for value, _ in field.choices] == ["", *DeliveryStatus]
    assert set(LABELS) == {"", *DeliveryStatus}
    assert all(len(status) <= field.max_length for status in DeliveryStatus)


def test_each_field_has_its_own_colours():
    assert set(STATUS_COLOURS) == set(Message.Status.values)
    assert set(DELIVERY_COLOURS) == set(DeliveryStatus)


@pytest.mark.django_db
def test_the_list_colours_status_and_delivery_each_from_its_map(admin_client):
    Message.objects.create(to="+33612340001", type="SignIn", status="sent", delivery_status="")
    Message.objects.create(
        to="+33612340002", type="SignIn", status="sent", delivery_status="at_carrier"
    )
    Message.objects.create(
        to="+33612340003", type="SignIn", status="sent", delivery_status="dropped"
    )
    Message.objects.create(to="+33612340004", type="SignIn", status="unknown")
    page = admin_client.get(LIST).content.decode()

    assert page.count('class="sms-status sms-status-sent sms-tone-ok"') == 3
    assert 'class="sms-status sms-delivery-at_carrier sms-tone-neutral"' in page
    assert 'class="sms-status sms-delivery-dropped sms-tone-bad"' in page
    assert 'class="sms-status sms-status-unknown sms-tone-warn"' in page
    # The filter by delivery status offers the operator's words, "no receipt" included.
    for label in ("no receipt", "at the carrier", "dropped by the provider or carrier"):
        assert f">{label}</a>" in page, label
    filtered = admin_client.get(LIST, {"delivery_status__exact": "dropped"}).content.decode()
    assert "+33612340003" in filtered and "+33612340002" not in filtered


@pytest.mark.django_db(transaction=True)
def test_migration_0005_renames_delivery_statuses_and_back():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    try:
        old = executor.loader.project_state(BEFORE).apps.get_model("sms_gateway", "Message")
        words = ["", "unknown", "queued", "sent", "undelivered", "failed", "delivered"]
        for n, word in enumerate(words):
            old.objects.create(to=f"+3361234{n:04d}", type="SignIn", delivery_status=word)

        executor = MigrationExecutor(connection)  # a fresh graph, as `migrate` would
        executor.migrate(AFTER)
        new = executor.loader.project_state(AFTER).apps.get_model("sms_gateway", "Message")
        after = dict(new.objects.values_list("to", "delivery_status"))
        assert [after[f"+3361234{n:04d}"] for n in range(len(words))] == [
            *("", "unclear", "at_provider", "at_carrier", "undelivered", "dropped", "delivered"),
        ]
        with connection.cursor() as cursor:
            constraints = connection.introspection.get_constraints(cursor, "sms_gateway_message")
        assert constraints["message_accepted_idx"]["columns"] == ["created_at"]

        executor = MigrationExecutor(connection)
        executor.migrate(BEFORE)  # reversible
        back = dict(old.objects.values_list("to", "delivery_status"))
        assert [back[f"+3361234{n:04d}"] for n in range(len(words))] == words
        with connection.cursor() as cursor:
            constraints = connection.introspection.get_constraints(cursor, "sms_gateway_message")
        assert "message_accepted_idx" not in constraints
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes("sms_gateway"))
