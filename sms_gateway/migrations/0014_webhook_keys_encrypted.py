"""Tenants' Logto webhook signing keys encrypted at rest (core/sealed.py): each stored
row is encrypted under SECRET_KEY; backwards, decrypted again (with SECRET_KEY or a
fallback) to the keys one per line."""

from django.conf import settings
from django.db import migrations, models

from sms_gateway.core import sealed


def _secrets():
    return [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]


def encrypt(apps, schema_editor):
    Tenant = apps.get_model("sms_gateway", "Tenant")
    tenants = Tenant.objects.using(schema_editor.connection.alias)
    for pk, clear in tenants.exclude(logto_webhook_keys="").values_list("pk", "logto_webhook_keys"):
        tenants.filter(pk=pk).update(
            logto_webhook_keys=sealed.seal(sealed.parse(clear), settings.SECRET_KEY)
        )


def decrypt(apps, schema_editor):
    Tenant = apps.get_model("sms_gateway", "Tenant")
    tenants = Tenant.objects.using(schema_editor.connection.alias)
    for pk, slug, stored in tenants.exclude(logto_webhook_keys="").values_list(
        "pk", "slug", "logto_webhook_keys"
    ):
        try:
            keys = sealed.unseal(stored, _secrets())
        except sealed.Unreadable:
            raise RuntimeError(
                f"tenant {slug}: its Logto webhook signing keys cannot be decrypted with "
                "SECRET_KEY or SECRET_KEY_FALLBACKS; set the SECRET_KEY they were stored with"
            ) from None
        tenants.filter(pk=pk).update(logto_webhook_keys="\n".join(keys))


class Migration(migrations.Migration):
    dependencies = [
        ("sms_gateway", "0013_dashboard_tenants"),
    ]

    operations = [
        migrations.AlterField(
            model_name="tenant",
            name="logto_webhook_keys",
            field=models.TextField(
                blank=True,
                editable=False,
                help_text="Encrypted with a key derived from SECRET_KEY; empty: none. The default tenant also accepts SMS_LOGTO_WEBHOOK_KEYS.",
                verbose_name="Logto webhook signing keys",
            ),
        ),
        migrations.RunPython(encrypt, decrypt),
    ]
