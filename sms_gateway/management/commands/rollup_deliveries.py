"""Build the delivery dashboard's rollup of closed days (dashboard/refresh.py).

    python manage.py rollup_deliveries              # the closed days of the last 90 not rolled up
    python manage.py rollup_deliveries --rebuild    # every closed day of the range again

``setup`` runs it at every deploy and each gunicorn worker every hour; run it
from cron when the gateway is served another way.
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ...dashboard.refresh import ROLLUP_DAYS, refresh


class Command(BaseCommand):
    help = "Roll up the closed days of the delivery dashboard that are not rolled up yet."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--days",
            type=int,
            default=ROLLUP_DAYS,
            help=f"look this many days back ({ROLLUP_DAYS})",
        )
        parser.add_argument(
            "--rebuild", action="store_true", help="build every closed day of the range again"
        )

    def handle(self, *args: object, days: int, rebuild: bool, **options: object) -> None:
        if days < 1:
            raise CommandError("--days must be at least 1.")
        started = time.perf_counter()
        built = refresh(days=days, rebuild=rebuild)
        if built is None:
            self.stdout.write("Another process is rolling up: nothing done.")
            return
        seconds = time.perf_counter() - started
        self.stdout.write(
            f"Dashboard rollup: {built} closed day(s) of the last {days} built in {seconds:.1f} s."
        )
