"""Stage 2: policy steps that may refuse an SMS before it is recorded as accepted.

``SMS_GUARD`` lists the steps in order, as dotted paths to callables
``step(draft) -> Refused | None``, like ``MIDDLEWARE``; the first refusal wins
and the message is recorded as rejected with its reason, never sent. Empty by
default: rate limits, country permissions and number-type policy plug in here.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from django.conf import settings
from django.core.signals import setting_changed
from django.utils.module_loading import import_string

from ..core.errors import Refused
from .state import Draft

Step = Callable[[Draft], Refused | None]


@cache
def _steps(paths: tuple[str, ...]) -> tuple[Step, ...]:
    return tuple(import_string(path) for path in paths)


def steps() -> tuple[Step, ...]:
    return _steps(tuple(settings.SMS_GUARD))


def check(draft: Draft) -> Refused | None:
    for step in steps():
        refusal = step(draft)
        if refusal is not None:
            return refusal
    return None


def _on_setting_changed(setting: str, **kwargs: object) -> None:
    if setting == "SMS_GUARD":
        _steps.cache_clear()


setting_changed.connect(_on_setting_changed)
