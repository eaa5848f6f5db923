"""The project with two tenants (``python -m bench --tenants``): its setup and what it sent.

The default tenant is the single-tenant project's (``SMS_GATEWAY_TOKENS``, the
shipped templates, ``SMS_DEFAULT_PROVIDERS``); the second is added as an
operator would, in the project's own models (``manage.py shell -c``): a Tenant
with its own TenantToken, an overridden template for the text the load asks for
(SignIn, fr), its own route for +33 through its own provider alias (another
Twilio account on the same fake provider) and a rate limit of its own beside the
shipped ones a new tenant starts with. The load alternates the two tokens.
"""

# ruff: noqa: S603, S608 (the command and the query are built here, from constants)

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import redis

from . import servers

SLUG = "staging"
TOKEN = "Bearer bench-staging"
TOKENS = (servers.TOKEN, TOKEN)  # the load alternates them, one request each
ALIAS = "twilio-staging"
ACCOUNT_SID = "AC" + "1" * 32
TEXT = "Staging : votre code de connexion est {{code}}. Il expire dans {{validity}}."
# What the record's body starts with (the code is masked in it, the text is not).
BODY_PREFIX = "Staging : "

SETUP = f"""
from sms_gateway.core.tenants import token_digest
from sms_gateway.models import RateLimit, Route, RouteProvider, Template, Tenant, TenantToken

def saved(obj):
    obj.full_clean()
    obj.save()
    return obj

tenant = saved(Tenant(slug={SLUG!r}, name={SLUG.title()!r}))
saved(TenantToken(tenant=tenant, label="bench connector", digest=token_digest({TOKEN!r})))
saved(Template(tenant=tenant, type="SignIn", locale="fr", text={TEXT!r}, is_customized=True))
route = saved(Route(tenant=tenant, prefix="33", description="its own Twilio account"))
saved(RouteProvider(route=route, position=0, provider={ALIAS!r}))
saved(RateLimit(tenant=tenant, scope="recipient", limit=3, window_seconds=3600,
                note="its own, beside the shipped ones"))
print("TENANT", tenant.pk, RateLimit.objects.filter(tenant=tenant).count())
"""

# After the run: the records of each tenant, with the provider alias that sent
# them and whether the body is the tenant's own text.
RECORDS = (
    "SELECT tenant_id, provider, status, count(*), "
    f"count(*) FILTER (WHERE body LIKE '{BODY_PREFIX}%') "
    "FROM sms_gateway_message GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"
)


def providers(provider_url: str) -> str:
    """``SMS_PROVIDERS`` with the second tenant's alias: another account, same fake."""
    own = {
        "BACKEND": "sms_gateway.providers.twilio.TwilioProvider",
        "OPTIONS": {
            "ACCOUNT_SID": ACCOUNT_SID,
            "AUTH_TOKEN": "y",
            "FROM": "+15005550007",
            "API_BASE_URL": provider_url,
        },
    }
    return json.dumps({**servers.providers(provider_url), ALIAS: own})


def add_second_tenant(env: dict[str, str], project: Path, log: Path) -> int:
    """Run ``SETUP`` in the project (after ``manage.py setup``); the new tenant's id."""
    with log.open("w") as out:
        done = subprocess.run(
            [sys.executable, "manage.py", "shell", "-c", SETUP],
            cwd=project,
            env=env,
            stdout=subprocess.PIPE,
            stderr=out,
            text=True,
            timeout=300,
        )
        out.write(done.stdout)
    found = [line.split() for line in done.stdout.splitlines() if line.startswith("TENANT ")]
    if done.returncode or not found:
        raise RuntimeError(f"adding the second tenant failed:\n{log.read_text()[-3000:]}")
    return int(found[-1][1])


def records(rows: list[tuple]) -> dict[int, dict[str, int]]:
    """Per tenant: its records, those sent, through its own alias, with its own text."""
    found: dict[int, dict[str, int]] = {}
    for tenant, provider, status, count, own_text in rows:
        seen = found.setdefault(tenant, {"records": 0, "sent": 0, "own alias": 0, "own text": 0})
        seen["records"] += count
        seen["sent"] += count if status == "sent" else 0
        seen["own alias"] += count if provider == ALIAS else 0
        seen["own text"] += own_text
    return found


def counter_keys(url: str, tenant: int) -> tuple[int, int]:
    """Keys in the project's Redis db: the tenant's own counters (``t<id>:``), and all."""
    client = redis.Redis.from_url(url)
    try:
        own = total = 0
        for key in client.scan_iter(count=1000):
            total += 1
            own += f":t{tenant}:".encode() in key
        return own, total
    finally:
        client.close()
