"""Tenants: every row of an existing install goes to the default tenant (id 1), which
keeps SMS_GATEWAY_TOKENS and SMS_LOGTO_WEBHOOK_KEYS; nothing to configure."""

import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


DEFAULT_TENANT_ID = 1  # models.DEFAULT_TENANT_ID, frozen here


def create_default_tenant(apps, schema_editor):
    Tenant = apps.get_model("sms_gateway", "Tenant")
    Tenant.objects.using(schema_editor.connection.alias).create(
        pk=DEFAULT_TENANT_ID, slug="default", name="Default"
    )
    reset_tenant_sequence(schema_editor.connection, Tenant)


def reset_tenant_sequence(connection, model) -> None:
    """After a row inserted with its id, the next tenant must not take that id."""
    from django.core.management.color import no_style

    statements = connection.ops.sequence_reset_sql(no_style(), [model])
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("sms_gateway", "0011_guard_steering"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.CreateModel(
            name="Tenant",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "slug",
                    models.SlugField(
                        help_text="Short name, e.g. staging.", max_length=40, unique=True
                    ),
                ),
                ("name", models.CharField(max_length=100)),
                (
                    "operators",
                    models.OneToOneField(
                        blank=True,
                        help_text="Staff users in this group see and change only this tenant's objects (their permissions say which). Staff in no tenant's group work on the default tenant.",
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="tenant",
                        to="auth.group",
                    ),
                ),
                (
                    "logto_webhook_keys",
                    models.TextField(
                        blank=True,
                        help_text="The signing key of this Logto instance's webhook, one per line (two while rotating). The default tenant also accepts SMS_LOGTO_WEBHOOK_KEYS.",
                        verbose_name="Logto webhook signing keys",
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True)),
            ],
            options={
                "ordering": ["id"],
            },
        ),
        migrations.RunPython(create_default_tenant, migrations.RunPython.noop),
        migrations.CreateModel(
            name="TenantToken",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("label", models.CharField(blank=True, max_length=100)),
                ("digest", models.CharField(editable=False, max_length=64, unique=True)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
            ],
            options={
                "ordering": ["tenant", "created_at"],
            },
        ),
        migrations.RemoveConstraint(
            model_name="budget",
            name="unique_budget_country_period",
        ),
        migrations.RemoveConstraint(
            model_name="ratelimit",
            name="unique_rate_limit_scope_window",
        ),
        migrations.RemoveConstraint(
            model_name="route",
            name="unique_route_prefix_country",
        ),
        migrations.RemoveConstraint(
            model_name="senderrule",
            name="unique_sender_rule_country_provider",
        ),
        migrations.RemoveConstraint(
            model_name="template",
            name="unique_template_type_locale",
        ),
        migrations.AlterField(
            model_name="countrypolicy",
            name="country",
            field=models.CharField(
                max_length=2,
                validators=[
                    django.core.validators.RegexValidator(
                        "^[A-Z]{2}$", "Two-letter ISO country code, e.g. FR."
                    )
                ],
            ),
        ),
        migrations.AlterField(
            model_name="safenumber",
            name="number",
            field=models.CharField(help_text="E.164, e.g. +33612345678", max_length=16),
        ),
        migrations.AddField(
            model_name="budget",
            name="tenant",
            field=models.ForeignKey(
                default=1,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="sms_gateway.tenant",
            ),
        ),
        migrations.AddField(
            model_name="countrypolicy",
            name="tenant",
            field=models.ForeignKey(
                default=1,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="sms_gateway.tenant",
            ),
        ),
        migrations.AddField(
            model_name="message",
            name="tenant",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                default=1,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="sms_gateway.tenant",
            ),
        ),
        migrations.AddField(
            model_name="ratelimit",
            name="tenant",
            field=models.ForeignKey(
                default=1,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="sms_gateway.tenant",
            ),
        ),
        migrations.AddField(
            model_name="route",
            name="tenant",
            field=models.ForeignKey(
                default=1,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="sms_gateway.tenant",
            ),
        ),
        migrations.AddField(
            model_name="safenumber",
            name="tenant",
            field=models.ForeignKey(
                default=1,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="sms_gateway.tenant",
            ),
        ),
        migrations.AddField(
            model_name="senderrule",
            name="tenant",
            field=models.ForeignKey(
                default=1,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="sms_gateway.tenant",
            ),
        ),
        migrations.AddField(
            model_name="template",
            name="tenant",
            field=models.ForeignKey(
                default=1,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="sms_gateway.tenant",
            ),
        ),
        migrations.AddIndex(
            model_name="message",
            index=models.Index(fields=["tenant", "created_at"], name="message_tenant_idx"),
        ),
        migrations.AddConstraint(
            model_name="budget",
            constraint=models.UniqueConstraint(
                fields=("tenant", "country", "period"), name="unique_budget_country_period"
            ),
        ),
        migrations.AddConstraint(
            model_name="countrypolicy",
            constraint=models.UniqueConstraint(
                fields=("tenant", "country"), name="unique_policy_country"
            ),
        ),
        migrations.AddConstraint(
            model_name="ratelimit",
            constraint=models.UniqueConstraint(
                fields=("tenant", "scope", "window_seconds"), name="unique_rate_limit_scope_window"
            ),
        ),
        migrations.AddConstraint(
            model_name="route",
            constraint=models.UniqueConstraint(
                fields=("tenant", "prefix", "country"), name="unique_route_prefix_country"
            ),
        ),
        migrations.AddConstraint(
            model_name="safenumber",
            constraint=models.UniqueConstraint(
                fields=("tenant", "number"), name="unique_safe_number"
            ),
        ),
        migrations.AddConstraint(
            model_name="senderrule",
            constraint=models.UniqueConstraint(
                fields=("tenant", "country", "provider"), name="unique_sender_rule_country_provider"
            ),
        ),
        migrations.AddConstraint(
            model_name="template",
            constraint=models.UniqueConstraint(
                fields=("tenant", "type", "locale"), name="unique_template_type_locale"
            ),
        ),
        migrations.AddField(
            model_name="tenanttoken",
            name="tenant",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="tokens",
                to="sms_gateway.tenant",
            ),
        ),
    ]
