"""Templates, routes and the guard's settings as one in-process snapshot, reloaded
only when they change.

The hot path reads no table and, most of the time, not even the cache: at most
once per ``SMS_CATALOG_CHECK_INTERVAL`` seconds a process compares its
snapshot's version with one key in the shared cache (Redis in production). A
save or delete of a template or route writes a new version there, so every
other process reloads within that interval; the process that saved reloads at
once.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save

from ..core import route_rules as rules
from ..core import sealed
from ..core import senders as sender_policy
from ..core.routing import Hop, RouteRule
from ..core.tenants import DEFAULT_TENANT_ID
from ..fraud import config as guard
from ..fraud.config import GuardConfig
from ..models import (
    BlockedPrefix,
    Budget,
    CountryPolicy,
    Price,
    RateLimit,
    Route,
    RouteProvider,
    SafeNumber,
    SenderRule,
    Template,
    Tenant,
    TenantToken,
)
from ..ops import webhook_keys as unreadable_keys
from ..ops.redis_cache import shared_client
from .defaults import seed_tenant, shipped

logger = logging.getLogger(__name__)

VERSION_KEY = "sms_gateway:catalog-version"


@dataclass(frozen=True)
class Catalog:
    templates: dict[tuple[str, str], str]  # (type, locale) -> text
    routes: tuple[RouteRule, ...]
    guard: GuardConfig = field(default_factory=GuardConfig)  # the fraud guard's settings
    senders: tuple[sender_policy.SenderRule, ...] = ()  # sender rules per country
    locales: dict[str, tuple[str, ...]] = field(init=False)  # type -> its locales

    def __post_init__(self) -> None:
        by_type: dict[str, list[str]] = {}
        for kind, locale in self.templates:
            by_type.setdefault(kind, []).append(locale)
        object.__setattr__(self, "locales", {k: tuple(v) for k, v in by_type.items()})

    def locales_for(self, message_type: str) -> tuple[str, ...]:
        return self.locales.get(message_type, ())


@dataclass(frozen=True)
class Snapshot:
    """Every tenant's catalog, and which tenant each stored ``Authorization`` value opens."""

    catalogs: dict[int, Catalog]
    tokens: dict[str, int] = field(default_factory=dict)  # SHA-256 of a value -> tenant
    # (key, tenant) for each Logto webhook signing key stored (SMS_LOGTO_WEBHOOK_KEYS apart)
    webhook_keys: tuple[tuple[str, int], ...] = ()


_lock = threading.Lock()


class _State:
    version: str | None = None  # the shared version the snapshot was loaded at
    snapshot: Snapshot | None = None
    checked: float = float("-inf")  # time.monotonic() of the last look at the shared version


_state = _State()


def load() -> Catalog:
    """The default tenant's catalog, read now (a single-tenant install's)."""
    return load_all().catalogs[DEFAULT_TENANT_ID]


def load_all() -> Snapshot:
    """One query per table for every tenant together; a tenant's templates are the
    shipped texts under its own (the default tenant's rows hold the shipped texts)."""
    tenants = list(Tenant.objects.values_list("pk", flat=True)) or [DEFAULT_TENANT_ID]
    tenants = list(dict.fromkeys([DEFAULT_TENANT_ID, *tenants]))
    rows: dict[int, dict[tuple[str, str], str]] = {}
    for tenant, kind, locale, text in Template.objects.values_list(
        "tenant_id", "type", "locale", "text"
    ):
        rows.setdefault(tenant, {})[(kind, locale)] = text
    hops: dict[int, list[Hop]] = {}
    weights: dict[int, list[int]] = {}
    for hop in RouteProvider.objects.order_by("route_id", "position", "id"):
        hops.setdefault(hop.route_id, []).append(Hop(hop.provider, hop.sender))
        weights.setdefault(hop.route_id, []).append(hop.weight)
    # Weighted, adaptive and least-cost routes carry their shares (core/route_rules.py).
    routes: dict[int, list[RouteRule]] = {}
    for route in Route.objects.all():
        routes.setdefault(route.tenant_id, []).append(
            rules.build(
                route.prefix,
                route.country,
                route.mode,
                hops.get(route.pk, ()),
                weights.get(route.pk, ()),
                route.plan,
            )
        )
    senders: dict[int, list[sender_policy.SenderRule]] = {}
    for rule in SenderRule.objects.all():
        senders.setdefault(rule.tenant_id, []).append(
            sender_policy.SenderRule(
                rule.country,
                rule.provider,
                rule.alphanumeric,
                rule.registered,
                rule.number_sender,
                rule.dlt_entity_id,
                dict(rule.dlt_template_ids or {}),
            )
        )
    guards = guard.load_all(tenants)
    catalogs = {}
    for tenant in tenants:
        templates = rows.get(tenant, {})
        if tenant != DEFAULT_TENANT_ID:
            templates = {**shipped(), **templates}
        tenant_routes = routes.get(tenant, [])
        if not any(not r.prefix and not r.country for r in tenant_routes):
            default = tuple(Hop(alias) for alias in settings.SMS_DEFAULT_PROVIDERS)
            tenant_routes.append(RouteRule(hops=default))
        catalogs[tenant] = Catalog(
            templates, tuple(tenant_routes), guards[tenant], tuple(senders.get(tenant, ()))
        )
    tokens = dict(TenantToken.objects.values_list("digest", "tenant_id"))
    return Snapshot(catalogs, tokens, _webhook_keys())


