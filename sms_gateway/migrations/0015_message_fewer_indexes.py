"""Three fewer indexes on the records: each SMS writes every index of its row twice
(its INSERT, then its UPDATE, which changes indexed columns and so is never HOT).

- ``created_at``'s own index: ``message_stats_idx`` is an index on ``created_at`` too
  (its other columns are INCLUDEd), so it serves every query the plain one did.
- ``provider_message_id``'s ``varchar_pattern_ops`` twin (PostgreSQL's ``_like``,
  for ``LIKE 'x%'``): receipts and the admin's search compare it by equality only.
  Its plain index is kept, renamed ``message_provider_id_idx`` (now in ``Meta``).
- ``sent_by``'s index holds a NULL for every record but the admin's test SMS: it is
  now partial, those rows only (what deleting an operator looks up).

On PostgreSQL the indexes are dropped and built CONCURRENTLY (hence ``atomic = False``,
as 0007 and 0013), the send path writing meanwhile; the rename is a catalog change.
The index names are Django's for these columns (``_create_index_name``), the same on
every database.
"""

from django.conf import settings
from django.db import migrations, models

TABLE = "sms_gateway_message"
CREATED_AT = "sms_gateway_message_created_at_3c08b1a2"
PROVIDER_ID = "sms_gateway_message_provider_message_id_366a2615"
PROVIDER_ID_LIKE = PROVIDER_ID + "_like"
SENT_BY = "sms_gateway_message_sent_by_id_05cb93d4"


def _statements(vendor: str, forwards: bool) -> list[str]:
    postgres = vendor == "postgresql"
    now = " CONCURRENTLY" if postgres else ""
    create, drop = f"CREATE INDEX{now} IF NOT EXISTS", f"DROP INDEX{now} IF EXISTS"
    if forwards:
        return [
            f'{drop} "{CREATED_AT}"',
            f'{drop} "{PROVIDER_ID_LIKE}"',
            *(
                [f'ALTER INDEX IF EXISTS "{PROVIDER_ID}" RENAME TO "message_provider_id_idx"']
                if postgres
                else [f'{drop} "{PROVIDER_ID}"']
            ),
            f'{create} "message_provider_id_idx" ON "{TABLE}" ("provider_message_id")',
            f'{create} "message_sent_by_idx" ON "{TABLE}" ("sent_by_id") '
            'WHERE "sent_by_id" IS NOT NULL',
            f'{drop} "{SENT_BY}"',
        ]
    return [
        f'{create} "{CREATED_AT}" ON "{TABLE}" ("created_at")',
        *(
            [
                f'{create} "{PROVIDER_ID_LIKE}" ON "{TABLE}" '
                '("provider_message_id" varchar_pattern_ops)',
                f'ALTER INDEX IF EXISTS "message_provider_id_idx" RENAME TO "{PROVIDER_ID}"',
            ]
            if postgres
            else ['DROP INDEX IF EXISTS "message_provider_id_idx"']
        ),
        f'{create} "{PROVIDER_ID}" ON "{TABLE}" ("provider_message_id")',
        f'{create} "{SENT_BY}" ON "{TABLE}" ("sent_by_id")',
        f'{drop} "message_sent_by_idx"',
    ]


def forwards(apps, schema_editor):
    for sql in _statements(schema_editor.connection.vendor, forwards=True):
        schema_editor.execute(sql)


def backwards(apps, schema_editor):
    for sql in _statements(schema_editor.connection.vendor, forwards=False):
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("sms_gateway", "0014_webhook_keys_encrypted"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(forwards, backwards)],
            state_operations=[
                migrations.AlterField(
                    model_name="message",
                    name="created_at",
                    field=models.DateTimeField(auto_now_add=True),
                ),
                migrations.AlterField(
                    model_name="message",
                    name="provider_message_id",
                    field=models.CharField(blank=True, max_length=100),
                ),
                migrations.AlterField(
                    model_name="message",
                    name="sent_by",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        help_text="The operator who sent this test SMS.",
                        null=True,
                        on_delete=models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                migrations.AddIndex(
                    model_name="message",
                    index=models.Index(
                        fields=["provider_message_id"], name="message_provider_id_idx"
                    ),
                ),
                migrations.AddIndex(
                    model_name="message",
                    index=models.Index(
                        condition=models.Q(sent_by__isnull=False),
                        fields=["sent_by"],
                        name="message_sent_by_idx",
                    ),
                ),
            ],
        ),
    ]
