"""Tests that need PostgreSQL, Redis or a real server process."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
PROD_TOKEN = "Bearer production-token"


def _missing(what: str, how: str) -> None:
    message = f"needs {what}: {how} (.ci/run does)"
    if os.environ.get("REQUIRE_SERVICES"):
        pytest.fail(message + "; REQUIRE_SERVICES is set")
    pytest.skip(message)


def require_postgres() -> None:
    if connection.vendor != "postgresql":
        _missing("PostgreSQL", "set DATABASE_URL=postgres://postgres@127.0.0.1:5432/sms_gateway")


def require_redis() -> None:
    if "redis" not in settings.CACHES["default"]["BACKEND"].lower():
        _missing("Redis", "set CACHE_URL=redis://127.0.0.1:6379/15")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def production_env(**overrides: str) -> dict[str, str]:
    """The environment of a production deployment, on this machine."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DATABASE_", "CACHE_", "SMS_", "TWILIO_", "VONAGE_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="sms_gateway.settings",
        DEBUG="0",
        SECRET_KEY="x" * 20 + "production-secret-key-for-tests-only-" + "y" * 20,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SMS_GATEWAY_TOKENS=PROD_TOKEN,
        SMS_PROVIDERS='{"console": {"BACKEND": "sms_gateway.providers.console.ConsoleProvider"}}',
        SMS_DEFAULT_PROVIDERS="console",
        USE_X_FORWARDED_PROTO="1",
        PYTHONUNBUFFERED="1",
    )
    env.update(overrides)
    return env


def manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


class Gunicorn:
    """The README's production command line, as a real process."""

    def __init__(
        self, env: dict[str, str], log_dir: Path, workers: int = 1, app: str = "sms_gateway.wsgi"
    ) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.out = log_dir / "gunicorn.out"
        self.err = log_dir / "gunicorn.err"
        env = {**env, "BIND": f"127.0.0.1:{self.port}", "WEB_CONCURRENCY": str(workers)}
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "-c",
                "python:sms_gateway.gunicorn_conf",
                app,
            ],
            cwd=ROOT,
            env=env,
            stdout=self.out.open("w"),
            stderr=self.err.open("w"),
        )
        self.session = requests.Session()
        self.session.trust_env = False

    def wait_ready(self, seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"gunicorn exited {self.process.returncode}:\n{self.stderr}")
            try:
                if self.session.get(f"{self.url}/healthz", timeout=5).status_code == 200:
                    return
            except requests.RequestException:  # not listening yet, or still loading
                pass
            time.sleep(0.2)
        raise AssertionError(f"gunicorn did not answer in {seconds} s:\n{self.stderr}")

    @property
    def stdout(self) -> str:
        return self.out.read_text()

    @property
    def stderr(self) -> str:
        return self.err.read_text()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
