"""Time every admin page on 1,000,000 records, served in the production shape.

    .venv/bin/python docs/bench/admin_1m.py [--rows 1000000] [--days 90] [--repeat 7]

Starts a throwaway PostgreSQL (its default settings) and Redis (tests/throwaway.py),
migrates to 0005, COPYs generated records (tests/dashboard_data.py, spread here
over 47 countries, 3 providers, Logto's nine types and the 21 shipped locales,
with a few records of +33612345678 and of numbers that contain its digits),
runs VACUUM ANALYZE, then times migration 0007 (the filters' indexes, built
concurrently), ``manage.py rollup_deliveries`` on the cold table, and serves
the project with gunicorn (``DEBUG=0``, the project's gunicorn config, 2
workers). A superuser logs in with a requests session and each page is fetched
once to warm up, then ``--repeat`` times: the table gives the median, min and
max wall time of the whole HTTP request, and checks what the searches return.
Nothing is left behind.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

TARGET = "+33612345678"
TARGET_RECORDS = 12
NEIGHBOURS = {"+33612345679": 5, "+8615012568479": 3, "+491612345678": 3, "+31612345678": 3}
PROVIDER_ID = "SMbench00000000000000000000000001"
COUNTRIES = [  # 47 countries, the first ones most of the traffic
    "FR", "US", "GB", "DE", "BR", "IN", "NG", "ID", "ES", "JP", "IT", "MX", "CA", "NL", "PL",
    "TR", "PH", "VN", "TH", "EG", "KE", "ZA", "AR", "CO", "PE", "CL", "SA", "AE", "PK", "BD",
    "RU", "UA", "SE", "NO", "DK", "FI", "BE", "CH", "AT", "PT", "GR", "CZ", "RO", "HU", "IL",
    "KR", "AU",
]  # fmt: skip
LOCALES = [  # the 21 shipped locales, English and French most of it, Thai rare
    ("en", 40), ("fr", 15), ("de", 8), ("es", 6), ("pt-BR", 5), ("ja", 3), ("it", 3),
    ("zh-CN", 3), ("ko", 2), ("ru", 2), ("tr-TR", 2), ("pl-PL", 2), ("ar", 2), ("es-MX", 2),
    ("uk-UA", 1), ("cs", 1), ("fa-IR", 1), ("pt-PT", 1), ("zh-TW", 1), ("zh-HK", 1), ("th", 0.2),
]  # fmt: skip
TYPES = [
    ("SignIn", 70), ("Register", 12), ("ForgotPassword", 6), ("MfaVerification", 6),
    ("BindNewIdentifier", 2), ("UserPermissionValidation", 2), ("Generic", 1),
    ("OrganizationInvitation", 0.8), ("BindMfa", 0.2),
]  # fmt: skip


def spread(rows, seed: int = 19):  # noqa: ANN001, ANN201
    """dashboard_data's rows over more countries, providers, types and locales."""
    import phonenumbers

    rng = random.Random(seed)
    codes = {c: phonenumbers.country_code_for_region(c) for c in COUNTRIES}
    weights = [1 / (i + 1) for i in range(len(COUNTRIES))]
    locales, locale_weights = zip(*LOCALES, strict=True)
    types, type_weights = zip(*TYPES, strict=True)
    for row in rows:
        country = rng.choices(COUNTRIES, weights)[0]
        row["country"] = country
        row["to"] = f"+{codes[country]}{rng.randrange(10**8, 10**9)}"
        row["locale"] = row["requested_locale"] = rng.choices(locales, locale_weights)[0]
        row["type"] = row["template_type"] = rng.choices(types, type_weights)[0]
        if row["provider"] == "twilio" and rng.random() < 0.3:
            row["provider"] = "twilio-eu"
        if row["status"] == "sent" and rng.random() < 0.0001:
            row["status"] = "unknown"  # rare: a worker died mid-send
        if row["delivery_status"] == "undelivered" and rng.random() < 0.01:
            row["delivery_status"] = "dropped"  # rare
        yield row


