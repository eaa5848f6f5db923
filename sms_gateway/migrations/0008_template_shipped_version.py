from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("sms_gateway", "0007_messages_admin_indexes"),
    ]

    operations = [
        # Empty for templates customised before this migration: the editor compares
        # them with the text shipped now, as it did before.
        migrations.AddField(
            model_name="template",
            name="shipped_version",
            field=models.TextField(blank=True, default=""),
        ),
        # The hint names every placeholder, {{validity}} included.
        migrations.AlterField(
            model_name="template",
            name="text",
            field=models.TextField(
                help_text="Placeholders: {{code}}, {{validity}}, {{validityMinutes}} in messages "
                "with a code; {{link}} in OrganizationInvitation; {{locale}}, {{uiLocales}}, "
                "{{application.name}}, {{organization.name}}, {{user.name}}, {{inviter.name}}."
            ),
        ),
    ]
