from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("sms_gateway", "0006_admin_security"),
    ]

    operations = [
        # Empty for templates customised before this migration: the editor compares
        # them with the text shipped now, as it did before.
        migrations.AddField(
            model_name="template",
            name="shipped_version",
            field=models.TextField(blank=True, default=""),
        ),
    ]