def planted(now: datetime):  # noqa: ANN201
    """The records the searches must find, and the neighbours they must not."""
    rng = random.Random(7)
    numbers = [(TARGET, TARGET_RECORDS), *NEIGHBOURS.items()]
    for number, count in numbers:
        for i in range(count):
            created = now - timedelta(days=rng.random() * 89)
            yield {
                "id": uuid.uuid4(), "to": number, "country": "FR", "type": "SignIn",
                "template_type": "SignIn", "requested_locale": "fr", "ui_locales": "",
                "locale": "fr", "body": "Votre code est ******.", "encoding": "GSM-7",
                "segments": 1, "route": "default", "provider": "twilio",
                "provider_message_id": PROVIDER_ID if (number == TARGET and i == 0) else "",
                "status": "sent", "error": "", "ip": None, "attempts": [],
                "created_at": created, "updated_at": created, "delivery_status": "",
                "provider_status": "", "delivery_error_code": "", "delivery_updated_at": None,
                "delivered_at": None, "delivery_ms": None, "converted_at": None, "flags": "",
            }  # fmt: skip


def copy_rows(conn, rows) -> None:  # noqa: ANN001
    from tests.dashboard_data import COLUMNS

    names = ", ".join(f'"{c}"' for c in COLUMNS)
    with (
        conn.cursor() as cursor,
        cursor.copy(f"COPY sms_gateway_message ({names}) FROM STDIN") as cp,
    ):
        for row in rows:
            values = [row[c] for c in COLUMNS]
            values[COLUMNS.index("attempts")] = json.dumps(row["attempts"])
            cp.write_row(values)


def manage(env: dict, *args: str) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if done.returncode:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{done.stderr[-3000:]}")
    return time.perf_counter() - started, done.stdout.strip()


def login(base: str):  # noqa: ANN201
    from bench.servers import session

    http = session()
    page = http.get(f"{base}/admin/login/", timeout=30)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    answer = http.post(
        f"{base}/admin/login/",
        data={"csrfmiddlewaretoken": token, "username": "bench", "password": "bench-password"},
        headers={"Referer": f"{base}/admin/login/"},
        timeout=30,
    )
    if "sessionid" not in http.cookies:
        raise RuntimeError(f"login failed: {answer.status_code}")
    return http


def numbers_listed(html: str) -> list[str]:
    return re.findall(r'<td class="field-to">([^<]*)</td>', html)


def count_said(html: str) -> str:
    found = re.search(r'<p class="paginator">(.*?)</p>', html, re.S)
    text = " ".join(re.sub(r"<[^>]+>", " ", found.group(1)).split()) if found else ""
    said = re.search(r"more than [\d,]+ messages|\d+ messages?\b", text)
    return said.group() if said else text


