"""One command to make a database ready: migrate, load shipped templates, an admin."""

from __future__ import annotations

import os
import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from ...catalog.completeness import describe, missing_pairs
from ...catalog.defaults import load_shipped, shipped_dir
from ...core.tenants import DEFAULT_TENANT_ID
from ...models import Template


class Command(BaseCommand):
    help = (
        "Migrate the database, collect the admin's static files, load the shipped templates "
        "and optionally create an admin."
    )

    def add_arguments(self, parser) -> None:  # noqa: ANN001
        parser.add_argument(
            "--admin",
            action="store_true",
            help="Create the superuser 'admin' if there is no superuser yet and print how "
            "to log in (password from ADMIN_PASSWORD, else random).",
        )

    def handle(self, *args: object, admin: bool = False, **options: object) -> None:
        before = _templates_now()
        call_command("migrate", interactive=False, verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        report = load_shipped()
        # The migrations load the shipped texts on a fresh database: count from before.
        created = Template.objects.count() - before
        self.stdout.write(
            f"Templates: {Template.objects.count()} in the database "
            f"(this run: {max(created, report.created)} created, {report.updated} refreshed, "
            f"{report.kept} customized kept)."
        )
        # Every shipped (type, locale) pair must now be in the database: a package built
        # without its templates/ folder would otherwise answer 500 to every SMS.
        missing = missing_pairs(
            Template.objects.filter(tenant_id=DEFAULT_TENANT_ID).values_list("type", "locale")
        )
        if missing:
            raise CommandError(
                f"{len(missing)} shipped templates are missing: {describe(missing)}. "
                f"They are read from {shipped_dir()}: is the package installed with its "
                "templates (sms_gateway/templates/sms/<locale>.json)?"
            )
        # The dashboard's closed days (dashboard/refresh.py): at deploy, never on a page view.
        call_command("rollup_deliveries", stdout=self.stdout)
        if admin:
            self._admin()

    def _admin(self) -> None:
        users = get_user_model()
        if users.objects.filter(is_superuser=True).exists():
            self.stdout.write(
                "An admin user exists already; log in at http://127.0.0.1:8000/admin/ "
                "(forgotten password: python manage.py changepassword <user>)."
            )
            return
        chosen = os.environ.get("ADMIN_PASSWORD", "")
        password = chosen or secrets.token_urlsafe(18)  # 24 characters
        try:  # the same validators as every other password (settings.AUTH_PASSWORD_VALIDATORS)
            validate_password(password, users(username="admin"))
        except ValidationError as err:
            raise CommandError(
                "ADMIN_PASSWORD is refused: " + " ".join(err.messages) + " No admin was created."
            ) from err
        users.objects.create_superuser("admin", "", password)
        self.stdout.write(self.style.SUCCESS("Admin user 'admin' created."))
        # A password the operator chose is theirs already: never echoed to a terminal or a log.
        shown = "(the one in ADMIN_PASSWORD)" if chosen else password
        self.stdout.write(
            self.style.SUCCESS(
                "Admin: http://127.0.0.1:8000/admin/  user: admin  password: " + shown
            )
        )


def _templates_now() -> int:
    """Templates in the database before this run (0 when it has no tables yet)."""
    from django.db import connection

    if Template._meta.db_table not in connection.introspection.table_names():
        return 0
    return Template.objects.count()
