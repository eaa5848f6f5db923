"""Scale-out (issue 16, item 12): rate limits set as code reach every worker, and the
README's Production example gives every machine the same SECRET_KEY and token."""

from __future__ import annotations

import io
import random
import re
import time

import pytest
from django.core.cache import cache
from django.core.management import CommandError, call_command

from sms_gateway.catalog import snapshot
from sms_gateway.fraud.config import Limit
from sms_gateway.management.commands.ratelimits import format_window, parse_window
from sms_gateway.models import RateLimit

from .services import PROD_TOKEN, ROOT, Gunicorn, manage, production_env, require_redis


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("600", 600), ("600s", 600), ("10m", 600), ("10min", 600), ("1h", 3600), ("1d", 86400)],
)
def test_parse_window(text, seconds):
    assert parse_window(text) == seconds


@pytest.mark.parametrize("text", ["", "0", "0m", "10x", "-5", "1.5h", "m"])
def test_parse_window_refuses(text):
    with pytest.raises(ValueError, match="a number of seconds"):
        parse_window(text)


def test_format_window():
    assert [format_window(s) for s in (600, 3600, 86400, 90, 7200)] == [
        "10 min", "1 h", "1 d", "90 s", "2 h"
    ]  # fmt: skip


OPERATOR = "ops-alice"


@pytest.fixture
def operator(django_user_model):
    return django_user_model.objects.create_user(OPERATOR, password="x" * 16, is_staff=True)


