"""Indexes for the Messages admin's filters (admin/message_list.py).

One per filtered column, on (column, created_at): the newest 50 records of one
value, and their count capped at 10,001, are a range of the index however rare
the value. On PostgreSQL they are built CONCURRENTLY (hence ``atomic = False``):
the send path's INSERTs and UPDATEs go on while a large table is indexed.
"""

from django.db import migrations, models

COLUMNS = ("status", "delivery_status", "type", "provider", "locale")


class AddIndexConcurrentlyOnPostgres(migrations.AddIndex):
    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        model = to_state.apps.get_model(app_label, self.model_name)
        if self.allow_migrate_model(schema_editor.connection.alias, model):
            concurrently = schema_editor.connection.vendor == "postgresql"
            schema_editor.add_index(model, self.index, **_concurrently(concurrently))

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        model = from_state.apps.get_model(app_label, self.model_name)
        if self.allow_migrate_model(schema_editor.connection.alias, model):
            concurrently = schema_editor.connection.vendor == "postgresql"
            schema_editor.remove_index(model, self.index, **_concurrently(concurrently))


def _concurrently(on: bool) -> dict:
    return {"concurrently": True} if on else {}


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("sms_gateway", "0006_admin_security"),
    ]

    operations = [
        AddIndexConcurrentlyOnPostgres(
            model_name="message",
            index=models.Index(fields=[column, "created_at"], name=f"message_{column}_idx"),
        )
        for column in COLUMNS
    ]
