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
from ..models import DEFAULT_TENANT_ID, RateLimit, Template, Tenant


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
        # The default tenant's rows hold the shipped texts; other tenants' rows are
        # only their overrides, over the shipped texts (catalog/snapshot.py).
        rows = Template.objects.using(using).filter(tenant_id=DEFAULT_TENANT_ID)
        existing = {(t.type, t.locale): t for t in rows}
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


def reset(
    kind: str, locale: str, using: str = "default", tenant: int = DEFAULT_TENANT_ID
) -> Template:
    """Put one of a tenant's templates back to its shipped text, as if never edited."""
    text = shipped()[(kind, locale)]
    template, _ = Template.objects.using(using).update_or_create(
        tenant_id=tenant,
        type=kind,
        locale=locale,
        defaults={"text": text, "is_customized": False, "shipped_version": ""},
    )
    return template


def ensure_default_tenant(using: str = "default") -> None:
    """The default tenant, id 1, that rows without a tenant belong to: created by
    migration 0012, and again after a flush (tests) or on a fresh database."""
    from django.core.management.color import no_style
    from django.db import connections

    _, created = Tenant.objects.using(using).get_or_create(
        pk=DEFAULT_TENANT_ID, defaults={"slug": "default", "name": "Default"}
    )
    if created:
        connection = connections[using]
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), [Tenant]):
                cursor.execute(sql)


# A new tenant's rate limits: the shipped ones (migration 0004, README "Fraud guard"),
# but for the gateway-wide limit, which is the default tenant's and holds for all.
TENANT_LIMITS = [
    ("recipient", 5, 600, "Twilio Verify: 5 sends per verification; Logto: 10 per 10 min"),
    ("recipient", 15, 86400, "a day's ceiling per number"),
    ("ip", 20, 600, "one end-user address, NAT and offices included"),
    ("ip", 100, 86400, "a day's ceiling per address"),
    ("prefix", 100, 600, "a hard ceiling per destination prefix"),
    ("country", 1000, 600, "a hard ceiling per country: raise it with your traffic"),
]


def seed_tenant(instance: Tenant, created: bool, raw: bool = False, **kwargs: object) -> None:
    """A tenant created starts with the shipped rate limits (its templates fall back
    to the shipped texts without rows)."""
    if not created or raw or instance.pk == DEFAULT_TENANT_ID:
        return
    RateLimit.objects.bulk_create(
        RateLimit(tenant=instance, scope=scope, limit=limit, window_seconds=window, note=note)
        for scope, limit, window, note in TENANT_LIMITS
    )


def load_after_migrate(using: str = "default", **kwargs: object) -> None:
    ensure_default_tenant(using=using)
    load_shipped(using=using)
