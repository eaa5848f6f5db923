"""CPU per SMS of what tenants add to the send path: the ``Authorization`` check, the
tenant's catalog from the snapshot, and stage 1 (prepare), with two tenants configured.

    .venv/bin/python docs/bench/tenants_cpu.py [--n 20000]

In-process, no database: the snapshot is built by hand (two tenants, the shipped
templates, one route each) and installed as a worker's loaded snapshot would be. Each
line is the median of 5 runs of ``--n`` SMS, in microseconds. Run on a checkout from
before tenants, the same script measures the same three steps for its one catalog
(the default tenant's line), so the two can be compared.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

A_TOKEN, B_TOKEN = "Bearer default-tenant-token", "Bearer second-tenant-token"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=20000)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sms_gateway.settings")
    os.environ.setdefault("DEBUG", "1")
    import django

    django.setup()
    from django.conf import settings

    from sms_gateway.api.authentication import GatewayTokenAuthentication
    from sms_gateway.catalog import snapshot
    from sms_gateway.catalog.defaults import shipped
    from sms_gateway.core.composition import TextOptions
    from sms_gateway.core.phone import parse
    from sms_gateway.core.routing import Hop, RouteRule
    from sms_gateway.sending.prepare import prepare
    from sms_gateway.sending.state import SmsRequest

    settings.SMS_GATEWAY_TOKENS = [A_TOKEN]
    settings.SMS_CATALOG_CHECK_INTERVAL = 1e9
    route = (RouteRule(prefix="49", hops=(Hop("twilio"), Hop("vonage"))),)
    multi = hasattr(snapshot, "Snapshot")
    if multi:
        from sms_gateway.core.tenants import token_digest

        catalogs = {
            1: snapshot.Catalog(shipped(), route),
            2: snapshot.Catalog({**shipped(), ("SignIn", "de"): "B: {{code}}"}, route),
        }
        snapshot._state.snapshot = snapshot.Snapshot(catalogs, {token_digest(B_TOKEN): 2})
        cases = [("default tenant", A_TOKEN), ("second tenant", B_TOKEN)]
    else:
        snapshot._state.catalog = snapshot.Catalog(shipped(), route)
        cases = [("default tenant (before tenants)", A_TOKEN)]
    snapshot._state.version, snapshot._state.checked = "bench", time.monotonic()

    class Http:
        def __init__(self, token: str) -> None:
            self.META = {"HTTP_AUTHORIZATION": token}

    auth = GatewayTokenAuthentication()
    options = TextOptions.from_settings()
    print(f"authenticate + snapshot + prepare per SMS, median of 5 runs of {args.n}:")
    for name, token in cases:
        http = Http(token)
        ids = [uuid.uuid4() for _ in range(args.n)]
        runs = []
        for _ in range(5):
            started = time.process_time()
            for message_id in ids:
                tenant = auth.authenticate(http)[1]
                if multi:
                    catalog = snapshot.current(tenant)
                    request = SmsRequest(
                        to=parse("4915112345678"),
                        type="SignIn",
                        payload={"code": "123456", "locale": "de"},
                        tenant=tenant,
                    )
                else:
                    catalog = snapshot.current()
                    request = SmsRequest(
                        to=parse("4915112345678"),
                        type="SignIn",
                        payload={"code": "123456", "locale": "de"},
                    )
                prepare(request, catalog, "en", message_id, options)
            runs.append((time.process_time() - started) / args.n * 1e6)
        print(f"  {name:<32} {statistics.median(runs):7.1f} µs  (runs: "
              + ", ".join(f"{r:.1f}" for r in runs) + ")")  # fmt: skip


if __name__ == "__main__":
    main()
