"""The reconciler: rows left ``accepted`` past their deadline become ``unknown``, one
pass at a time across processes (a PostgreSQL advisory lock), through a partial index."""

import re
from datetime import timedelta

import psycopg
import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from sms_gateway.models import Message
from sms_gateway.sending import reconcile

from .services import require_postgres

pytestmark = pytest.mark.django_db(transaction=True)


def message(status="accepted", age=0.0, **fields) -> Message:
    m = Message.objects.create(to="+33612345678", type="SignIn", status=status, **fields)
    at = timezone.now() - timedelta(seconds=age)
    Message.objects.filter(pk=m.pk).update(created_at=at)  # auto_now_add ignores a value
    return m


def status(m: Message) -> str:
    return Message.objects.get(pk=m.pk).status


def bound() -> float:
    """How long a row may stay accepted, without the interval between two passes."""
    return settings.SMS_DEADLINE + settings.SMS_RECORD_RETRY_SECONDS + reconcile.GRACE_SECONDS


def test_only_rows_accepted_past_deadline_retry_and_grace_become_unknown(capsys):
    stale = message(age=bound() + 1)
    young = message(age=bound() - 1)  # its request may still be running
    done = message(status="sent", age=bound() + 60)

    call_command("reconcile_messages")

    assert capsys.readouterr().out == "1 message(s) marked unknown.\n"
    assert (status(stale), status(young), status(done)) == ("unknown", "accepted", "sent")
    assert Message.objects.get(pk=stale.pk).error == reconcile.UNKNOWN_ERROR
    assert reconcile.reconcile() == 0  # nothing left to do


def test_one_pass_at_a_time_across_processes(capsys):
    require_postgres()
    stale = message(age=bound() + 1)
    url = "postgres://{USER}@{HOST}:{PORT}/{NAME}".format(**connection.settings_dict)
    # Another worker's pass, in another connection, holds the lock.
    with psycopg.connect(url, autocommit=True) as other:
        other.execute("SELECT pg_advisory_lock(%s)", [reconcile.LOCK_KEY])
        assert reconcile.reconcile() is None  # skipped: the other one does the work
        call_command("reconcile_messages")
        assert status(stale) == "accepted"
        other.execute("SELECT pg_advisory_unlock(%s)", [reconcile.LOCK_KEY])
    assert capsys.readouterr().out == "Another process is reconciling: nothing done.\n"
    assert reconcile.reconcile() == 1
    assert status(stale) == "unknown"


def test_the_pass_reads_the_partial_index_not_the_table():
    require_postgres()
    rows = [
        Message(to=f"+336{n:08d}", type="SignIn", status="sent", country="FR")
        for n in range(20_000)
    ]
    Message.objects.bulk_create(rows, batch_size=2000)
    # As in production: nearly every row is older than the cutoff, and done.
    Message.objects.update(created_at=timezone.now() - timedelta(days=1))
    message(age=bound() + 1)
    message(age=1)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE sms_gateway_message")

    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        assert reconcile.reconcile() == 1
        transaction.set_rollback(True)
    [update] = [q["sql"] for q in queries if q["sql"].startswith("UPDATE")]
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + update)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    # The partial index (0005), or the Messages filter's (status, created_at) index (0007)
    # that serves the same condition: an index scan either way, never the table.
    assert re.search(r"Index (Only )?Scan using (message_accepted_idx|message_status_idx)", plan)
    assert "Seq Scan" not in plan, plan
