"""Guard steps running on their fallback: said once, counted, shown by ``/readyz``.

A step that cannot do its work (a step that raises, the pumping detector's
block or conversion lookup failing) applies its documented fallback instead of
failing the SMS. That must never be silent, nor flood the log: one ERROR line
when a (step, cause) starts failing, one WARNING when it works again, the gauge
``sms_gateway_guard_degraded{step}`` meanwhile, and ``/readyz`` naming it.
State is per process, like the fallbacks themselves.
"""

from __future__ import annotations

import logging
import threading
import time

from . import metrics

logger = logging.getLogger("sms_gateway.guard")

_lock = threading.Lock()
_failing: dict[tuple[str, str], float] = {}  # (step, cause) -> since (monotonic)


def failed(step: str, cause: str, error: BaseException | None = None, fallback: str = "") -> None:
    """``step`` could not do its work because of ``cause``; ``fallback`` is what it did."""
    key = (step, cause)
    if key in _failing:
        return
    with _lock:
        if key in _failing:
            return
        _failing[key] = time.monotonic()
        metrics.GUARD_DEGRADED.labels(step).set(1)
    logger.error(
        "guard step %s degraded (%s: %s); %s until it works again",
        step,
        cause,
        type(error).__name__ if error is not None else "failed",
        fallback or "skipped",
    )


def recovered(step: str, cause: str) -> None:
    """``step`` did its work again; free when it never failed (the hot path)."""
    key = (step, cause)
    if key not in _failing:
        return
    with _lock:
        since = _failing.pop(key, None)
        if since is None:
            return
        if not any(s == step for s, _ in _failing):
            metrics.GUARD_DEGRADED.labels(step).set(0)
    logger.warning(
        "guard step %s works again (%s) after %.0f s", step, cause, time.monotonic() - since
    )


def current() -> dict[str, list[str]]:
    """step -> the causes it is degraded by, now."""
    steps: dict[str, list[str]] = {}
    for step, cause in sorted(_failing):
        steps.setdefault(step, []).append(cause)
    return steps


def reset() -> None:
    """Forget every degradation (tests)."""
    with _lock:
        for step, _ in _failing:
            metrics.GUARD_DEGRADED.labels(step).set(0)
        _failing.clear()
