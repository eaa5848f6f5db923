"""Issue 17, one test (or a few) per finding, each failing on the code before the fix
(642d5f5): view-only staff changing data through actions (1); the test SMS's gating
and trace (2); login throttling (3); CSV formula injection (6); passwords and
sessions (7); the Content-Security-Policy (8)."""

from __future__ import annotations

import csv
import html
import io
import logging
import re
import shutil
from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.utils import timezone

from sms_gateway.admin import login_throttle
from sms_gateway.admin.messages import _cell
from sms_gateway.models import BlockedPrefix, Message, Route, Template

from .conftest import TOKEN, logto_body
from .throwaway import RedisServer, redis_cache_settings

pytestmark = pytest.mark.django_db

A = "/admin/sms_gateway"
TEST_SMS = f"{A}/message/test-sms/"
PASSWORD = "a-long-password-1"


def staff(django_user_model, name: str, *codenames: str):
    user = django_user_model.objects.create_user(name, password=PASSWORD, is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    return user


# --- 1. view-only staff and admin actions --------------------------------------------


def test_1_a_view_only_user_can_neither_unblock_a_prefix_nor_reset_a_template(
    client, django_user_model
):
    block = BlockedPrefix.objects.create(
        prefix="33655500", reason="pumping", until=timezone.now() + timedelta(hours=12)
    )
    template = Template.objects.get(type="SignIn", locale="en")
    Template.objects.filter(pk=template.pk).update(text="Custom {{code}}", is_customized=True)
    client.force_login(staff(django_user_model, "viewer", "view_blockedprefix", "view_template"))

    listing = client.get(f"{A}/blockedprefix/").content.decode()
    assert 'value="unblock"' not in listing  # not even offered
    client.post(f"{A}/blockedprefix/", {"action": "unblock", "_selected_action": [block.pk]})
    client.post(
        f"{A}/template/",
        {"action": "reset_to_shipped", "_selected_action": [template.pk], "post": "yes"},
    )
    block.refresh_from_db()
    template.refresh_from_db()
    assert block.unblocked_at is None
    assert (template.text, template.is_customized) == ("Custom {{code}}", True)


def test_1_an_unblock_is_in_the_admin_log_with_who_did_it(admin_client, admin_user):
    block = BlockedPrefix.objects.create(
        prefix="33655500", reason="pumping", until=timezone.now() + timedelta(hours=12)
    )
    admin_client.post(f"{A}/blockedprefix/", {"action": "unblock", "_selected_action": [block.pk]})
    history = admin_client.get(f"{A}/blockedprefix/{block.pk}/history/").content.decode()
    assert admin_user.get_username() in history
    assert "Unblocked 33655500 (was blocked until" in html.unescape(history)


# --- 2. the test SMS -----------------------------------------------------------------


def test_2_the_test_sms_needs_its_own_permission_not_change_route(client, django_user_model):
    client.force_login(staff(django_user_model, "router", "view_message", "change_route"))
    assert client.get(TEST_SMS).status_code == 403
    assert "/test-sms/" not in client.get(f"{A}/message/").content.decode()
    client.force_login(staff(django_user_model, "tester", "view_message", "send_test_sms"))
    assert client.get(TEST_SMS).status_code == 200


def test_2_the_record_names_the_operator_is_flagged_and_has_no_proxy_ip(
    admin_client, admin_user, outbox
):
    admin_client.post(
        TEST_SMS,
        {"to": "+33612345678", "type": "SignIn", "locale": "fr"},
        REMOTE_ADDR="10.0.0.2",  # the TLS proxy
    )
    message = Message.objects.get()
    assert (message.is_test, message.sent_by, message.ip) == (True, admin_user, None)
    page = admin_client.get(f"{A}/message/{message.pk}/change/").content.decode()
    assert f"yes, sent from the admin by {admin_user.get_username()}" in page


def test_2_a_message_from_logto_is_not_a_test(client, outbox):
    client.post("/sms/send", logto_body(), content_type="application/json",
                HTTP_AUTHORIZATION=TOKEN)  # fmt: skip
    message = Message.objects.get()
    assert (message.is_test, message.sent_by, message.ip) == (False, None, "203.0.113.7")


def test_2_each_operator_has_a_limit_of_test_sms(client, django_user_model, outbox, settings):
    settings.SMS_TEST_SMS_PER_HOUR = 2
    form = {"to": "+33612345678", "type": "SignIn", "locale": "en"}
    client.force_login(django_user_model.objects.create_superuser("one", "", PASSWORD))
    answers = [client.post(TEST_SMS, form) for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert "You have sent 2 test SMS in the last hour" in html.unescape(answers[2].content.decode())
    assert len(outbox) == 2
    client.force_login(django_user_model.objects.create_superuser("two", "", PASSWORD))
    assert client.post(TEST_SMS, form).status_code == 200  # another operator's own count
    assert len(outbox) == 3


def test_2_a_sender_the_provider_would_refuse_is_refused_as_in_the_route_editor(
    admin_client, providers
):
    twilio, _ = providers
    answer = admin_client.post(
        TEST_SMS,
        {
            "to": "+33612345678",
            "type": "SignIn",
            "locale": "en",
            "provider": "twilio",
            "sender": "Your-Bank-Security-Team-Call-Now",
        },
    )
    assert "An alphanumeric sender has at most 11 characters (32 given)." in answer.content.decode()
    assert twilio.received == [] and not Message.objects.exists()


@pytest.mark.parametrize("forced", ["provider", "route"])
def test_2_a_blocked_destination_is_refused_whatever_is_forced(admin_client, outbox, forced):
    Route.objects.create(prefix="7")  # no providers: blocked
    spare = Route.objects.create(prefix="49")
    spare.hops.create(provider="locmem", position=0)
    form = {"to": "79161234567", "type": "SignIn", "locale": "en"}
    form.update({"provider": "locmem"} if forced == "provider" else {"route": spare.pk})
    page = html.unescape(admin_client.post(TEST_SMS, form).content.decode())
    assert "a forced route or provider does not lift the block" in page
    assert outbox == [] and not Message.objects.exists()


# --- 3. login throttling -------------------------------------------------------------


@pytest.fixture
def ops(django_user_model):
    user = django_user_model.objects.create_superuser("ops", "", PASSWORD)
    login_throttle.clear("ops")
    yield user
    login_throttle.clear("ops")


def login(client, password: str, username: str = "ops"):
    return client.post(
        "/admin/login/", {"username": username, "password": password, "next": "/admin/"}
    )


def test_3_wrong_passwords_lock_the_account_then_even_the_right_one_is_refused(client, ops, caplog):
    caplog.set_level(logging.WARNING, logger="sms_gateway.admin.login")
    for n in range(5):  # ADMIN_LOGIN_FAILURE_LIMIT
        assert login(client, f"guess-number-{n}").status_code == 200
    refused = login(client, PASSWORD)
    assert refused.status_code == 200 and "_auth_user_id" not in client.session
    assert "Too many failed logins for this account" in html.unescape(refused.content.decode())
    failures = [r for r in caplog.records if r.getMessage() == "admin login failed"]
    assert [(r.username, r.failures) for r in failures] == [("ops", n) for n in range(1, 6)]
    assert failures[-1].locked is True
    assert any(r.getMessage() == "admin login refused: account locked" for r in caplog.records)
    logged = " ".join(str(vars(r)) for r in caplog.records)
    assert "guess-number" not in logged and PASSWORD not in logged  # never the password

    out = io.StringIO()
    call_command("unlock_login", "OPS", stdout=out)  # usernames are counted case-blind
    assert "ops" in out.getvalue().lower() and "was locked" in out.getvalue()
    assert login(client, PASSWORD).status_code == 302  # in
    assert "_auth_user_id" in client.session


def test_3_a_successful_login_clears_the_count(client, ops):
    for n in range(4):
        login(client, f"guess-number-{n}")
    assert login(client, PASSWORD).status_code == 302
    client.logout()
    for n in range(4):
        login(client, f"guess-number-{n}")
    assert login(client, PASSWORD).status_code == 302  # 4 + 4 failures never locked it


@pytest.mark.skipif(not shutil.which("redis-server"), reason="needs redis-server")
def test_3_counts_live_in_the_shared_redis_and_its_outage_does_not_lock_the_admin_out(
    client, ops, settings, caplog
):
    import redis

    with RedisServer() as server:
        settings.CACHES = redis_cache_settings(server, breaker_seconds=1.0)
        for n in range(3):
            login(client, f"guess-number-{n}")
        # Any worker or machine on this Redis sees the same count.
        shared = redis.Redis.from_url(server.url())
        assert [int(shared.get(k)) for k in shared.keys("*login-failures*")] == [3]
        server.stop()
        caplog.set_level(logging.ERROR, logger="sms_gateway.admin.login")
        assert login(client, PASSWORD).status_code == 302  # not throttled meanwhile
        assert "login throttling is off: the cache is unavailable" in caplog.text


def test_3_the_lock_is_a_pure_decision():
    assert not login_throttle.is_locked(4, 5)
    assert login_throttle.is_locked(5, 5) and login_throttle.is_locked(9, 5)
    assert not login_throttle.is_locked(100, 0)  # 0 turns throttling off


# --- 6. CSV formula injection --------------------------------------------------------


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_6_every_formula_start_is_neutralised(start):
    assert _cell(f"{start}1+1") == f"'{start}1+1"
    assert _cell("Acme") == "Acme" and _cell(None) == "" and _cell(3) == "3"


def test_6_a_test_sms_sender_lands_escaped_in_the_export(admin_client, outbox):
    sender = "-2+3+cmd|' /C calc'!A0"
    admin_client.post(
        TEST_SMS,
        {"to": "+33612345678", "type": "SignIn", "locale": "en", "provider": "locmem",
         "sender": sender},
    )  # fmt: skip
    [(_, sms)] = outbox
    assert sms.sender == sender  # locmem takes any sender
    export = admin_client.get(f"{A}/message/export.csv")
    [row] = csv.DictReader(io.StringIO(b"".join(export.streaming_content).decode()))
    assert row["sender"] == "'" + sender


# --- 7. passwords and sessions -------------------------------------------------------


def test_7_setup_admin_refuses_a_weak_admin_password(monkeypatch, django_user_model):
    monkeypatch.setenv("ADMIN_PASSWORD", "1")
    out = io.StringIO()
    with pytest.raises(CommandError) as refused:
        call_command("setup", "--admin", stdout=out)
    assert "ADMIN_PASSWORD is refused: This password is too short." in str(refused.value)
    assert "at least 12 characters" in str(refused.value)
    assert not django_user_model.objects.exists()
    assert "password: 1" not in out.getvalue()


def test_7_passwords_need_twelve_characters():
    with pytest.raises(ValidationError):
        validate_password("k8#Lw2!pQz9")  # 11
    validate_password("k8#Lw2!pQz9x")  # 12


def test_7_an_idle_session_ends_and_activity_extends_it(client, ops, settings):
    assert settings.SESSION_COOKIE_AGE <= 3600  # not Django's two weeks
    assert login(client, PASSWORD).status_code == 302
    session = Session.objects.get()
    assert session.expire_date <= timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE)
    # Activity moves the expiry: the timeout counts from the last request.
    Session.objects.filter(pk=session.pk).update(expire_date=timezone.now() + timedelta(minutes=1))
    assert client.get("/admin/").status_code == 200
    moved = Session.objects.get(pk=session.pk).expire_date
    assert moved > timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE - 60)
    # Idle past it: logged out.
    Session.objects.filter(pk=session.pk).update(expire_date=timezone.now() - timedelta(seconds=1))
    answer = client.get("/admin/")
    assert answer.status_code == 302 and "/admin/login/" in answer["Location"]


