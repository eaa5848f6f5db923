"""The README's production section, followed as written: its `export` block evaluated
by bash, each command run in order, gunicorn started by its own line, then the probes
as a kubelet sends them (a pod IP as Host) and the answers an operator expects.

Changed from the README, and only this: where the data goes (a scratch SQLite file,
Redis database 14 on 127.0.0.1, scratch directories for static files, metrics and the
two secret files), the placeholder credentials (`AC...`, `...`) by well-formed fakes,
the listening address, and `createsuperuser` answered from DJANGO_SUPERUSER_* instead
of a prompt. The commands run from a scratch directory, not the checkout. No SMS is
sent: the providers are the real Twilio and Vonage (.ci/wheel_smoke.py sends one, from
the built wheel).
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time

import requests

from .services import ROOT, _missing, free_port

README = (ROOT / "README.md").read_text()
POD_HOST = "10.42.0.17:8000"


def production_block() -> str:
    match = re.search(r"\n## Production\n.*?```sh\n(.*?)\n```", README, re.S)
    assert match, "README has no production command block"
    return match.group(1)


def redis_reachable() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


def test_production_section_as_written(tmp_path):
    if not redis_reachable():
        _missing("Redis on 127.0.0.1:6379", "redis-server")
    block = production_block()
    lines = [line.split("  #")[0].rstrip() for line in block.splitlines()]
    assert lines[0].startswith("pip install .")  # done: this is the checkout's venv

    # The export statement, continued over backslashed lines.
    end = next(i for i, line in enumerate(lines) if i > 0 and not line.endswith("\\"))
    export = "\n".join(lines[1 : end + 1])
    assert export.startswith("export DEBUG=0")
    etc = tmp_path / "etc"
    etc.mkdir()
    (etc / "secret-key").write_text(secrets.token_urlsafe(50) + "\n")
    (etc / "logto-token").write_text("Bearer " + secrets.token_urlsafe(32) + "\n")
    for placeholder, value in {
        "/etc/sms-gateway/": f"{etc}/",
        "/var/lib/sms-gateway/static": str(tmp_path / "static"),
        "postgres://gateway:secret@db:5432/sms_gateway": f"sqlite:///{tmp_path / 'gw.sqlite3'}",
        "redis://redis:6379/0": "redis://127.0.0.1:6379/14",
        "TWILIO_ACCOUNT_SID=AC...": "TWILIO_ACCOUNT_SID=AC" + "0123456789abcdef" * 2,
        "TWILIO_AUTH_TOKEN=...": "TWILIO_AUTH_TOKEN=twilio-auth-token",
        "TWILIO_MESSAGING_SERVICE_SID=MG...": "TWILIO_MESSAGING_SERVICE_SID=MG" + "ab" * 16,
        "VONAGE_API_KEY=...": "VONAGE_API_KEY=vonage-key",
        "VONAGE_API_SECRET=...": "VONAGE_API_SECRET=vonage-secret",
        "/run/sms-gateway-metrics": str(tmp_path / "metrics"),
    }.items():
        assert placeholder in export, placeholder
        export = export.replace(placeholder, value)
    venv_bin = os.path.dirname(sys.executable)
    assert shutil.which("sms-gateway", path=venv_bin), "reinstall the checkout: pip install -e ."
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DATABASE_", "CACHE_", "SMS_", "TWILIO_", "VONAGE_"))
        and k not in ("DEBUG", "METRICS_ALLOWED_NETWORKS", "METRICS_TOKEN")
    }
    base.update(PATH=f"{venv_bin}:{base.get('PATH', '/usr/bin:/bin')}", PYTHONUNBUFFERED="1")
    evaluated = subprocess.run(
        ["bash", "-c", f"{export}\nenv -0"], env=base, capture_output=True, text=True, check=True
    ).stdout
    env = dict(item.split("=", 1) for item in evaluated.split("\0") if "=" in item)
    token = env["SMS_GATEWAY_TOKENS"]
    assert token.startswith("Bearer ") and len(env["SECRET_KEY"]) >= 50
    assert env["STATIC_ROOT"] == str(tmp_path / "static")
    scratch = tmp_path / "run"  # not the checkout: an installed gateway needs none
    scratch.mkdir()

    def run(command: str, **extra: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            ["bash", "-c", command],
            cwd=scratch,
            env={**env, **extra},
            capture_output=True,
            text=True,
            timeout=180,
        )

    commands = [line for line in lines[end + 1 :] if line]
    assert commands[-1].startswith(
        "MALLOC_ARENA_MAX=2 gunicorn -c python:sms_gateway.gunicorn_conf"
    )
    assert "sms-gateway check --deploy" in " ".join(commands)
    for command in commands[:-1]:  # in the README's order, gunicorn last
        if command.startswith("sms-gateway createsuperuser"):
            done = run(
                command + " --noinput",
                DJANGO_SUPERUSER_USERNAME="ops",
                DJANGO_SUPERUSER_PASSWORD="ops-password-1",
                DJANGO_SUPERUSER_EMAIL="ops@example.com",
            )
        else:
            done = run(command)
        assert done.returncode == 0, f"{command}:\n{done.stdout}{done.stderr}"
        if "check --deploy" in command:
            assert "System check identified no issues" in done.stdout, done.stdout + done.stderr

    port = free_port()
    log = (tmp_path / "gunicorn.log").open("w")
    server = subprocess.Popen(
        ["bash", "-c", commands[-1].replace("gunicorn", "exec gunicorn", 1)],
        cwd=scratch,
        env={**env, "BIND": f"127.0.0.1:{port}"},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    session = requests.Session()
    session.trust_env = False
    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, (tmp_path / "gunicorn.log").read_text()
            try:
                live = session.get(f"{url}/healthz", headers={"Host": POD_HOST}, timeout=5)
                break
            except requests.RequestException:
                assert time.monotonic() < deadline, "gunicorn did not answer"
                time.sleep(0.3)
        pod = {"Host": POD_HOST}
        # Probes as kubelets send them: plain http, the pod's address as Host.
        assert (live.status_code, live.json()) == (200, {"status": "ok"})
        ready = session.get(f"{url}/readyz", headers=pod, timeout=10)
        assert ready.status_code == 200, ready.text
        assert ready.json()["checks"] == {
            "database": "ok",
            "cache": "ok",
            "providers": "ok",
            "guard": "ok",
            "webhook_keys": "ok",
        }
        # No network is trusted for /metrics by default: the proxy makes everyone 127.0.0.1.
        assert session.get(f"{url}/metrics", headers=pod, timeout=10).status_code == 403
        schema = session.get(f"{url}/api/schema", headers={"Host": "sms.example.com"}, timeout=10)
        assert schema.status_code == 200 and "openapi" in schema.text

        public = {"Host": "sms.example.com"}
        plain = session.post(
            f"{url}/sms/send", json={}, headers=public, allow_redirects=False, timeout=10
        )
        assert plain.status_code == 301
        assert plain.headers["Location"] == "https://sms.example.com/sms/send"
        https = {**public, "X-Forwarded-Proto": "https", "Authorization": token}
        invalid = session.post(f"{url}/sms/send", json={"to": "123"}, headers=https, timeout=10)
        assert invalid.status_code == 400  # authorized, validated, nothing sent
        stranger = session.post(f"{url}/sms/send", json={}, headers=pod, timeout=10)
        assert stranger.status_code == 400  # a host outside ALLOWED_HOSTS
        login = session.get(
            f"{url}/admin/login/", headers={**public, "X-Forwarded-Proto": "https"}, timeout=10
        )
        assert login.status_code == 200 and "Logto SMS gateway" in login.text
    finally:
        session.close()
        server.terminate()
        server.wait(timeout=30)
        log.close()
    output = (tmp_path / "gunicorn.log").read_text()
    assert "Traceback" not in output
    assert "refused request for host '10.42.0.17:8000'" in output
