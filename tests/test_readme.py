"""The README's two commands stay true: the serve steps work as written."""

import os
import re
import shlex
import subprocess
import sys
import time

import requests

from .conftest import logto_body
from .services import ROOT, free_port

README = (ROOT / "README.md").read_text()


def command_after(marker: str) -> str:
    match = re.search(re.escape(marker) + r"\n```sh\n(.+)\n```", README)
    assert match, f"README has no command after {marker}"
    return match.group(1)


def manage_steps(command: str) -> list[tuple[dict[str, str], list[str]]]:
    """The `manage.py` steps of a README command: (environment, arguments)."""
    steps = []
    for part in command.split(" && "):
        words = shlex.split(part)
        env = dict(w.split("=", 1) for w in words if re.match(r"^[A-Z_]+=", w))
        args = [w for w in words if not re.match(r"^[A-Z_]+=", w)]
        if len(args) > 1 and args[1] == "manage.py":
            steps.append((env, args[2:]))
    return steps


def test_ci_runs_the_readme_test_command():
    command = command_after("<!-- ci: test command -->")
    assert "pip install" in command and "pytest" in command
    assert "<!-- ci: test command -->" in (ROOT / ".ci" / "run").read_text()


def test_readme_serve_command_serves_logto_on_the_embedded_default(tmp_path):
    command = command_after("<!-- serve command -->")
    assert command.startswith("python3 -m venv .venv && .venv/bin/pip install -e . && ")
    (setup_env, setup_args), (serve_env, serve_args) = manage_steps(command)
    assert setup_args == ["setup", "--admin"] and serve_args == ["runserver"]

    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DATABASE_", "CACHE_", "SMS_", "TWILIO_", "VONAGE_"))
    }
    # Only where the data goes differs from a fresh checkout.
    base.update(
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        STATIC_ROOT=str(tmp_path / "static"),
        PYTHONUNBUFFERED="1",
    )
    setup = subprocess.run(
        [sys.executable, "manage.py", *setup_args],
        cwd=ROOT,
        env={**base, **setup_env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert setup.returncode == 0, setup.stderr
    assert "Admin: http://127.0.0.1:8000/admin/  user: admin  password: " in setup.stdout

    port = free_port()
    log = (tmp_path / "serve.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "manage.py", *serve_args, "--noreload", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env={**base, **serve_env},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        session = requests.Session()
        session.trust_env = False
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                session.get(f"{url}/healthz", timeout=5)
                break
            except requests.RequestException:
                time.sleep(0.2)
        body = logto_body(payload={"code": "804317", "locale": "fr-FR"})
        response = session.post(f"{url}/sms/send", json=body, timeout=30)  # no token needed
        assert response.status_code == 200, response.text
        assert session.get(f"{url}/admin/login/", timeout=10).status_code == 200
        assert session.get(f"{url}/static/admin/css/base.css", timeout=10).status_code == 200
    finally:
        server.terminate()
        server.wait(timeout=20)
        log.close()
    output = (tmp_path / "serve.log").read_text()
    assert "Votre code de connexion est ******." in output
    assert "804317" not in output


def test_every_environment_variable_is_documented():
    sources = sorted((ROOT / "sms_gateway").rglob("*.py"))
    pattern = re.compile(
        r"""(?:env(?:\.\w+)?|os\.environ\.get|environ\.get)\(\s*["']([A-Z][A-Z0-9_]+)["']"""
    )
    names = {name for path in sources for name in pattern.findall(path.read_text())}
    assert {"DATABASE_URL", "SMS_GATEWAY_TOKENS", "TWILIO_REGION", "WEB_CONCURRENCY"} <= names
    undocumented = sorted(name for name in names if f"`{name}`" not in README)
    assert undocumented == []
