from django.apps import AppConfig
from django.db.models.signals import post_migrate


class SmsGatewayConfig(AppConfig):
    name = "sms_gateway"
    verbose_name = "SMS gateway"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import catalog, checks, schema  # noqa: F401  (signals, checks, OpenAPI)
        from .defaults import load_after_migrate

        post_migrate.connect(load_after_migrate, sender=self)
