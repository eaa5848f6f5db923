"""Unlock an admin username locked by login throttling (admin/login_throttle.py)."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand

from ...admin import login_throttle


class Command(BaseCommand):
    help = "Clear the failed-login count of admin usernames, unlocking them at once."

    def add_arguments(self, parser) -> None:  # noqa: ANN001
        parser.add_argument("usernames", nargs="+")

    def handle(self, *args: object, usernames: list[str], **options: object) -> None:
        for username in usernames:
            count = login_throttle.failures(username)
            login_throttle.clear(username)
            locked = login_throttle.is_locked(count, settings.ADMIN_LOGIN_FAILURE_LIMIT)
            state = "was locked" if locked else "was not locked"
            self.stdout.write(f"{username}: {state} ({count} failed logins), now cleared.")
