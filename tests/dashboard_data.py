"""Plausible SMS records for the dashboard: its tests, its screenshot and its 1M-row bench.

Deterministic for a seed. Nigeria through vonage is a bad route (low delivery,
slow, few conversions: what pumping looks like), the rest is healthy.
"""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta

COUNTRIES = [  # (country, calling code, weight)
    ("FR", "33", 30), ("US", "1", 20), ("GB", "44", 10), ("DE", "49", 10), ("BR", "55", 8),
    ("IN", "91", 8), ("NG", "234", 5), ("ID", "62", 4), ("ES", "34", 3), ("JP", "81", 2),
]  # fmt: skip
PROVIDERS = ["twilio", "vonage"]
COLUMNS = [
    "id", "to", "country", "type", "template_type", "requested_locale", "ui_locales", "locale",
    "body", "encoding", "segments", "route", "provider", "provider_message_id", "status",
    "error", "ip", "attempts", "created_at", "updated_at", "delivery_status", "provider_status",
    "delivery_error_code", "delivery_updated_at", "delivered_at", "delivery_ms", "converted_at",
    "flags", "is_test", "tenant_id", "refusal", "route_reason",
]  # fmt: skip


def _attempt(provider: str, ok: bool, at: datetime, rng: random.Random) -> dict:
    return {
        "provider": provider,
        "outcome": "sent" if ok else "failed",
        "started_at": at.isoformat(),
        "duration_ms": int(rng.lognormvariate(5.3, 0.5)),  # ~200 ms
        "sender": "",
        "provider_message_id": uuid.UUID(int=rng.getrandbits(128)).hex if ok else "",
        "category": "" if ok else rng.choice(["unavailable", "unavailable", "rate_limited"]),
        "error_code": "" if ok else rng.choice(["", "500", "429"]),
        "error": "" if ok else "HTTP 500",
    }


def rows(
    n: int, days: int, now: datetime, seed: int = 12, tenants: dict[int, int] | None = None
) -> Iterator[dict]:
    """``tenants``: tenant id -> weight (the default tenant's records only by default),
    drawn from a generator of its own so the other columns are the same either way."""
    rng = random.Random(seed)
    owners = random.Random(seed + 1)
    tenants = tenants or {1: 1}
    weights = [w for _, _, w in COUNTRIES]
    span = days * 86400
    for _ in range(n):
        country, code, _ = rng.choices(COUNTRIES, weights)[0]
        created = now - timedelta(seconds=rng.random() * span)
        bad_route = country == "NG"
        provider = "vonage" if bad_route or rng.random() < 0.35 else "twilio"
        attempts = []
        roll = rng.random()
        if roll < 0.03:  # guard refusal / blocked / invalid number
            status, provider = "rejected", ""
        elif roll < 0.05:
            status = "failed"
            attempts = [_attempt(p, False, created, rng) for p in PROVIDERS]
            provider = ""
        else:
            status = "sent"
            if rng.random() < 0.04:  # the first provider failed, the other took it
                other = "twilio" if provider == "vonage" else "vonage"
                attempts.append(_attempt(other, False, created, rng))
            attempts.append(_attempt(provider, True, created, rng))
        row = {
            "id": uuid.UUID(int=rng.getrandbits(128), version=4),
            "to": f"+{code}{rng.randrange(10**8, 10**9)}",
            "country": country,
            "type": "SignIn" if rng.random() < 0.8 else "Register",
            "template_type": "SignIn",
            "requested_locale": "en",
            "ui_locales": "",
            "locale": "en",
            "body": "Your sign-in code is ******.",
            "encoding": "GSM-7",
            "segments": 2 if rng.random() < 0.08 else 1,
            "route": "default",
            "provider": provider,
            "provider_message_id": attempts[-1]["provider_message_id"] if status == "sent" else "",
            "status": status,
            "error": {"sent": "", "rejected": "guard: refused"}.get(status, "all failed"),
            "ip": None,
            "attempts": attempts,
            "created_at": created,
            "updated_at": created,
            "delivery_status": "",
            "provider_status": "",
            "delivery_error_code": "",
            "delivery_updated_at": None,
            "delivered_at": None,
            "delivery_ms": None,
            "converted_at": None,
            "flags": "",
            "is_test": False,
            "tenant_id": owners.choices(list(tenants), list(tenants.values()))[0],
            "refusal": "rate_limited" if status == "rejected" else "",
            "route_reason": {},
        }
        if status == "sent":
            outcome = rng.random()
            delivered_share = 0.55 if bad_route else 0.93
            if outcome < delivered_share:
                ms = int(rng.lognormvariate(8.4 if not bad_route else 9.6, 0.6))  # ~4.4 s / 15 s
                at = created + timedelta(milliseconds=ms)
                row.update(
                    delivery_status="delivered", provider_status="delivered",
                    delivery_updated_at=at, delivered_at=at, delivery_ms=ms,
                )  # fmt: skip
                if rng.random() < (0.1 if bad_route else 0.8):
                    row["converted_at"] = at + timedelta(seconds=rng.randrange(5, 120))
            elif outcome < delivered_share + 0.04:
                row.update(
                    delivery_status="undelivered", provider_status="expired",
                    delivery_error_code="5", delivery_updated_at=created + timedelta(hours=1),
                )  # fmt: skip
            elif outcome < delivered_share + 0.06:
                row.update(delivery_status="at_carrier", provider_status="sent")
        yield row


def insert_orm(
    n: int, days: int, now: datetime, seed: int = 12, tenants: dict[int, int] | None = None
) -> None:
    from sms_gateway.models import Message

    created_at = Message._meta.get_field("created_at")
    created_at.auto_now_add = False  # keep the generated times
    try:
        records = [Message(**r) for r in rows(n, days, now, seed, tenants)]
        Message.objects.bulk_create(records, batch_size=500)
    finally:
        created_at.auto_now_add = True


def copy_into_postgres(
    conn, n: int, days: int, now: datetime, seed: int = 12, tenants: dict[int, int] | None = None
) -> None:
    """COPY ``n`` rows through a psycopg connection (fast enough for a million)."""
    names = ", ".join(f'"{c}"' for c in COLUMNS)
    sql = f"COPY sms_gateway_message ({names}) FROM STDIN"
    with conn.cursor() as cursor, cursor.copy(sql) as copy:
        for row in rows(n, days, now, seed, tenants):
            values = [row[c] for c in COLUMNS]
            values[COLUMNS.index("attempts")] = json.dumps(row["attempts"])
            values[COLUMNS.index("route_reason")] = json.dumps(row["route_reason"])
            copy.write_row(values)