# --- 8. Content-Security-Policy ------------------------------------------------------

INLINE = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|<style\b|\sstyle=|\son[a-z]+=", re.I)


def test_8_every_response_carries_the_policy(client, admin_client):
    answers = [
        admin_client.get("/admin/"),
        client.get("/admin/login/"),
        client.post("/sms/send", logto_body(), content_type="application/json"),  # 401
        client.get("/healthz"),
        client.get("/static/sms_gateway/admin.css"),
    ]
    for answer in answers:
        policy = answer["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "style-src 'self'" in policy
        assert "unsafe-inline" not in policy and "default-src 'self'" in policy


def test_8_admin_pages_hold_no_inline_script_or_style(admin_client, client, outbox):
    route = Route.objects.create(prefix="33")
    route.hops.create(provider="locmem", position=0)
    block = BlockedPrefix.objects.create(
        prefix="33655500", reason="pumping", until=timezone.now() + timedelta(hours=12)
    )
    template = Template.objects.get(type="SignIn", locale="en")
    Template.objects.filter(pk=template.pk).update(text="Custom {{code}}", is_customized=True)
    result = admin_client.post(TEST_SMS, {"to": "+33612345678", "type": "SignIn", "locale": "en"})
    message = Message.objects.get()
    pages = {
        "test SMS result": result,
        "login": client.get("/admin/login/"),
        "reset confirmation": admin_client.post(
            f"{A}/template/", {"action": "reset_to_shipped", "_selected_action": [template.pk]}
        ),
    }
    for path in (
        "/admin/",
        f"{A}/template/",
        f"{A}/template/{template.pk}/change/",
        f"{A}/template/{template.pk}/history/",
        f"{A}/template/shipped/",
        f"{A}/template/add/",
        f"{A}/route/",
        f"{A}/route/{route.pk}/change/",
        f"{A}/message/",
        f"{A}/message/{message.pk}/change/",
        f"{A}/blockedprefix/",
        f"{A}/blockedprefix/{block.pk}/change/",
        f"{A}/ratelimit/",
        f"{A}/deliverydashboard/",
    ):
        pages[path] = admin_client.get(path)
    for name, page in pages.items():
        assert page.status_code == 200, name
        found = INLINE.findall(page.content.decode())
        assert found == [], (name, found)
