# Issue 17 (admin security): test SMS record who sent them; their own permission.
# Depends on 0004 for now: 0005 is written on another branch (re-point at merge).

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('sms_gateway', '0005_reconcile_and_delivery_status'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='message',
            options={'ordering': ['-created_at'], 'permissions': [('send_test_sms', 'Can send a test SMS (spends money)')]},
        ),
        migrations.AddField(
            model_name='message',
            name='is_test',
            field=models.BooleanField(default=False, verbose_name='test SMS'),
        ),
        migrations.AddField(
            model_name='message',
            name='sent_by',
            field=models.ForeignKey(blank=True, help_text='The operator who sent this test SMS.', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
    ]
