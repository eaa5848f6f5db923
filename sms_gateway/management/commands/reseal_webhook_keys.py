"""Encrypt every tenant's Logto webhook signing keys again under the current SECRET_KEY
(README, "Tenants"): after a rotation, so the old key can leave SECRET_KEY_FALLBACKS."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from ...catalog import snapshot
from ...core import sealed
from ...models import Tenant, secret_keys


class Command(BaseCommand):
    help = (
        "Encrypt the tenants' Logto webhook signing keys again under SECRET_KEY (they are "
        "read with SECRET_KEY_FALLBACKS until then)."
    )

    def handle(self, *args: object, **options: object) -> None:
        resealed, unreadable = [], []
        with transaction.atomic():
            for tenant in Tenant.objects.select_for_update().exclude(logto_webhook_keys=""):
                try:
                    stored = sealed.reseal(tenant.logto_webhook_keys, secret_keys())
                except sealed.Unreadable:
                    unreadable.append(tenant.slug)
                    continue
                Tenant.objects.filter(pk=tenant.pk).update(logto_webhook_keys=stored)
                resealed.append(tenant.slug)
            snapshot.publish_on_commit()
        self.stdout.write(
            f"{len(resealed)} tenant(s) resealed under SECRET_KEY: {', '.join(resealed) or '-'}"
        )
        if unreadable:
            raise CommandError(
                f"cannot be decrypted with SECRET_KEY or SECRET_KEY_FALLBACKS, left as they "
                f"are: {', '.join(unreadable)} (enter their keys again in the admin)"
            )
