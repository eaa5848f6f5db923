from django.apps import AppConfig
from django.db.models.signals import post_migrate


class SmsGatewayConfig(AppConfig):
    name = "sms_gateway"
    verbose_name = "SMS gateway"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Imported for their side effects: catalog signals, system checks, OpenAPI extension.
        from . import checks  # noqa: F401
        from .api import schema  # noqa: F401
        from .catalog import snapshot  # noqa: F401
        from .catalog.defaults import load_after_migrate

        post_migrate.connect(load_after_migrate, sender=self)
