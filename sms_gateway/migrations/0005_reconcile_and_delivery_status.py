"""The reconciler's partial index, and delivery statuses in words of their own.

Before, a delivery status shared ``sent``, ``failed`` and ``unknown`` with the
record's status, meaning something else. The rows are renamed here (and back
on the way down): one UPDATE per word, each on the rows that say it.
"""

from django.db import migrations, models

# Old delivery status -> new (core/delivery_status.py). Frozen here: the code may move on.
RENAMED = {
    "unknown": "unclear",
    "queued": "at_provider",
    "sent": "at_carrier",
    "failed": "dropped",
}


def rename(mapping):
    def run(apps, schema_editor):
        Message = apps.get_model("sms_gateway", "Message")
        for old, new in mapping.items():
            Message.objects.filter(delivery_status=old).update(delivery_status=new)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("sms_gateway", "0004_fraud_guard"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="message",
            index=models.Index(
                condition=models.Q(("status", "accepted")),
                fields=["created_at"],
                name="message_accepted_idx",
            ),
        ),
        migrations.AlterField(
            model_name="message",
            name="delivery_status",
            field=models.CharField(
                blank=True,
                choices=[
                    ("", "no receipt"),
                    ("unclear", "unclear (the provider does not know)"),
                    ("at_provider", "at the provider"),
                    ("at_carrier", "at the carrier"),
                    ("undelivered", "undelivered (expired, unreachable)"),
                    ("dropped", "dropped by the provider or carrier"),
                    ("delivered", "delivered"),
                ],
                help_text="Normalized, from the provider's receipts.",
                max_length=12,
            ),
        ),
        migrations.RunPython(
            rename(RENAMED),
            rename({new: old for old, new in RENAMED.items()}),
            elidable=False,
        ),
    ]
