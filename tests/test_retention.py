"""Retention: purge_messages deletes or anonymizes old records and hashes numbers, in batches."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from sms_gateway.management.commands.purge_messages import hash_number
from sms_gateway.models import Message

pytestmark = pytest.mark.django_db


def record(age_days: float, to="+33612345678", **fields) -> Message:
    m = Message.objects.create(
        to=to, country="FR", type="SignIn", provider="twilio", status="sent",
        body="Your code is ******.", ip="203.0.113.7", provider_message_id="SM1",
        attempts=[{"provider": "twilio", "outcome": "sent", "provider_message_id": "SM1",
                   "error": "", "duration_ms": 120}],
        delivery_status="delivered", delivery_ms=4000, **fields,
    )  # fmt: skip
    Message.objects.filter(pk=m.pk).update(created_at=timezone.now() - timedelta(days=age_days))
    return m


def purge(*args) -> str:
    out = StringIO()
    call_command("purge_messages", *args, stdout=out)
    return out.getvalue()


def test_deletes_records_older_than_90_days_by_default_in_batches():
    old = [record(91 + i) for i in range(5)]
    kept = record(89)
    assert "5 records older than 90 days were deleted." in purge("--batch-size", "2")
    assert list(Message.objects.values_list("pk", flat=True)) == [kept.pk]
    assert not Message.objects.filter(pk__in=[m.pk for m in old]).exists()


def test_anonymize_keeps_the_statistics_without_anything_personal():
    old, kept = record(31), record(5)
    assert "1 records older than 30 days were anonymized." in purge("--days", "30", "--anonymize")
    old.refresh_from_db()
    assert (old.to, old.ip, old.body, old.provider_message_id) == ("", None, "", "")
    assert old.attempts[0]["provider_message_id"] == "" and old.attempts[0]["duration_ms"] == 120
    assert (old.country, old.provider, old.status, old.delivery_ms) == (
        "FR",
        "twilio",
        "sent",
        4000,
    )
    kept.refresh_from_db()
    assert kept.to == "+33612345678" and kept.ip == "203.0.113.7"
    assert "0 records" in purge("--days", "30", "--anonymize")  # nothing left to do


def test_hash_numbers_after_m_days_keeps_repeats_visible():
    a, b, c = record(10), record(12), record(12, to="+33699999999")
    recent = record(1)
    out = purge("--hash-numbers-after", "7", "--batch-size", "1")
    assert "3 numbers older than 7 days were hashed." in out
    a.refresh_from_db(), b.refresh_from_db(), c.refresh_from_db(), recent.refresh_from_db()
    assert a.to == b.to == hash_number("+33612345678") != c.to
    assert a.to.startswith("#") and len(a.to) == 16 and a.ip is None
    assert recent.to == "+33612345678"
    assert "0 numbers" in purge("--hash-numbers-after", "7")  # idempotent


def test_dry_run_changes_nothing():
    record(100), record(10)
    out = purge("--dry-run", "--hash-numbers-after", "7")
    assert "1 records older than 90 days would be deleted." in out
    assert "2 numbers older than 7 days would be hashed." in out  # counted before deleting
    assert Message.objects.count() == 2 and not Message.objects.filter(to__startswith="#").exists()


@pytest.mark.parametrize(
    "args", [("--days", "0"), ("--days", "30", "--hash-numbers-after", "30"), ("--batch-size", "0")]
)
def test_nonsense_is_refused(args):
    with pytest.raises(CommandError):
        purge(*args)