def _webhook_keys() -> tuple[tuple[str, int], ...]:
    """Every tenant's keys, decrypted here once per load (no cost per webhook); a
    tenant's that cannot be decrypted are left out, and said (ops/webhook_keys.py)."""
    keys: list[tuple[str, int]] = []
    unreadable: dict[int, str] = {}
    for tenant in Tenant.objects.exclude(logto_webhook_keys=""):
        try:
            keys += [(key, tenant.pk) for key in tenant.webhook_keys]
        except sealed.Unreadable:
            unreadable[tenant.pk] = tenant.slug
    unreadable_keys.loaded(unreadable)
    return tuple(keys)


_cache_failing = False  # said once per outage, not at every version check


def _shared_version() -> str | None:
    global _cache_failing
    try:
        version = cache.get(VERSION_KEY)
        if version is None:
            cache.add(VERSION_KEY, uuid.uuid4().hex, timeout=None)
            version = cache.get(VERSION_KEY)
    except Exception:  # the cache is down: correctness first, read the tables
        if not _cache_failing:
            _cache_failing = True
            # Redis unreachable: the cache's breaker has said so at ERROR already.
            client = shared_client()
            level = (
                logging.INFO if client is not None and client.breaker.is_open else logging.WARNING
            )
            logger.log(level, "cache unavailable; reading templates and routes from the database")
        return None
    if _cache_failing:
        _cache_failing = False
        logger.info("cache available again; templates and routes follow its version")
    return version


# The version of a snapshot read from the database while the cache was down.
NO_CACHE = "(cache unavailable)"


def current(tenant: int = DEFAULT_TENANT_ID) -> Catalog:
    """One tenant's catalog (a tenant created since the last load: the next load's)."""
    catalogs = snapshot().catalogs
    if tenant not in catalogs:
        catalogs = _reload().catalogs
    if tenant not in catalogs:
        raise LookupError(f"no tenant {tenant}")
    return catalogs[tenant]


def tenant_of(digest: str) -> int | None:
    """The tenant a stored ``Authorization`` value opens (its SHA-256), or None."""
    return snapshot().tokens.get(digest)


def snapshot() -> Snapshot:
    now = time.monotonic()
    if (
        _state.snapshot is not None
        and _state.version is not None
        and now - _state.checked < settings.SMS_CATALOG_CHECK_INTERVAL
    ):
        return _state.snapshot
    version = _shared_version()
    if version is not None and _state.version == version and _state.snapshot is not None:
        _state.checked = now
        return _state.snapshot
    # Changed, never loaded, or the cache is down: then the tables are read at most
    # once per interval, so a dead cache costs nothing per request.
    return _reload(version)


def _reload(version: str | None = None) -> Snapshot:
    loaded = load_all()
    with _lock:
        _state.version = version if version is not None else NO_CACHE
        _state.snapshot, _state.checked = loaded, time.monotonic()
    return loaded


def invalidate() -> None:
    _state.version = None
    try:
        cache.set(VERSION_KEY, uuid.uuid4().hex, timeout=None)
    except Exception:
        logger.exception("could not publish a new catalog version; other workers may be stale")


def publish_on_commit() -> None:
    """This process stops trusting its snapshot at once; the others learn of the
    change when it is committed (also for writes without signals: routing/plans.py)."""
    _state.version = None
    transaction.on_commit(invalidate)


def _changed(sender: type, **kwargs: object) -> None:
    publish_on_commit()


post_save.connect(seed_tenant, sender=Tenant, dispatch_uid="tenant-seed")
for _model in (
    *(Template, Route, RouteProvider, RateLimit, CountryPolicy, BlockedPrefix, SafeNumber),
    *(Budget, SenderRule, Price, Tenant, TenantToken),
):
    post_save.connect(_changed, sender=_model, dispatch_uid=f"catalog-save-{_model.__name__}")
    post_delete.connect(_changed, sender=_model, dispatch_uid=f"catalog-delete-{_model.__name__}")
