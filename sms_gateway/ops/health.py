"""Liveness and readiness for load balancers and orchestrators: cheap, JSON, no auth."""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable

from django.core.cache import cache
from django.core.exceptions import DisallowedHost
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import get_resolver

from ..providers import get_provider, provider_aliases

logger = logging.getLogger(__name__)


def live(request: HttpRequest) -> JsonResponse:
    """The process answers; nothing else is touched."""
    return JsonResponse({"status": "ok"})


def _database_with(wrapper: object, params: dict) -> Callable[[], None]:
    """A check on a connection of its own (not the pool's, not a thread's), so it can
    run in another thread and a broken server cannot hide behind a pooled connection."""
    params = {k: v for k, v in params.items() if k != "pool"}

    def _database() -> None:
        raw = wrapper.Database.connect(**params)  # type: ignore[attr-defined]
        try:
            raw.cursor().execute("SELECT 1")
        finally:
            raw.close()

    return _database


def _database() -> None:
    _database_with(connection, connection.get_connection_params())()


def _cache() -> None:
    key, value = "sms_gateway:readyz", uuid.uuid4().hex
    cache.set(key, value, timeout=10)
    if cache.get(key) != value:
        raise RuntimeError("cache did not keep a value")


def _providers() -> None:
    for alias in provider_aliases():
        get_provider(alias)  # built once per process, then cached


CHECKS = {"database": _database, "cache": _cache, "providers": _providers}


# A probe answers within this, however a dependency hangs; a check still running
# then is reported unavailable (its thread ends with the dependency's own timeout).
READY_BUDGET_SECONDS = 0.8


def _run(check: Callable[[], None]) -> str:
    try:
        check()
        return "ok"
    except Exception as err:  # report, never raise: this is a probe
        logger.warning("readiness: %s failed: %s", check.__name__.strip("_"), type(err).__name__)
        return "unavailable"


def ready(request: HttpRequest) -> JsonResponse:
    """Dependencies reachable: 200, or 503 naming what is not, within a second."""
    results = dict.fromkeys(CHECKS, "unavailable")
    finished = threading.Event()
    pending = set(CHECKS)
    lock = threading.Lock()

    def work(name: str, check: Callable[[], None]) -> None:
        outcome = _run(check)
        with lock:
            results[name] = outcome
            pending.discard(name)
            if not pending:
                finished.set()

    for name, check in CHECKS.items():
        if name == "database":  # its parameters are read here, in the request's thread
            params = connection.get_connection_params()
            check = _database_with(connection, params)
        threading.Thread(
            target=work, args=(name, check), name=f"readyz-{name}", daemon=True
        ).start()
    finished.wait(READY_BUDGET_SECONDS)
    with lock:
        answer = dict(results)
        for name in pending:
            answer[name] = "unavailable"
    healthy = all(value == "ok" for value in answer.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "checks": answer},
        status=200 if healthy else 503,
    )


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
