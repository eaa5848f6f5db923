from __future__ import annotations

from django.core.management.base import BaseCommand

from ...catalog.defaults import load_shipped


class Command(BaseCommand):
    help = "Load the shipped templates: add missing ones, refresh unedited ones, keep edits."

    def handle(self, *args: object, **options: object) -> None:
        report = load_shipped()
        self.stdout.write(
            f"{report.created} created, {report.updated} updated, {report.kept} customized kept."
        )
