"""Rate limits as code: list, set and delete them from a deploy script.

    sms-gateway ratelimits list
    sms-gateway ratelimits set recipient 10m 5 [--disabled] [--note "..."] --user alice
    sms-gateway ratelimits delete ip 1d --user alice

Each change is saved like the admin saves it (``Model.save()``/``delete()``), so its
commit publishes a new catalog version: every worker on every machine applies it
within ``SMS_CATALOG_CHECK_INTERVAL``, without a restart. (A scripted
``QuerySet.update()`` sends no signal and publishes nothing: workers keep the old
values.)

Each change also writes an admin log entry (the limit's History, the admin's recent
actions) in the name of the operator who made it: ``--user``, or the environment's
``SMS_GATEWAY_OPERATOR``; an existing admin user either way.
"""

from __future__ import annotations

import os
import re

from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from ...core.tenants import DEFAULT_TENANT_ID
from ...models import RateLimit

_WINDOW = re.compile(r"(\d+)\s*(s|m|min|h|d)?")
_UNIT_SECONDS = {None: 1, "s": 1, "m": 60, "min": 60, "h": 3600, "d": 86400}


def parse_window(text: str) -> int:
    """'600', '600s', '10m', '10min', '1h', '1d' -> seconds (at least 1)."""
    match = _WINDOW.fullmatch(text.strip().lower())
    if not match or int(match.group(1)) < 1:
        raise ValueError(f"window {text!r}: a number of seconds, or with s, m, h or d (10m, 1d)")
    return int(match.group(1)) * _UNIT_SECONDS[match.group(2)]


def format_window(seconds: int) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds % size == 0:
            return f"{seconds // size} {unit}"
    return f"{seconds} s"


def _default_rows():  # noqa: ANN202
    """The default tenant's limits: the command's (README, "Tenants")."""
    return RateLimit.objects.filter(tenant_id=DEFAULT_TENANT_ID)


class Command(BaseCommand):
    help = "List, set or delete the fraud guard's rate limits (published to every worker)."

    def add_arguments(self, parser) -> None:  # noqa: ANN001
        actions = parser.add_subparsers(dest="action", required=True)
        actions.add_parser("list", help="every rate limit, enabled or not")
        scopes = RateLimit.Scope.values
        put = actions.add_parser("set", help="create or change the limit of a scope and window")
        put.add_argument("scope", choices=scopes)
        put.add_argument("window", help="600, 10m, 1h, 1d")
        put.add_argument("limit", type=int, help="SMS allowed per window for each key")
        put.add_argument("--disabled", action="store_true", help="keep it, but do not apply it")
        put.add_argument("--note", help="why this value (shown in the admin)")
        delete = actions.add_parser("delete", help="remove the limit of a scope and window")
        delete.add_argument("scope", choices=scopes)
        delete.add_argument("window", help="600, 10m, 1h, 1d")
        for changing in (put, delete):
            changing.add_argument(
                "--user",
                default=os.environ.get("SMS_GATEWAY_OPERATOR", ""),
                help="the admin user the change is logged for (default: $SMS_GATEWAY_OPERATOR)",
            )

    def handle(self, *args: object, action: str, **options: object) -> None:
        if action == "list":
            self._list()
            return
        try:
            window = parse_window(str(options["window"]))
        except ValueError as err:
            raise CommandError(str(err)) from err
        scope = str(options["scope"])
        options["operator"] = self._operator(str(options["user"] or ""))
        if action == "set":
            self._set(scope, window, options)
        else:
            self._delete(scope, window, options["operator"])
        self.stdout.write("Published: every worker applies it within SMS_CATALOG_CHECK_INTERVAL.")

    def _operator(self, username: str) -> int:
        """The admin user a change is logged for: every change has its author (issue 17)."""
        if not username:
            raise CommandError(
                "name the operator with --user (or SMS_GATEWAY_OPERATOR): "
                "each change is written to the admin log with its author"
            )
        user = get_user_model().objects.filter(username=username, is_staff=True).first()
        if user is None:
            raise CommandError(f"no admin user {username!r}")
        return user.pk

    def _log(self, operator: int, row: RateLimit, flag: int, message: str) -> None:
        LogEntry.objects.log_actions(
            user_id=operator,
            queryset=[row],
            action_flag=flag,
            change_message=f"{message} (sms-gateway ratelimits)",
            single_object=True,
        )

    def _list(self) -> None:
        for row in _default_rows():
            state = "" if row.enabled else "  (disabled)"
            note = f"  # {row.note}" if row.note else ""
            self.stdout.write(
                f"{row.scope:<9} {format_window(row.window_seconds):>7}  "
                f"{row.limit:>6}{state}{note}"
            )

    def _set(self, scope: str, window: int, options: dict) -> None:
        limit = options["limit"]
        if limit < 1:
            raise CommandError("limit must be at least 1 (use --disabled to switch it off)")
        values = {"limit": limit, "enabled": not options["disabled"]}
        if options["note"] is not None:
            values["note"] = options["note"]
        with transaction.atomic():  # saved like the admin: the commit publishes a new version
            before = _default_rows().filter(scope=scope, window_seconds=window).first()
            row, created = RateLimit.objects.update_or_create(
                tenant_id=DEFAULT_TENANT_ID, scope=scope, window_seconds=window, defaults=values
            )
            was = "" if before is None else f" (was {before.limit}, enabled: {before.enabled})"
            self._log(
                options["operator"],
                row,
                ADDITION if created else CHANGE,
                f"Set {row.limit} per {format_window(window)}, enabled: {row.enabled}{was}",
            )
        self.stdout.write(f"{'Created' if created else 'Set'}: {row}.")

    def _delete(self, scope: str, window: int, operator: int) -> None:
        row = _default_rows().filter(scope=scope, window_seconds=window).first()
        if row is None:
            raise CommandError(f"no {scope} limit over {format_window(window)}")
        with transaction.atomic():
            self._log(operator, row, DELETION, f"Deleted {row.limit} per {format_window(window)}")
            row.delete()
        self.stdout.write(f"Deleted: {row}.")
