"""The records' indexes (README, "Records"): each SMS writes every one of them twice, so
the table keeps only those a query needs. Migration 0015 drops three (``created_at``'s
own, served by ``message_stats_idx``; ``provider_message_id``'s pattern-ops twin; the
full ``sent_by_id`` one, now partial) and is reversible; the models and the migrations
agree; the queries that used the dropped indexes still find an index."""

from __future__ import annotations

import uuid

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from sms_gateway.models import Message

BEFORE = [("sms_gateway", "0014_webhook_keys_encrypted")]
AFTER = [("sms_gateway", "0015_message_fewer_indexes")]
DROPPED = {
    "sms_gateway_message_created_at_3c08b1a2",
    "sms_gateway_message_provider_message_id_366a2615",
    "sms_gateway_message_sent_by_id_05cb93d4",
}
EXPECTED = {
    "message_accepted_idx", "message_country_idx", "message_delivery_status_idx",
    "message_locale_idx", "message_provider_id_idx", "message_provider_idx",
    "message_refusal_idx", "message_sent_by_idx", "message_stats_idx", "message_status_idx",
    "message_tenant_idx", "message_type_idx", "sms_gateway_to_11628e_idx",
}  # fmt: skip


def indexes() -> dict[str, dict]:
    """The message table's indexes but its primary key, by name."""
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, "sms_gateway_message")
    return {name: c for name, c in found.items() if c["index"] and not c["primary_key"]}


@pytest.mark.django_db  # makemigrations reads the applied migrations
def test_the_models_and_the_migrations_agree():
    call_command("makemigrations", "sms_gateway", "--check", "--dry-run", verbosity=0)


@pytest.mark.django_db
def test_the_records_have_thirteen_indexes_each_one_a_query_needs():
    found = indexes()
    assert set(found) == EXPECTED
    assert found["message_provider_id_idx"]["columns"] == ["provider_message_id"]
    assert found["message_sent_by_idx"]["columns"] == ["sent_by_id"]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s",
                ["sms_gateway_message"],
            )
            defs = dict(cursor.fetchall())
        assert not any("varchar_pattern_ops" in d for d in defs.values()), defs
        assert defs["message_sent_by_idx"].endswith("WHERE (sent_by_id IS NOT NULL)")


@pytest.mark.django_db(transaction=True)
def test_migration_0015_drops_three_indexes_and_is_reversible():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    try:
        before = indexes()
        assert set(before) >= DROPPED
        assert not {"message_provider_id_idx", "message_sent_by_idx"} & set(before)

        executor = MigrationExecutor(connection)  # a fresh graph, as `migrate` would
        executor.migrate(AFTER)
        assert set(indexes()) == EXPECTED

        executor = MigrationExecutor(connection)
        executor.migrate(BEFORE)
        assert set(indexes()) == set(before)
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes("sms_gateway"))
    assert set(indexes()) == EXPECTED


@pytest.mark.django_db(transaction=True)
def test_migration_0015_goes_by_what_the_indexes_cover_and_rebuilds_an_invalid_one():
    """On PostgreSQL: an index named otherwise is still found, and an index a failed
    CREATE INDEX CONCURRENTLY left invalid is built again, not kept."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's index names and invalid indexes")
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    try:
        Message.objects.create(to="+33612345678", type="SignIn")
        Message.objects.create(to="+33612345679", type="SignIn")
        with connection.cursor() as cursor:
            cursor.execute(
                'ALTER INDEX "sms_gateway_message_created_at_3c08b1a2" RENAME TO "by_hand"'
            )
            with pytest.raises(Exception, match="could not create unique index"):
                # Two records of one type: fails, and leaves the index behind, invalid.
                cursor.execute(
                    'CREATE UNIQUE INDEX CONCURRENTLY "message_sent_by_idx" '
                    'ON "sms_gateway_message" ("type")'
                )
            cursor.execute(
                "SELECT indisvalid FROM pg_index WHERE indexrelid = 'message_sent_by_idx'::regclass"
            )
            assert cursor.fetchone() == (False,)

        executor = MigrationExecutor(connection)
        executor.migrate(AFTER)
        assert set(indexes()) == EXPECTED  # "by_hand" dropped: it covered created_at alone
        assert indexes()["message_sent_by_idx"]["columns"] == ["sent_by_id"]
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT indisvalid, pg_get_indexdef(indexrelid) FROM pg_index "
                "WHERE indexrelid = 'message_sent_by_idx'::regclass"
            )
            valid, definition = cursor.fetchone()
        assert valid, definition
        assert definition.endswith("(sent_by_id) WHERE (sent_by_id IS NOT NULL)"), definition
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes("sms_gateway"))
    assert set(indexes()) == EXPECTED


def plan(queryset) -> str:  # noqa: ANN001
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # the table is tiny here
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.mark.django_db
def test_the_queries_of_the_dropped_indexes_still_use_an_index():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's plans")
    user = get_user_model().objects.create(username="op")
    for n in range(50):
        Message.objects.create(
            to=f"+336123{n:05d}", type="SignIn", provider=("twilio", "vonage")[n % 2],
            provider_message_id=f"SM{uuid.uuid4().hex}", sent_by=user if n == 7 else None,
        )  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE sms_gateway_message")
    # The newest records (the admin's list, unfiltered), and a period (retention, dashboard).
    newest = plan(Message.objects.order_by("-created_at")[:100])
    assert "message_stats_idx" in newest, newest
    period = plan(Message.objects.filter(created_at__lt=timezone.now()).values("id"))
    assert "Seq Scan" not in period and "Index Cond: (created_at <" in period, period
    # A receipt's record, by equality (the plain index kept, renamed: its plans unchanged).
    receipt = plan(Message.objects.filter(provider_message_id="SMx").order_by())
    assert "message_provider_id_idx" in receipt, receipt
    # Deleting an operator: their test SMS through the partial index.
    sent_by = plan(Message.objects.filter(sent_by=user))
    assert "message_sent_by_idx" in sent_by, sent_by
    get_user_model().objects.filter(pk=user.pk).delete()
    assert Message.objects.filter(sent_by__isnull=False).count() == 0
    assert Message.objects.count() == 50
