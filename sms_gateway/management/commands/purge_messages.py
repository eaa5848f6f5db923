"""Retention: delete (or anonymize) old records, optionally hash numbers sooner.

    python manage.py purge_messages                      # delete records older than 90 days
    python manage.py purge_messages --days 30 --anonymize --hash-numbers-after 7

Records older than ``--days`` are deleted, after their days are rolled up for the
dashboard (``DeliveryStatsDay``: its numbers outlive the records); with
``--anonymize`` they are kept without anything personal: no number, no IP address,
no text, no provider message ids. ``--hash-numbers-after M`` replaces the
number of records older than M days by a keyed hash (``#`` + 15 hex digits of an
HMAC with ``SECRET_KEY``): the same number still gives the same hash, so repeats
stay visible to fraud analysis, but the number is gone.

Work goes in batches (``--batch-size``), each its own short transaction that
locks only its rows, walking an index on ``created_at``: run it from cron at any
hour, e.g. ``17 3 * * * cd /srv/sms && .venv/bin/python manage.py purge_messages``.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from datetime import datetime, timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from ...dashboard import rollup
from ...models import Message

HASH_MARK = "#"


def hash_number(number: str) -> str:
    """``#`` + 15 hex digits: fits the 16 characters of ``Message.to``."""
    digest = hmac.new(settings.SECRET_KEY.encode(), number.encode(), hashlib.sha256)
    return HASH_MARK + digest.hexdigest()[:15]


class Command(BaseCommand):
    help = "Delete or anonymize records older than N days; optionally hash numbers after M days."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=90, help="keep this many days (90)")
        parser.add_argument(
            "--anonymize",
            action="store_true",
            help="keep older records for statistics, without number, IP, text or ids",
        )
        parser.add_argument(
            "--hash-numbers-after",
            type=int,
            metavar="M",
            help="replace numbers older than M days by a keyed hash",
        )
        parser.add_argument("--batch-size", type=int, default=2000)
        parser.add_argument(
            "--pause", type=float, default=0.0, help="seconds to sleep between batches"
        )
        parser.add_argument("--dry-run", action="store_true", help="count, change nothing")

    def handle(self, *args: object, **options: object) -> None:
        days, hash_after = options["days"], options["hash_numbers_after"]
        if days < 1:
            raise CommandError("--days must be at least 1.")
        if hash_after is not None and not 0 <= hash_after < days:
            raise CommandError("--hash-numbers-after must be between 0 and --days.")
        if options["batch_size"] < 1:
            raise CommandError("--batch-size must be at least 1.")
        self.batch, self.pause, self.dry = (
            options["batch_size"],
            options["pause"],
            options["dry_run"],
        )
        now = timezone.now()
        cutoff = now - timedelta(days=days)
        verb = "would be" if self.dry else "were"
        if options["anonymize"]:
            done = self.anonymize(cutoff)
            self.stdout.write(f"{done} records older than {days} days {verb} anonymized.")
        else:
            done = self.delete(cutoff)
            self.stdout.write(f"{done} records older than {days} days {verb} deleted.")
        if hash_after is not None:
            done = self.hash_numbers(now - timedelta(days=hash_after))
            self.stdout.write(f"{done} numbers older than {hash_after} days {verb} hashed.")

    def _sleep(self) -> None:
        if self.pause:
            time.sleep(self.pause)

    def delete(self, cutoff: datetime) -> int:
        old = Message.objects.filter(created_at__lt=cutoff)
        if self.dry:
            return old.count()
        oldest = old.order_by("created_at").values_list("created_at", flat=True).first()
        if oldest is not None:  # the dashboard keeps the numbers of the days deleted
            rollup.ensure_days(oldest.date(), cutoff.date())
        total = 0
        while True:
            ids = list(old.order_by("created_at").values_list("pk", flat=True)[: self.batch])
            if not ids:
                return total
            total += Message.objects.filter(pk__in=ids).delete()[0]
            self._sleep()

    def _walk(self, queryset, fields: tuple[str, ...]):  # noqa: ANN001, ANN202
        """Batches of ``queryset`` in ``created_at`` order, resuming where the last ended."""
        since = None
        while True:
            page = queryset if since is None else queryset.filter(created_at__gte=since)
            rows = list(page.order_by("created_at").only("created_at", *fields)[: self.batch])
            if not rows:
                return
            yield rows
            since = rows[-1].created_at
            self._sleep()

    def anonymize(self, cutoff: datetime) -> int:
        pending = Message.objects.filter(created_at__lt=cutoff).exclude(to="")
        if self.dry:
            return pending.count()
        total = 0
        for rows in self._walk(pending, ("to", "attempts")):
            for row in rows:
                row.to, row.ip, row.body, row.error, row.provider_message_id = "", None, "", "", ""
                row.attempts = [
                    {**a, "provider_message_id": "", "error": ""} for a in row.attempts or []
                ]
            fields = ["to", "ip", "body", "error", "provider_message_id", "attempts"]
            with transaction.atomic():
                Message.objects.bulk_update(rows, fields)
            total += len(rows)
        return total

    def hash_numbers(self, cutoff: datetime) -> int:
        pending = (
            Message.objects.filter(created_at__lt=cutoff)
            .exclude(to="")
            .exclude(to__startswith=HASH_MARK)
        )
        if self.dry:
            return pending.count()
        total = 0
        for rows in self._walk(pending, ("to",)):
            for row in rows:
                row.to, row.ip = hash_number(row.to), None
            with transaction.atomic():
                Message.objects.bulk_update(rows, ["to", "ip"])
            total += len(rows)
        return total
