"""Stage 2: policy steps that may refuse an SMS before it is recorded as accepted.

``SMS_GUARD`` lists the steps in order, as dotted paths to callables
``step(draft) -> Refused | Flag | None``, like ``MIDDLEWARE``; the first
refusal wins and the message is recorded as rejected with its reason, never
sent; a ``Flag`` lets it through, marked in the record. The default is the fraud
guard (``sms_gateway.fraud.steps``).

A step that raises is skipped for this SMS (the next steps still run), never a
500 to Logto, and never in silence: one ERROR line when it starts raising, one
WARNING when it works again, ``sms_gateway_guard_degraded{step}`` and
``sms_gateway_guard_fallback_total``, and ``/readyz`` names it (ops/degraded.py).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from django.conf import settings
from django.core.signals import setting_changed
from django.utils.module_loading import import_string

from ..core.errors import Refused
from ..core.guard import Flag
from ..ops import degraded, metrics
from .state import Draft

__all__ = ["Flag", "Step", "check", "steps"]

Step = Callable[[Draft], "Refused | Flag | None"]

RAISED = "raised"  # the cause a step is degraded by when it raises


def step_name(path: str) -> str:
    """The name ``/readyz`` and the metrics give a step: its last dotted component."""
    return path.rsplit(".", 1)[-1]


@cache
def _steps(paths: tuple[str, ...]) -> tuple[tuple[str, Step], ...]:
    return tuple((step_name(path), import_string(path)) for path in paths)


def steps() -> tuple[tuple[str, Step], ...]:
    """(name, step) in order."""
    return _steps(tuple(settings.SMS_GUARD))


def check(draft: Draft) -> tuple[Refused | None, tuple[str, ...]]:
    """The first refusal (or None) and the flags raised before it."""
    flags: list[str] = []
    for name, step in steps():
        try:
            verdict = step(draft)
        except Exception as err:  # a failing policy must not fail the SMS; loudly skipped
            metrics.GUARD_FALLBACK.inc()
            degraded.failed(name, RAISED, err, "skipped")
            continue
        degraded.recovered(name, RAISED)
        if isinstance(verdict, Flag):
            flags.append(verdict.name)
        elif verdict is not None:
            return verdict, tuple(flags)
    return None, tuple(flags)


def _on_setting_changed(setting: str, **kwargs: object) -> None:
    if setting == "SMS_GUARD":
        _steps.cache_clear()


setting_changed.connect(_on_setting_changed)
