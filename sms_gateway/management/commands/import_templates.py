"""Load templates from a file made by export_templates, all or nothing."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from ...catalog import defaults
from ...core import locales, template_checks
from ...core.message_types import KNOWN_TYPES
from ...core.tenants import DEFAULT_TENANT_ID
from ...models import Template


class Command(BaseCommand):
    help = (
        "Import SMS templates from a JSON export. Every template is checked first; "
        "nothing is written if one fails."
    )

    def add_arguments(self, parser) -> None:  # noqa: ANN001
        parser.add_argument("file")
        parser.add_argument(
            "--dry-run", action="store_true", help="Check and report, write nothing."
        )

    def handle(self, *args: object, file: str, dry_run: bool = False, **options: object) -> None:
        try:
            with open(file, encoding="utf-8") as handle:
                document = json.load(handle)
        except (OSError, json.JSONDecodeError) as err:
            raise CommandError(f"Cannot read {file}: {err}") from err
        if not isinstance(document, dict) or not isinstance(document.get("templates"), list):
            raise CommandError(
                'Expected {"format": 1, "templates": [{"type", "locale", "text"}, ...]}.'
            )

        rows, problems = [], []
        for number, item in enumerate(document["templates"], start=1):
            kind, locale, text = (
                item.get(k) if isinstance(item, dict) else None for k in ("type", "locale", "text")
            )
            where = f"#{number} ({kind} / {locale})"
            if kind not in KNOWN_TYPES:
                problems.append(f"{where}: unknown type.")
                continue
            if not isinstance(locale, str) or locales.normalize(locale) is None:
                problems.append(f"{where}: not a BCP-47 locale.")
                continue
            if not isinstance(text, str):
                problems.append(f"{where}: text must be a string.")
                continue
            review = template_checks.review_configured(kind, text, locales.normalize(locale))
            problems += [f"{where}: {error}" for error in review.errors]
            rows.append((kind, locales.normalize(locale), text))
        if problems:
            raise CommandError("Nothing imported:\n" + "\n".join(problems))

        created = updated = unchanged = 0
        with transaction.atomic():
            for kind, locale, text in rows:
                origin = defaults.origin_of(kind, locale, text)
                template, was_created = Template.objects.get_or_create(
                    tenant_id=DEFAULT_TENANT_ID,  # the commands: the default tenant's
                    type=kind,
                    locale=locale,
                    defaults={"text": text, **origin},
                )
                if was_created:
                    created += 1
                elif template.text != text:
                    template.text = text
                    for field, value in origin.items():
                        setattr(template, field, value)
                    template.save(update_fields=["text", *origin, "updated_at"])
                    updated += 1
                else:
                    unchanged += 1
            if dry_run:
                transaction.set_rollback(True)
        note = " Dry run: nothing was written." if dry_run else ""
        self.stdout.write(f"{created} created, {updated} updated, {unchanged} unchanged.{note}")
