"""CPU per SMS of stage 1 (prepare: locale, template, text, route) for each route mode.

    .venv/bin/python docs/bench/route_modes_cpu.py [--n 20000]

In-process, no database: the catalog snapshot is built by hand with one route to
+49 in each mode (two providers), and ``prepare`` runs ``--n`` times per mode; the
median of 5 runs, in microseconds per SMS. The difference between a weighted,
adaptive or least-cost route and an ordered one is all a mode costs the send path
(its shares are in the snapshot; nothing else is read).
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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=20000)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sms_gateway.settings")
    os.environ.setdefault("DEBUG", "1")
    import django

    django.setup()
    from sms_gateway.catalog.defaults import shipped
    from sms_gateway.catalog.snapshot import Catalog
    from sms_gateway.core import route_rules as rules
    from sms_gateway.core.composition import TextOptions
    from sms_gateway.core.phone import parse
    from sms_gateway.core.routing import Hop
    from sms_gateway.sending.prepare import prepare
    from sms_gateway.sending.state import SmsRequest

    templates = shipped()
    hops = (Hop("twilio"), Hop("vonage"))
    plan = {
        "shares": {"twilio": 0.3, "vonage": 0.7},
        "order": ["vonage", "twilio"],
        "computed_at": "2026-12-01T15:00:00+00:00",
        "reason": "twilio 50%→30% (score 0.60)",
        "scores": {"twilio": 0.6, "vonage": 0.95},
    }
    request = SmsRequest(
        to=parse("4915112345678"), type="SignIn", payload={"code": "123456", "locale": "de"}
    )
    options = TextOptions.from_settings()
    print(f"prepare() per SMS, median of 5 runs of {args.n}:")
    for mode in ("ordered", "weighted", "adaptive", "least_cost"):
        catalog = Catalog(templates, (rules.build("49", "", mode, hops, (1, 1), plan),))
        ids = [uuid.uuid4() for _ in range(args.n)]
        runs = []
        for _ in range(5):
            started = time.process_time()
            for message_id in ids:
                prepare(request, catalog, "en", message_id, options)
            runs.append((time.process_time() - started) / args.n * 1e6)
        print(f"  {mode:<11} {statistics.median(runs):7.1f} µs")


if __name__ == "__main__":
    main()
