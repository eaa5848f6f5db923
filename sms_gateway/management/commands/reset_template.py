from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from ...catalog.defaults import reset, shipped


class Command(BaseCommand):
    help = "Put one template back to its shipped text, e.g. reset_template SignIn fr."

    def add_arguments(self, parser) -> None:  # noqa: ANN001
        parser.add_argument("type")
        parser.add_argument("locale")

    def handle(self, *args: object, type: str, locale: str, **options: object) -> None:
        if (type, locale) not in shipped():
            raise CommandError(f"No shipped template for {type} / {locale}.")
        reset(type, locale)
        self.stdout.write(f"{type} / {locale} reset to the shipped text.")
