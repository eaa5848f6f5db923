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
There they are found by what they cover, not by name; an index a failed run left
invalid is dropped and built again; and the result is checked: a table whose indexes
are not as expected stops the migration with an error.
"""

from django.conf import settings
from django.db import migrations, models

TABLE = "sms_gateway_message"
# Django's names for the indexes 0001 made (``_create_index_name``): on SQLite they are
# looked up by name; on PostgreSQL by what they index, whatever their names.
CREATED_AT = "sms_gateway_message_created_at_3c08b1a2"
PROVIDER_ID = "sms_gateway_message_provider_message_id_366a2615"
PROVIDER_ID_LIKE = PROVIDER_ID + "_like"
SENT_BY = "sms_gateway_message_sent_by_id_05cb93d4"
NEW_PROVIDER_ID, NEW_SENT_BY = "message_provider_id_idx", "message_sent_by_idx"
# What each index covers, as pg_get_indexdef ends.
ON_CREATED_AT = "(created_at)"
ON_PROVIDER_ID = "(provider_message_id)"
ON_PROVIDER_ID_LIKE = "(provider_message_id varchar_pattern_ops)"
ON_SENT_BY = "(sent_by_id)"
ON_SENT_BY_PARTIAL = "(sent_by_id) WHERE (sent_by_id IS NOT NULL)"
PARTIAL = 'WHERE "sent_by_id" IS NOT NULL'


def _postgres_indexes(schema_editor) -> dict[str, list[str]]:
    """The table's valid indexes by what they cover, after dropping the invalid ones
    (a CREATE INDEX CONCURRENTLY that failed leaves its index behind, invalid: rerun,
    ``IF NOT EXISTS`` would keep it)."""
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, pg_get_indexdef(i.indexrelid), i.indisvalid "
            "FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
            "WHERE i.indrelid = %s::regclass",
            [TABLE],
        )
        rows = cursor.fetchall()
    found: dict[str, list[str]] = {}
    for name, definition, valid in rows:
        if not valid:
            schema_editor.execute(f'DROP INDEX CONCURRENTLY IF EXISTS "{name}"')
            continue
        found.setdefault(definition.split(" USING btree ", 1)[-1], []).append(name)
    return found


def _postgres(schema_editor, forwards: bool) -> None:
    def create(name: str, columns: str, where: str = "") -> None:
        schema_editor.execute(f'CREATE INDEX CONCURRENTLY "{name}" ON "{TABLE}" {columns} {where}')

    def drop(names: list[str]) -> None:
        for name in names:
            schema_editor.execute(f'DROP INDEX CONCURRENTLY IF EXISTS "{name}"')

    def keep_one(names: list[str], name: str, columns: str) -> None:
        """One index of ``columns`` named ``name``: the first renamed, the others dropped."""
        if not names:
            create(name, columns)
        elif names[0] != name:
            schema_editor.execute(f'ALTER INDEX "{names[0]}" RENAME TO "{name}"')
        drop(names[1:])

    found = _postgres_indexes(schema_editor)
    if forwards:
        drop(found.get(ON_CREATED_AT, []) + found.get(ON_PROVIDER_ID_LIKE, []))
        keep_one(found.get(ON_PROVIDER_ID, []), NEW_PROVIDER_ID, ON_PROVIDER_ID)
        if not found.get(ON_SENT_BY_PARTIAL):
            create(NEW_SENT_BY, ON_SENT_BY, PARTIAL)
        drop(found.get(ON_SENT_BY, []))
        expected = {ON_PROVIDER_ID, ON_SENT_BY_PARTIAL}
        absent = {ON_CREATED_AT, ON_PROVIDER_ID_LIKE, ON_SENT_BY}
    else:
        if not found.get(ON_CREATED_AT):
            create(CREATED_AT, ON_CREATED_AT)
        if not found.get(ON_PROVIDER_ID_LIKE):
            create(PROVIDER_ID_LIKE, ON_PROVIDER_ID_LIKE)
        keep_one(found.get(ON_PROVIDER_ID, []), PROVIDER_ID, ON_PROVIDER_ID)
        if not found.get(ON_SENT_BY):
            create(SENT_BY, ON_SENT_BY)
        drop(found.get(ON_SENT_BY_PARTIAL, []))
        expected = {ON_CREATED_AT, ON_PROVIDER_ID_LIKE, ON_PROVIDER_ID, ON_SENT_BY}
        absent = {ON_SENT_BY_PARTIAL}
    now = _postgres_indexes(schema_editor)
    if any(len(now.get(c, [])) != 1 for c in expected) or absent & set(now):
        raise RuntimeError(f"0015: the indexes of {TABLE} are not as expected: {now}")


def _sqlite(schema_editor, forwards: bool) -> None:
    if forwards:
        statements = [
            f'DROP INDEX IF EXISTS "{CREATED_AT}"',
            f'DROP INDEX IF EXISTS "{PROVIDER_ID}"',
            f'CREATE INDEX IF NOT EXISTS "{NEW_PROVIDER_ID}" ON "{TABLE}" ("provider_message_id")',
            f'CREATE INDEX IF NOT EXISTS "{NEW_SENT_BY}" ON "{TABLE}" ("sent_by_id") {PARTIAL}',
            f'DROP INDEX IF EXISTS "{SENT_BY}"',
        ]
    else:
        statements = [
            f'CREATE INDEX IF NOT EXISTS "{CREATED_AT}" ON "{TABLE}" ("created_at")',
            f'DROP INDEX IF EXISTS "{NEW_PROVIDER_ID}"',
            f'CREATE INDEX IF NOT EXISTS "{PROVIDER_ID}" ON "{TABLE}" ("provider_message_id")',
            f'CREATE INDEX IF NOT EXISTS "{SENT_BY}" ON "{TABLE}" ("sent_by_id")',
            f'DROP INDEX IF EXISTS "{NEW_SENT_BY}"',
        ]
    for sql in statements:
        schema_editor.execute(sql)


def _migrate(schema_editor, forwards: bool) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        _postgres(schema_editor, forwards)
    elif vendor == "sqlite":
        _sqlite(schema_editor, forwards)
    else:
        raise NotImplementedError(f"the gateway runs on PostgreSQL or SQLite, not {vendor}")


def forwards(apps, schema_editor):
    _migrate(schema_editor, forwards=True)


def backwards(apps, schema_editor):
    _migrate(schema_editor, forwards=False)


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
