"""The shipped default templates (``templates/sms/<locale>.json``) and loading them.

Loading creates what is missing and refreshes what an operator never edited;
a template an operator edited (``is_customized``) is left alone unless it is
explicitly reset to its shipped text (the admin lists, side by side, the
customized templates whose shipped text changed after their last edit).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.conf import settings
from django.db import transaction

from ..core.message_types import KNOWN_TYPES
from ..models import Template


def shipped_dir() -> Path:
    return Path(settings.SHIPPED_SMS_DIR)


@cache
def shipped() -> dict[tuple[str, str], str]:
    """(type, locale) -> text of every shipped template."""
    texts: dict[tuple[str, str], str] = {}
    for path in sorted(shipped_dir().glob("*.json")):
        locale = path.stem
        for kind, text in json.loads(path.read_text(encoding="utf-8")).items():
            if kind not in KNOWN_TYPES:
                raise ValueError(f"{path}: unknown template type {kind!r}")
            texts[(kind, locale)] = text
    return texts


def differs_from_shipped(kind: str, locale: str, text: str) -> bool:
    """An operator's text: loading the shipped defaults must leave it alone."""
    return shipped().get((kind, locale)) != text


def origin_of(kind: str, locale: str, text: str) -> dict[str, object]:
    """The fields an operator's save (an edit, a restore, an import) sets beside the text:
    whether it is customized, and the shipped text it was written against, so that only
    a later release's text is flagged as new (admin/templates.py)."""
    customized = differs_from_shipped(kind, locale, text)
    return {
        "is_customized": customized,
        "shipped_version": shipped().get((kind, locale), "") if customized else "",
    }


@dataclass
class LoadReport:
    created: int = 0
    updated: int = 0
    kept: int = 0  # customized by an operator, left as they are


def load_shipped(using: str = "default") -> LoadReport:
    report = LoadReport()
    with transaction.atomic(using=using):
        existing = {(t.type, t.locale): t for t in Template.objects.using(using).all()}
        for key, text in shipped().items():
            row = existing.get(key)
            if row is None:
                Template.objects.using(using).create(type=key[0], locale=key[1], text=text)
                report.created += 1
            elif row.is_customized and row.text == text:
                # The shipped text caught up with the operator's: later releases update it.
                row.is_customized = False
                row.save(using=using, update_fields=["is_customized", "updated_at"])
                report.updated += 1
            elif row.is_customized:
                report.kept += 1
            elif row.text != text:
                row.text = text
                row.save(using=using, update_fields=["text", "updated_at"])
                report.updated += 1
    return report


def reset(kind: str, locale: str, using: str = "default") -> Template:
    """Put one template back to its shipped text, as if never edited."""
    text = shipped()[(kind, locale)]
    template, _ = Template.objects.using(using).update_or_create(
        type=kind,
        locale=locale,
        defaults={"text": text, "is_customized": False, "shipped_version": ""},
    )
    return template


def load_after_migrate(using: str = "default", **kwargs: object) -> None:
    load_shipped(using=using)
