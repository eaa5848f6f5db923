"""Tenants as the send path sees them: an id from the ``Authorization`` value.

Pure: the value's digest is looked up in the catalog snapshot (no query per SMS),
and every counter a tenant owns is named with its own prefix. The default tenant
(an upgraded single-tenant install) keeps the names it always had, so its counters
survive the upgrade.
"""

from __future__ import annotations

import hashlib

DEFAULT_TENANT_ID = 1


def token_digest(value: str) -> str:
    """What is stored of an ``Authorization`` value (TenantToken.digest): its SHA-256."""
    return hashlib.sha256(value.encode()).hexdigest()


def counter_key(tenant: int, key: str) -> str:
    """A per-tenant counter's key (rate limits, spend): the default tenant's as before."""
    return key if tenant == DEFAULT_TENANT_ID else f"t{tenant}:{key}"
