"""Provider aliases from ``settings.SMS_PROVIDERS``, built once per process.

``SMS_PROVIDERS = {"twilio": {"BACKEND": "sms_gateway.providers.twilio.TwilioProvider",
"OPTIONS": {...}}}``: the alias is what routes name.
"""

from __future__ import annotations

import threading

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.utils.module_loading import import_string

from .base import BaseProvider, OutgoingSMS, SendResult

__all__ = ["BaseProvider", "OutgoingSMS", "SendResult", "get_provider", "provider_aliases"]

_instances: dict[str, BaseProvider] = {}
_lock = threading.Lock()


def provider_aliases() -> list[str]:
    return sorted(settings.SMS_PROVIDERS)


def build_provider(alias: str) -> BaseProvider:
    config = settings.SMS_PROVIDERS.get(alias)
    if config is None:
        raise ImproperlyConfigured(
            f"Provider alias {alias!r} is used by a route but not defined in SMS_PROVIDERS "
            f"(defined: {', '.join(provider_aliases()) or 'none'})."
        )
    unknown = sorted(set(config) - {"BACKEND", "OPTIONS"})
    if unknown or "BACKEND" not in config:
        raise ImproperlyConfigured(
            f"SMS_PROVIDERS[{alias!r}] takes BACKEND (a dotted path) and OPTIONS (a dict)."
        )
    try:
        backend = import_string(config["BACKEND"])
    except ImportError as err:
        raise ImproperlyConfigured(
            f"SMS_PROVIDERS[{alias!r}]['BACKEND'] = {config['BACKEND']!r} cannot be imported: {err}"
        ) from err
    if not (isinstance(backend, type) and issubclass(backend, BaseProvider)):
        raise ImproperlyConfigured(
            f"SMS_PROVIDERS[{alias!r}]['BACKEND'] must be a BaseProvider subclass."
        )
    return backend(alias, **config.get("OPTIONS", {}))


def get_provider(alias: str) -> BaseProvider:
    provider = _instances.get(alias)
    if provider is None:
        with _lock:
            provider = _instances.get(alias)
            if provider is None:
                provider = _instances[alias] = build_provider(alias)
    return provider


def reset_providers() -> None:
    with _lock:
        for provider in _instances.values():
            provider.close()
        _instances.clear()


def _on_setting_changed(setting: str, **kwargs: object) -> None:
    if setting == "SMS_PROVIDERS":
        reset_providers()


setting_changed.connect(_on_setting_changed)
