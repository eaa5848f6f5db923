"""Write every template to one JSON file, to keep in git or move between environments."""

from __future__ import annotations

import json
import sys

from django.core.management.base import BaseCommand

from ...core.tenants import DEFAULT_TENANT_ID
from ...models import Template

FORMAT = 1


class Command(BaseCommand):
    help = "Export all SMS templates as JSON (to a file, or to standard output)."

    def add_arguments(self, parser) -> None:  # noqa: ANN001
        parser.add_argument("file", nargs="?", help="Output file; standard output if omitted.")

    def handle(self, *args: object, file: str | None = None, **options: object) -> None:
        document = {
            "format": FORMAT,
            "templates": [
                {"type": t.type, "locale": t.locale, "text": t.text}
                for t in Template.objects.filter(tenant_id=DEFAULT_TENANT_ID).order_by(
                    "type", "locale"
                )
            ],
        }
        text = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
        if file:
            with open(file, "w", encoding="utf-8") as handle:
                handle.write(text)
            self.stderr.write(f"{len(document['templates'])} templates written to {file}.")
        else:
            sys.stdout.write(text)
