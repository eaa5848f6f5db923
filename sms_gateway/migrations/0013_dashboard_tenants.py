"""Each tenant its own dashboard: the rollup keyed by tenant, the records' stats index
with their tenant.

Every existing rollup row becomes the default tenant's (before 0012 every record was).
A day rolled up while several tenants already sent (with 0012) mixed their records:
its rows are deleted when another tenant's records of that day are still there, so the
next rollup pass (each worker's hourly one, ``manage.py rollup_deliveries``) builds
it again per tenant; the dashboard groups it live meanwhile or names it as missing.

``message_stats_idx`` is built again with ``tenant_id`` in its INCLUDE list, so that
a tenant's figures are read from the index alone, as the whole gateway's are. On
PostgreSQL it is dropped and built CONCURRENTLY (hence ``atomic = False``, as 0007):
the send path's INSERTs and UPDATEs go on meanwhile; the dashboard's open days are
grouped without it for that time.
"""

from datetime import UTC, datetime, time, timedelta

import django.db.models.deletion
from django.db import migrations, models

DEFAULT_TENANT_ID = 1  # models.DEFAULT_TENANT_ID, frozen here


def _concurrently(schema_editor) -> dict:
    return {"concurrently": True} if schema_editor.connection.vendor == "postgresql" else {}


class AddIndexConcurrentlyOnPostgres(migrations.AddIndex):
    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        model = to_state.apps.get_model(app_label, self.model_name)
        if self.allow_migrate_model(schema_editor.connection.alias, model):
            schema_editor.add_index(model, self.index, **_concurrently(schema_editor))

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        model = from_state.apps.get_model(app_label, self.model_name)
        if self.allow_migrate_model(schema_editor.connection.alias, model):
            schema_editor.remove_index(model, self.index, **_concurrently(schema_editor))


class RemoveIndexConcurrentlyOnPostgres(migrations.RemoveIndex):
    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        model = from_state.apps.get_model(app_label, self.model_name)
        if self.allow_migrate_model(schema_editor.connection.alias, model):
            index = from_state.models[app_label, self.model_name_lower].get_index_by_name(
                self.name
            )
            schema_editor.remove_index(model, index, **_concurrently(schema_editor))

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        model = to_state.apps.get_model(app_label, self.model_name)
        if self.allow_migrate_model(schema_editor.connection.alias, model):
            index = to_state.models[app_label, self.model_name_lower].get_index_by_name(
                self.name
            )
            schema_editor.add_index(model, index, **_concurrently(schema_editor))


def drop_mixed_days(apps, schema_editor):
    """Delete the rolled-up days that hold another tenant's records: rebuilt per tenant."""
    alias = schema_editor.connection.alias
    Stats = apps.get_model("sms_gateway", "DeliveryStatsDay")
    Message = apps.get_model("sms_gateway", "Message")
    Tenant = apps.get_model("sms_gateway", "Tenant")
    others = list(
        Tenant.objects.using(alias).exclude(pk=DEFAULT_TENANT_ID).values_list("pk", flat=True)
    )
    if not others:
        return  # a single-tenant install: every row is the default tenant's, rightly
    days = Stats.objects.using(alias).values_list("day", flat=True).distinct().order_by()
    mixed = []
    for day in days:
        start = datetime.combine(day, time.min, tzinfo=UTC)
        records = Message.objects.using(alias).filter(
            created_at__gte=start, created_at__lt=start + timedelta(days=1)
        )
        # One probe of message_tenant_idx per tenant.
        if any(records.filter(tenant_id=tenant).exists() for tenant in others):
            mixed.append(day)
    Stats.objects.using(alias).filter(day__in=mixed).delete()


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("sms_gateway", "0012_tenants"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="deliverystatsday",
            name="unique_stats_day_country_provider",
        ),
        migrations.AddField(
            model_name="deliverystatsday",
            name="tenant",
            field=models.ForeignKey(
                default=DEFAULT_TENANT_ID,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="sms_gateway.tenant",
            ),
        ),
        migrations.AddConstraint(
            model_name="deliverystatsday",
            constraint=models.UniqueConstraint(
                fields=("day", "tenant", "country", "provider"),
                name="unique_stats_day_tenant_country_provider",
            ),
        ),
        RemoveIndexConcurrentlyOnPostgres(
            model_name="message",
            name="message_stats_idx",
        ),
        AddIndexConcurrentlyOnPostgres(
            model_name="message",
            index=models.Index(
                fields=["created_at"],
                include=(
                    *("country", "provider", "status", "delivery_status"),
                    *("delivery_ms", "converted_at", "segments", "type", "tenant"),
                ),
                name="message_stats_idx",
            ),
        ),
        migrations.RunPython(drop_mixed_days, migrations.RunPython.noop),
    ]
