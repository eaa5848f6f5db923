"""Liveness and readiness for load balancers and orchestrators: cheap, JSON, no auth."""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable

from django.core.cache import cache
from django.core.exceptions import DisallowedHost
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import get_resolver

from ..providers import get_provider, provider_aliases
from . import webhook_keys

logger = logging.getLogger(__name__)


def live(request: HttpRequest) -> JsonResponse:
    """The process answers; nothing else is touched."""
    return JsonResponse({"status": "ok"})


def _database() -> Callable[[], None]:
    """Prepared in the request's thread (its connection settings), run in another on a
    connection of its own: a broken server cannot hide behind a pooled connection."""
    database = connection.Database
    params = {k: v for k, v in connection.get_connection_params().items() if k != "pool"}

    def check() -> None:
        raw = database.connect(**params)
        try:
            raw.cursor().execute("SELECT 1")
        finally:
            raw.close()

    return check


def _cache() -> None:
    key, value = "sms_gateway:readyz", uuid.uuid4().hex
    cache.set(key, value, timeout=10)
    if cache.get(key) != value:
        raise RuntimeError("cache did not keep a value")


def _providers() -> None:
    for alias in provider_aliases():
        get_provider(alias)  # built once per process, then cached


# name -> what prepares its check, in the request's thread
CHECKS: dict[str, Callable[[], Callable[[], None]]] = {
    "database": _database,
    "cache": lambda: _cache,
    "providers": lambda: _providers,
}

# A probe answers within this, however a dependency hangs; a check still running
# then is reported unavailable (its thread ends with the dependency's own timeout).
READY_BUDGET_SECONDS = 0.8


def _guard() -> str:
    """ "ok", or "degraded: <step> (<cause>), ..." while guard steps run on a fallback.

    In memory, no I/O. Degraded is not unready: every worker shares the cause (Redis,
    the database, a bug in a step), so taking this one out of rotation would not help,
    and Logto still gets its answers."""
    from django.conf import settings

    from . import degraded
    from .redis_cache import shared_client

    causes = degraded.current()
    client = shared_client()
    if client is not None and client.breaker.is_open:
        for path in settings.SMS_GUARD:
            name = path.rsplit(".", 1)[-1]
            if name in REDIS_STEPS:
                causes.setdefault(name, []).append("redis")
    if not causes:
        return "ok"
    return "degraded: " + ", ".join(f"{step} ({', '.join(c)})" for step, c in causes.items())


# The shipped steps that fall back while Redis is unavailable (README, "Fraud guard").
REDIS_STEPS = frozenset({"rate_limits", "pumping_guard"})


def _run(name: str, check: Callable[[], None]) -> str:
    try:
        check()
        return "ok"
    except Exception as err:  # report, never raise: this is a probe
        logger.warning("readiness: %s failed: %s", name, type(err).__name__)
        return "unavailable"


def ready(request: HttpRequest) -> JsonResponse:
    """Dependencies reachable: 200, or 503 naming what is not, within a second; and the
    guard's steps that run on a fallback and the tenants whose webhook keys cannot be
    decrypted (200 "degraded" when nothing else is wrong)."""
    results = dict.fromkeys(CHECKS, "unavailable")

    def work(name: str, check: Callable[[], None]) -> None:
        results[name] = _run(name, check)

    threads = [
        threading.Thread(target=work, args=(name, prepare()), name=f"readyz-{name}", daemon=True)
        for name, prepare in CHECKS.items()
    ]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + READY_BUDGET_SECONDS
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    answer = dict(results)  # a check still running stays "unavailable"
    healthy = all(value == "ok" for value in answer.values())
    answer["guard"] = _guard()
    # Tenants whose Logto webhook signing keys cannot be decrypted (SECRET_KEY changed
    # without a fallback): their webhooks are refused; every worker shares the cause.
    answer["webhook_keys"] = webhook_keys.current()
    notes_ok = answer["guard"] == "ok" and answer["webhook_keys"] == "ok"
    status = "unavailable" if not healthy else "ok" if notes_ok else "degraded"
    return JsonResponse({"status": status, "checks": answer}, status=200 if healthy else 503)


class ProbeHostMiddleware:
    """Probes answer whatever the ``Host``; a refused host costs one log line.

    Kubelets and load balancers probe a pod by its IP (``Host: 10.1.2.3:8000``),
    which ``ALLOWED_HOSTS`` rightly does not list: ``/healthz``, ``/readyz`` and
    ``/metrics`` are answered here, before anything reads the host (they build no
    URL from it and ``/metrics`` has its own access control). For every other path
    a host outside ``ALLOWED_HOSTS`` gets the usual 400 and one warning naming the
    host, instead of Django's ``DisallowedHost`` stack trace per request.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        probe = PROBES.get(request.path_info)
        if probe is not None:
            return probe()(request)
        try:
            request.get_host()
        except DisallowedHost:
            host = request.META.get("HTTP_HOST", "")[:80]
            logger.warning("refused request for host %r (not in ALLOWED_HOSTS)", host)
            callback = get_resolver().resolve_error_handler(400)
            response = callback(request, DisallowedHost(f"Invalid host {host!r}"))
            response._has_been_logged = True  # the line above says it all
            return response
        return self.get_response(request)


def _metrics_view() -> Callable[[HttpRequest], HttpResponse]:
    from .metrics import metrics_view

    return metrics_view


PROBES: dict[str, Callable[[], Callable[[HttpRequest], HttpResponse]]] = {
    "/healthz": lambda: live,
    "/readyz": lambda: ready,
    "/metrics": _metrics_view,
}
