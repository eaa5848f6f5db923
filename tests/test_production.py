"""Production mode as an operator runs it: real gunicorn, real settings, real errors."""

import json
import time

import pytest

from .conftest import logto_body
from .services import PROD_TOKEN, Gunicorn, manage, production_env


@pytest.fixture
def sqlite_env(tmp_path):
    env = production_env(
        DATABASE_URL=f"sqlite:///{tmp_path / 'gateway.sqlite3'}",
        STATIC_ROOT=str(tmp_path / "static"),
    )
    result = manage(env, "setup")
    assert result.returncode == 0, result.stderr
    return env


@pytest.fixture
def gunicorn(sqlite_env, tmp_path):
    server = Gunicorn(sqlite_env, tmp_path)
    yield server
    server.stop()


def test_gunicorn_serves_logto_in_production_mode(gunicorn):
    gunicorn.wait_ready()
    https = {"X-Forwarded-Proto": "https"}
    url = f"{gunicorn.url}/sms/send"

    body = logto_body(payload={"code": "804317", "locale": "en"})
    response = gunicorn.session.post(
        url, json=body, headers={"Authorization": PROD_TOKEN, **https}, timeout=30
    )
    assert response.status_code == 200, response.text
    message_id = response.json()["id"]

    # Plain http is redirected to https, except for the probes.
    plain = gunicorn.session.post(url, json=logto_body(), allow_redirects=False, timeout=30)
    assert plain.status_code == 301
    assert gunicorn.session.get(f"{gunicorn.url}/readyz", timeout=10).json() == {
        "status": "ok",
        "checks": {
            "database": "ok",
            "cache": "ok",
            "providers": "ok",
            "guard": "ok",
            "webhook_keys": "ok",
        },
    }
    # The admin and its static files are served without another web server.
    login = gunicorn.session.get(f"{gunicorn.url}/admin/login/", headers=https, timeout=10)
    assert login.status_code == 200
    css = gunicorn.session.get(
        f"{gunicorn.url}/static/admin/css/base.css", headers=https, timeout=10
    )
    assert css.status_code == 200

    deadline = time.monotonic() + 10
    while "Your sign-in code is ******" not in gunicorn.stdout and time.monotonic() < deadline:
        time.sleep(0.1)
    assert "Your sign-in code is ******" in gunicorn.stdout
    lines = [json.loads(line) for line in gunicorn.stderr.splitlines() if line.startswith("{")]
    [sms_line] = [line for line in lines if line.get("message_id") == message_id]
    assert sms_line["message"] == "sms sent"
    assert sms_line["to"] == "+3361234****"
    assert sms_line["request_id"] == response.headers["X-Request-ID"]
    assert "804317" not in gunicorn.stdout + gunicorn.stderr


def test_gunicorn_refuses_to_start_without_tokens(sqlite_env, tmp_path):
    server = Gunicorn({**sqlite_env, "SMS_GATEWAY_TOKENS": ""}, tmp_path)
    try:
        server.process.wait(timeout=60)
    finally:
        server.stop()
    assert server.process.returncode != 0
    assert "sms_gateway.E001" in server.stderr


@pytest.mark.parametrize(
    ("override", "error"),
    [
        ({"SECRET_KEY": ""}, "sms_gateway.E010"),
        ({"ALLOWED_HOSTS": ""}, "sms_gateway.E011"),
        ({"SMS_GATEWAY_TOKENS": ""}, "sms_gateway.E001"),
        ({"SMS_DEFAULT_PROVIDERS": "ghost"}, "sms_gateway.E003"),
        ({"TWILIO_ACCOUNT_SID": "AC" + "0" * 32}, "must set AUTH_TOKEN"),
        (
            {
                "SMS_PROVIDERS": '{"x": {"BACKEND": "nowhere.Provider"}}',
                "SMS_DEFAULT_PROVIDERS": "x",
            },
            "SMS_PROVIDERS['x']['BACKEND'] = 'nowhere.Provider' cannot be imported",
        ),
        ({"SMS_PROVIDERS": "{not json"}, "SMS_PROVIDERS is not valid JSON"),
    ],
)
def test_each_startup_error_in_production_mode(override, error):
    env = production_env(**override)
    if "TWILIO_ACCOUNT_SID" in override:
        env.pop("SMS_PROVIDERS")
    result = manage(env, "check")
    assert result.returncode != 0
    assert error in result.stderr


def test_check_deploy_reports_nothing_under_production_settings(tmp_path):
    env = production_env(
        STATIC_ROOT=str(tmp_path / "static"),
        CACHE_URL="redis://127.0.0.1:6379/0",
        TWILIO_ACCOUNT_SID="AC" + "0" * 32,
        TWILIO_AUTH_TOKEN="token",
        TWILIO_FROM="+15551230000",
        SMS_DEFAULT_PROVIDERS="twilio",
    )
    env.pop("SMS_PROVIDERS")
    assert manage(env, "collectstatic", "--noinput").returncode == 0
    result = manage(env, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_every_answer_under_sms_is_json_and_every_log_line_has_the_request_id(gunicorn):
    gunicorn.wait_ready()
    https = {"X-Forwarded-Proto": "https", "Authorization": PROD_TOKEN}

    missing = gunicorn.session.get(
        f"{gunicorn.url}/sms/nope", headers={**https, "X-Request-ID": "req-404-check"}, timeout=10
    )
    assert missing.status_code == 404
    assert missing.json() == {"message": "Not found."}

    # Answered by gunicorn itself, before Django: a header over its 8 KiB limit.
    huge = gunicorn.session.post(
        f"{gunicorn.url}/sms/send",
        json=logto_body(),
        headers={**https, "X-Pad": "x" * 9000},
        timeout=10,
    )
    assert huge.status_code == 431
    assert huge.headers["Content-Type"] == "application/json"
    assert huge.json() == {"message": "Request Header Fields Too Large."}

    deadline = time.monotonic() + 10
    while "req-404-check" not in gunicorn.stderr and time.monotonic() < deadline:
        time.sleep(0.1)
    lines = [json.loads(line) for line in gunicorn.stderr.splitlines() if line.startswith("{")]
    [not_found] = [line for line in lines if line.get("logger") == "django.request"]
    assert not_found["request_id"] == "req-404-check"