def command(*args: str, user: str | None = OPERATOR) -> str:
    out = io.StringIO()
    changing = args[0] in ("set", "delete") and user is not None
    call_command("ratelimits", *args, *(["--user", user] if changing else []), stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_set_publishes_a_new_catalog_version(django_capture_on_commit_callbacks, operator):
    before = snapshot.current()
    assert Limit("recipient", 5, 600) in before.guard.limits
    version = cache.get(snapshot.VERSION_KEY)

    with django_capture_on_commit_callbacks(execute=True) as published:
        output = command("set", "recipient", "10m", "2", "--note", "tighter")
    assert "Set: 2 per 600 s per recipient number." in output
    assert published, "the change published no catalog version"
    assert cache.get(snapshot.VERSION_KEY) != version
    row = RateLimit.objects.get(scope="recipient", window_seconds=600)
    assert (row.limit, row.enabled, row.note) == (2, True, "tighter")
    assert Limit("recipient", 2, 600) in snapshot.current().guard.limits

    with django_capture_on_commit_callbacks(execute=True):
        assert "Created" in command("set", "ip", "1h", "50", "--disabled")
    assert RateLimit.objects.get(scope="ip", window_seconds=3600).enabled is False
    assert Limit("ip", 50, 3600) not in snapshot.current().guard.limits
    listing = command("list")
    assert re.search(r"recipient\s+10 min\s+2  # tighter", listing)
    assert re.search(r"ip\s+1 h\s+50  \(disabled\)", listing)

    version = cache.get(snapshot.VERSION_KEY)
    with django_capture_on_commit_callbacks(execute=True):
        command("delete", "ip", "1h")
    assert cache.get(snapshot.VERSION_KEY) != version
    assert not RateLimit.objects.filter(scope="ip", window_seconds=3600).exists()


@pytest.mark.django_db
def test_each_change_is_in_the_admin_log_with_its_operator(operator):
    from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry

    command("set", "recipient", "10m", "3")
    command("set", "ip", "1h", "50")
    command("delete", "ip", "1h")
    entries = list(LogEntry.objects.order_by("pk"))
    assert [(e.user_id, e.action_flag) for e in entries] == [
        (operator.pk, CHANGE),
        (operator.pk, ADDITION),
        (operator.pk, DELETION),
    ]
    assert entries[0].get_change_message() == (
        "Set 3 per 10 min, enabled: True (was 5, enabled: True) (sms-gateway ratelimits)"
    )
    assert "Deleted 50 per 1 h" in entries[2].get_change_message()


@pytest.mark.django_db
def test_a_change_without_its_operator_is_refused_and_changes_nothing(operator):
    with pytest.raises(CommandError, match="name the operator with --user"):
        command("set", "recipient", "10m", "3", user=None)
    with pytest.raises(CommandError, match="no admin user 'mallory'"):
        command("set", "recipient", "10m", "3", user="mallory")
    assert RateLimit.objects.get(scope="recipient", window_seconds=600).limit == 5


@pytest.mark.django_db
def test_bad_values_are_refused_and_nothing_changes(operator):
    with pytest.raises(CommandError, match="at least 1"):
        command("set", "recipient", "10m", "0")
    with pytest.raises(CommandError, match="window '10x'"):
        command("set", "recipient", "10x", "3")
    with pytest.raises(CommandError, match="no ip limit over 1 h"):
        command("delete", "ip", "1h")
    with pytest.raises(CommandError):
        command("set", "planet", "10m", "3")
    assert RateLimit.objects.get(scope="recipient", window_seconds=600).limit == 5


def test_a_limit_set_by_the_command_reaches_a_running_worker(tmp_path):
    """gunicorn serves with the limits it loaded; the command, another process, changes
    one; the worker applies it on its next look at the shared version (Redis)."""
    require_redis()
    from django.conf import settings

    env = production_env(
        DATABASE_URL=f"sqlite:///{tmp_path / 'gateway.sqlite3'}",
        CACHE_URL=settings.CACHES["default"]["LOCATION"],
        STATIC_ROOT=str(tmp_path / "static"),
        SMS_GUARD="sms_gateway.fraud.steps.rate_limits",
    )
    assert manage(env, "setup").returncode == 0
    env["DJANGO_SUPERUSER_PASSWORD"] = "a-long-operator-password"
    created = manage(env, "createsuperuser", "--noinput", "--username", "ops", "--email", "o@x.io")
    assert created.returncode == 0, created.stderr
    env["SMS_GATEWAY_OPERATOR"] = "ops"  # the deploy script's operator, for the admin log
    server = Gunicorn(env, tmp_path, workers=1)
    try:
        server.wait_ready()
        number = "336" + "".join(random.choices("0123456789", k=8))  # fresh Redis counters
        body = {"to": number, "type": "SignIn", "payload": {"code": "804317", "locale": "en"}}
        headers = {"Authorization": PROD_TOKEN, "X-Forwarded-Proto": "https"}

        def send() -> int:
            url = f"{server.url}/sms/send"
            return server.session.post(url, json=body, headers=headers, timeout=30).status_code

        assert [send(), send()] == [200, 200]  # the shipped 5 per 10 min, now loaded
        done = manage(env, "ratelimits", "set", "recipient", "10m", "1")
        assert done.returncode == 0, done.stderr
        time.sleep(settings.SMS_CATALOG_CHECK_INTERVAL + 0.5)
        # Stale, the worker would let both through (4 of 5). Applied, the second is refused
        # whether the new limit counts from zero or keeps the two already counted.
        assert [send(), send()][-1] == 429
    finally:
        server.stop()


def test_the_production_example_makes_no_secret_per_machine():
    readme = (ROOT / "README.md").read_text()
    block = re.search(r"\n## Production\n.*?```sh\n(.*?)\n```", readme, re.S).group(1)
    assert "secrets." not in block  # SECRET_KEY and the token: made once, read on every machine
    assert 'SECRET_KEY="$(cat /etc/sms-gateway/secret-key)"' in block
    scale_out = readme.split("\n### Scale-out\n", 1)[1].split("\n## ", 1)[0]
    for fact in ("SECRET_KEY", "CACHE_URL", "SMS_CATALOG_CHECK_INTERVAL", "X-Forwarded-Proto",
                 "ratelimits set"):  # fmt: skip
        assert fact in scale_out, fact
