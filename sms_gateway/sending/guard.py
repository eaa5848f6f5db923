"""Stage 2: policy steps that may refuse an SMS before it is recorded as accepted.

``SMS_GUARD`` lists the steps in order, as dotted paths to callables
``step(draft) -> Refused | Flag | None``, like ``MIDDLEWARE``; the first
refusal wins and the message is recorded as rejected with its reason, never
sent; a ``Flag`` lets it through, marked in the record. The default is the fraud
guard (``sms_gateway.fraud.steps``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from django.conf import settings
from django.core.signals import setting_changed
from django.utils.module_loading import import_string

from ..core.errors import Refused
from .state import Draft


@dataclass(frozen=True)
class Flag:
    """Let the SMS through, but mark its record (e.g. ``monitored_country``)."""

    name: str


Step = Callable[[Draft], "Refused | Flag | None"]


@cache
def _steps(paths: tuple[str, ...]) -> tuple[Step, ...]:
    return tuple(import_string(path) for path in paths)


def steps() -> tuple[Step, ...]:
    return _steps(tuple(settings.SMS_GUARD))


def check(draft: Draft) -> tuple[Refused | None, tuple[str, ...]]:
    """The first refusal (or None) and the flags raised before it."""
    flags: list[str] = []
    for step in steps():
        verdict = step(draft)
        if isinstance(verdict, Flag):
            flags.append(verdict.name)
        elif verdict is not None:
            return verdict, tuple(flags)
    return None, tuple(flags)


def _on_setting_changed(setting: str, **kwargs: object) -> None:
    if setting == "SMS_GUARD":
        _steps.cache_clear()


setting_changed.connect(_on_setting_changed)