def main() -> None:  # noqa: PLR0915
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()

    import psycopg

    from bench.servers import project_env, project_server
    from tests.dashboard_data import rows
    from tests.throwaway import PostgresCluster, RedisServer

    with (
        PostgresCluster() as pg,
        RedisServer() as redis,
        tempfile.TemporaryDirectory(prefix="admin-1m-") as scratch,
    ):
        url = pg.create_database("admin")
        providers = {
            alias: {
                "BACKEND": "sms_gateway.providers.twilio.TwilioProvider",
                "OPTIONS": {
                    "ACCOUNT_SID": "AC" + "0" * 32,
                    "AUTH_TOKEN": "x",
                    "FROM": "+15005550006",
                },
            }
            for alias in ("twilio", "twilio-eu")
        }
        providers["vonage"] = {
            "BACKEND": "sms_gateway.providers.vonage.VonageProvider",
            "OPTIONS": {"API_KEY": "k", "API_SECRET": "s", "FROM": "Acme"},
        }
        env = project_env(
            ROOT, url, redis.url(), "http://127.0.0.1:9", Path(scratch),
            {
                "SMS_PROVIDERS": json.dumps(providers),
                "SESSION_COOKIE_SECURE": "0",
                "CSRF_COOKIE_SECURE": "0",
                "SMS_ADMIN_REGION": "FR",
                "GUNICORN_ACCESS_LOG": "",
            },
        )  # fmt: skip
        manage(env, "migrate", "sms_gateway", "0005")
        now = datetime.now(UTC)
        t0 = time.perf_counter()
        with psycopg.connect(url, autocommit=True) as conn:
            copy_rows(conn, spread(rows(args.rows, args.days, now)))
            copy_rows(conn, planted(now))
            conn.execute("VACUUM ANALYZE sms_gateway_message")
        print(
            f"{args.rows:,} rows over {args.days} days loaded in {time.perf_counter() - t0:.0f} s"
        )

        seconds, _ = manage(env, "migrate", "sms_gateway", "0007")
        print(f"migration 0007 (5 indexes, CREATE INDEX CONCURRENTLY): {seconds:.1f} s")
        seconds, said = manage(env, "rollup_deliveries")
        print(f"rollup_deliveries, cold: {seconds:.1f} s with Django's start ({said})")
        seconds, said = manage(env, "rollup_deliveries")
        print(f"rollup_deliveries, again: {seconds:.1f} s ({said})")
        manage(env, "setup")
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("VACUUM ANALYZE sms_gateway_message")
            size = conn.execute(
                "SELECT pg_size_pretty(pg_total_relation_size('sms_gateway_message'))"
            ).fetchone()[0]
            expected = conn.execute(
                'SELECT count(*) FROM sms_gateway_message WHERE "to" = %s', [TARGET]
            ).fetchone()[0]
            detail = conn.execute(
                "SELECT id FROM sms_gateway_message WHERE provider_message_id = %s", [PROVIDER_ID]
            ).fetchone()[0]
        print(f"table with indexes: {size}")
        manage(
            env,
            "shell",
            "-c",
            "from django.contrib.auth.models import User; "
            "User.objects.create_superuser('bench', password='bench-password')",
        )

        server = project_server(env, ROOT, Path(scratch) / "gunicorn.log")
        with server:
            server.wait_ready()
            http = login(server.url)
            m = "/admin/sms_gateway/message/"
            pages = [
                ("Messages, unfiltered", m, {}),
                ("  status = failed", m, {"status__exact": "failed"}),
                ("  status = unknown (rare)", m, {"status__exact": "unknown"}),
                ("  delivery = delivered", m, {"delivery_status__exact": "delivered"}),
                ("  delivery = dropped (rare)", m, {"delivery_status__exact": "dropped"}),
                ("  type = BindMfa (rare)", m, {"type": "BindMfa"}),
                ("  provider = twilio-eu", m, {"provider": "twilio-eu"}),
                ("  country = KE", m, {"country": "KE"}),
                ("  locale = th (rare)", m, {"locale": "th"}),
                (
                    "  date: past 7 days",
                    m,
                    {
                        "created_at__gte": (now - timedelta(days=6)).strftime(
                            "%Y-%m-%d 00:00:00+00:00"
                        ),
                        "created_at__lt": (now + timedelta(days=1)).strftime(
                            "%Y-%m-%d 00:00:00+00:00"
                        ),
                    },
                ),  # fmt: skip
                ("  status failed + country DE", m, {"status__exact": "failed", "country": "DE"}),
                ("search '+33 6 12 34 56 78'", m, {"q": "+33 6 12 34 56 78"}),
                ("search '0033612345678'", m, {"q": "0033612345678"}),
                ("search '06 12 34 56 78'", m, {"q": "06 12 34 56 78"}),
                ("search provider id", m, {"q": PROVIDER_ID}),
                ("message detail", f"{m}{detail}/change/", {}),
                ("dashboard, 7 days", "/admin/sms_gateway/deliverydashboard/", {"days": 7}),
                ("dashboard, 30 days", "/admin/sms_gateway/deliverydashboard/", {"days": 30}),
                ("dashboard, 90 days", "/admin/sms_gateway/deliverydashboard/", {"days": 90}),
                ("templates list", "/admin/sms_gateway/template/", {}),
                ("routes list", "/admin/sms_gateway/route/", {}),
                ("admin index", "/admin/", {}),
            ]
            print("\n| page | median ms | min | max | what it shows |\n|---|--:|--:|--:|---|")
            worst = 0.0
            for name, path, params in pages:
                answer = http.get(server.url + path, params=params, timeout=60)  # warm up
                assert answer.status_code == 200, (name, answer.status_code)
                times = []
                for _ in range(args.repeat):
                    t = time.perf_counter()
                    answer = http.get(server.url + path, params=params, timeout=60)
                    times.append((time.perf_counter() - t) * 1000)
                    assert answer.status_code == 200, (name, answer.status_code)
                shows = count_said(answer.text) if path == m else ""
                if name.startswith("search"):
                    listed = numbers_listed(answer.text)
                    wanted = 1 if "provider" in name else expected
                    exact = set(listed) == {TARGET} and len(listed) == wanted
                    shows = f"{len(listed)} records, all {TARGET}: {'yes' if exact else 'NO'}"
                    assert exact, (name, listed)
                median = statistics.median(times)
                worst = max(worst, median)
                low, high = min(times), max(times)
                print(f"| {name.strip()} | {median:.0f} | {low:.0f} | {high:.0f} | {shows} |")
            print(f"\nslowest median: {worst:.0f} ms; {expected} records of {TARGET} in the table")
            http.close()


if __name__ == "__main__":
    main()
