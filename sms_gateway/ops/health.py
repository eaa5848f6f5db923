"""Liveness and readiness for load balancers and orchestrators: cheap, JSON, no auth."""

from __future__ import annotations

import logging
import uuid

from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, JsonResponse

from ..providers import get_provider, provider_aliases

logger = logging.getLogger(__name__)


def live(request: HttpRequest) -> JsonResponse:
    """The process answers; nothing else is touched."""
    return JsonResponse({"status": "ok"})


def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _cache() -> None:
    key, value = "sms_gateway:readyz", uuid.uuid4().hex
    cache.set(key, value, timeout=10)
    if cache.get(key) != value:
        raise RuntimeError("cache did not keep a value")


def _providers() -> None:
    for alias in provider_aliases():
        get_provider(alias)  # built once per process, then cached


CHECKS = {"database": _database, "cache": _cache, "providers": _providers}


def ready(request: HttpRequest) -> JsonResponse:
    """Dependencies reachable: 200, or 503 naming what is not."""
    results = {}
    for name, check in CHECKS.items():
        try:
            check()
            results[name] = "ok"
        except Exception as err:  # report, never raise: this is a probe
            logger.warning("readiness: %s failed: %s", name, type(err).__name__)
            results[name] = "unavailable"
    healthy = all(value == "ok" for value in results.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "checks": results},
        status=200 if healthy else 503,
    )
