#!/usr/bin/env python3
"""The wheel, installed outside the checkout, following README's Production section.

    .venv/bin/python .ci/wheel_smoke.py [--database-url URL] [--keep]

1. builds the wheel from a clean copy of the checkout (``pip wheel --no-deps``),
2. installs it into a fresh virtualenv in a temporary directory,
3. runs, from another scratch directory, the README's Production block as written:
   its ``export`` evaluated by bash, then each command in order, gunicorn last,
4. sends one Logto payload through gunicorn and expects 200, the SMS at the fake
   Twilio and the message recorded as ``sent``; the admin renders its own templates.

Changed from the README, and only this: where data goes (``--database-url``, default
a scratch SQLite file; a throwaway redis-server; scratch directories for static files,
metrics and the two secret files), well-formed fake credentials for the placeholders,
the listening address (``BIND``), ``createsuperuser`` answered from DJANGO_SUPERUSER_*,
and one added variable: ``SMS_PROVIDERS`` gives the ``twilio`` alias the address of a
fake Twilio on 127.0.0.1 (``API_BASE_URL``), so the real SDK sends the SMS there.
Standard library only: it runs before anything is installed.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ACCOUNT_SID = "AC" + "0123456789abcdef" * 2
AUTH_TOKEN = "twilio-auth-token"
SERVICE_SID = "MG" + "ab" * 16
PUBLIC = "sms.example.com"
# Not copied into the build: local state of a checkout.
IGNORED = shutil.ignore_patterns(
    ".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", "db.sqlite3", "staticfiles"
)


class Failed(Exception):
    pass


def step(title: str) -> None:
    print(f"-- {title}", flush=True)


def run(args: list[str] | str, **kwargs: object) -> subprocess.CompletedProcess:
    done = subprocess.run(args, capture_output=True, text=True, timeout=600, **kwargs)
    if done.returncode != 0:
        raise Failed(f"{args} exited {done.returncode}:\n{done.stdout}{done.stderr}")
    return done


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def production_block() -> list[str]:
    readme = (ROOT / "README.md").read_text()
    match = re.search(r"\n## Production\n.*?```sh\n(.*?)\n```", readme, re.S)
    if not match:
        raise Failed("README has no Production command block")
    return [line.split("  #")[0].rstrip() for line in match.group(1).splitlines()]


class FakeTwilio(ThreadingHTTPServer):
    """Twilio's Messages endpoint: 201 and a queued message, for the right account."""

    def __init__(self) -> None:
        self.received: list[dict[str, str]] = []
        super().__init__(("127.0.0.1", 0), _TwilioHandler)
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _TwilioHandler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:  # noqa: N802
        body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
        form = dict(urllib.parse.parse_qsl(body))
        expected = "Basic " + base64.b64encode(f"{ACCOUNT_SID}:{AUTH_TOKEN}".encode()).decode()
        path = f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
        if self.headers.get("Authorization") != expected or self.path != path:
            self._answer(401, {"code": 20003, "message": "Authenticate", "status": 401})
            return
        self.server.received.append(form)
        sid = "SM" + secrets.token_hex(16)
        self._answer(201, {"sid": sid, "account_sid": ACCOUNT_SID, "to": form.get("To"),
                           "status": "queued", "num_segments": "1", "api_version": "2010-04-01",
                           "error_code": None, "error_message": None})  # fmt: skip

    def _answer(self, status: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


def start_redis(work: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    (work / "redis").mkdir()
    server = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no", "--dir", str(work / "redis")],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
                sock.sendall(b"PING\r\n")
                if sock.recv(16).startswith(b"+PONG"):
                    return server, f"redis://127.0.0.1:{port}/0"
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise Failed("redis-server did not start")


def http(method: str, url: str, headers: dict, body: dict | None = None) -> tuple[int, str]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    if data is not None:
        request.add_header("Content-Type", "application/json")
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(request, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode()


def smoke(work: Path, database_url: str | None) -> None:
    lines = production_block()
    if not lines[0].startswith("pip install ."):
        raise Failed(f"the Production block no longer starts with 'pip install .': {lines[0]}")

    step("build the wheel from a clean copy of the checkout (what `pip install .` does)")
    shutil.copytree(ROOT, work / "src", ignore=IGNORED)
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(work / "dist"),
         str(work / "src")])  # fmt: skip
    [wheel] = (work / "dist").glob("*.whl")
    print(f"   {wheel.name}")

    step("install it into a fresh virtualenv outside the checkout")
    base_python = getattr(sys, "_base_executable", sys.executable)
    run([base_python, "-m", "venv", str(work / "venv")])
    run([str(work / "venv" / "bin" / "pip"), "install", "-q", str(wheel)])

    redis, redis_url = start_redis(work)
    twilio = FakeTwilio()
    gunicorn = None
    try:
        step("evaluate the README's export block")
        end = next(i for i, line in enumerate(lines) if i > 0 and not line.endswith("\\"))
        export = "\n".join(lines[1 : end + 1])
        etc = work / "etc"
        etc.mkdir()
        (etc / "secret-key").write_text(secrets.token_urlsafe(50) + "\n")
        (etc / "logto-token").write_text("Bearer " + secrets.token_urlsafe(32) + "\n")
        replacements = {
            "/etc/sms-gateway/": f"{etc}/",
            "postgres://gateway:secret@db:5432/sms_gateway": database_url
            or f"sqlite:///{work / 'gateway.sqlite3'}",
            "redis://redis:6379/0": redis_url,
            "/var/lib/sms-gateway/static": str(work / "static"),
            "/run/sms-gateway-metrics": str(work / "metrics"),
            "TWILIO_ACCOUNT_SID=AC...": f"TWILIO_ACCOUNT_SID={ACCOUNT_SID}",
            "TWILIO_AUTH_TOKEN=...": f"TWILIO_AUTH_TOKEN={AUTH_TOKEN}",
            "TWILIO_MESSAGING_SERVICE_SID=MG...": f"TWILIO_MESSAGING_SERVICE_SID={SERVICE_SID}",
            "VONAGE_API_KEY=...": "VONAGE_API_KEY=vonage-key",
            "VONAGE_API_SECRET=...": "VONAGE_API_SECRET=vonage-secret",
        }
        for placeholder, value in replacements.items():
            if placeholder not in export:
                raise Failed(f"the Production block no longer has {placeholder!r}")
            export = export.replace(placeholder, value)
        venv_bin = work / "venv" / "bin"
        clean = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("DJANGO_", "DATABASE_", "CACHE_", "SMS_", "TWILIO_", "VONAGE_"))
            and k not in ("DEBUG", "PYTHONPATH", "VIRTUAL_ENV", "STATIC_ROOT", "SECRET_KEY")
        }
        clean.update(PATH=f"{venv_bin}:{clean.get('PATH', '/usr/bin:/bin')}", PYTHONUNBUFFERED="1")
        evaluated = run(["bash", "-c", f"{export}\nenv -0"], env=clean).stdout
        env = dict(item.split("=", 1) for item in evaluated.split("\0") if "=" in item)
        env["SMS_PROVIDERS"] = json.dumps({
            "twilio": {"BACKEND": "sms_gateway.providers.twilio.TwilioProvider",
                       "OPTIONS": {"ACCOUNT_SID": ACCOUNT_SID, "AUTH_TOKEN": AUTH_TOKEN,
                                   "MESSAGING_SERVICE_SID": SERVICE_SID,
                                   "API_BASE_URL": twilio.url}},
            "vonage": {"BACKEND": "sms_gateway.providers.vonage.VonageProvider",
                       "OPTIONS": {"API_KEY": "vonage-key", "API_SECRET": "vonage-secret",
                                   "FROM": "Acme"}},
        })  # fmt: skip
        token = env["SMS_GATEWAY_TOKENS"]
        cwd = work / "run"  # outside the checkout: nothing can come from it
        cwd.mkdir()

        def sh(command: str, **extra: str) -> subprocess.CompletedProcess:
            return run(["bash", "-c", command], cwd=cwd, env={**env, **extra})

        where = sh("python -c 'import sms_gateway; print(sms_gateway.__file__)'").stdout.strip()
        if not where.startswith(str(work / "venv")):
            raise Failed(f"sms_gateway imported from {where}, not from the installed wheel")

        commands = [line for line in lines[end + 1 :] if line]
        for command in commands[:-1]:
            step(f"$ {command}")
            if command.startswith("sms-gateway createsuperuser"):
                done = sh(command + " --noinput", DJANGO_SUPERUSER_USERNAME="ops",
                          DJANGO_SUPERUSER_PASSWORD="ops-password-1",
                          DJANGO_SUPERUSER_EMAIL="ops@example.com")  # fmt: skip
            else:
                done = sh(command)
            output = (done.stdout + done.stderr).strip()
            if output:
                print("   " + output.replace("\n", "\n   "))
            if "check --deploy" in command and "System check identified no issues" not in output:
                raise Failed("check --deploy reported issues")

        step(f"$ {commands[-1]}")
        port = free_port()
        log = (work / "gunicorn.log").open("w")
        gunicorn = subprocess.Popen(
            ["bash", "-c", commands[-1].replace("gunicorn", "exec gunicorn", 1)],
            cwd=cwd, env={**env, "BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": "2"},
            stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            if gunicorn.poll() is not None:
                raise Failed("gunicorn exited:\n" + (work / "gunicorn.log").read_text())
            try:
                if http("GET", f"{url}/healthz", {})[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise Failed("gunicorn did not answer /healthz within 60 s")
            time.sleep(0.3)

        step("send one Logto payload")
        https = {"Host": PUBLIC, "X-Forwarded-Proto": "https"}
        payload = {
            "to": "33612345678",
            "type": "SignIn",
            "payload": {"code": "123456", "locale": "fr-FR"},
            "ip": "203.0.113.7",
        }
        status, body = http("POST", f"{url}/sms/send", {**https, "Authorization": token}, payload)
        print(f"   {status} {body}")
        if status != 200 or json.loads(body).get("status") != "sent":
            raise Failed(f"the SMS was not sent: {status} {body}")
        message_id = json.loads(body)["id"]
        if [form.get("To") for form in twilio.received] != ["+33612345678"]:
            raise Failed(f"the fake Twilio received {twilio.received}")
        recorded = (
            sh(
                "sms-gateway shell -c 'from sms_gateway.models import Message; "
                f'm = Message.objects.get(pk="{message_id}"); print(m.status, m.provider)\''
            )
            .stdout.splitlines()[-1]
            .split()
        )  # after the shell's own "objects imported" line
        print(f"   recorded: {' '.join(recorded)}")
        if recorded != ["sent", "twilio"]:
            raise Failed(f"message {message_id} recorded as {recorded}")

        step("the admin's own templates and static files come with the package")
        status, body = http("GET", f"{url}/admin/login/", https)
        if status != 200 or "Logto SMS gateway" not in body:
            raise Failed(f"/admin/login/ answered {status} without the gateway's base_site.html")
        for static in ("admin/css/base.css", "sms_gateway/admin.css"):
            if http("GET", f"{url}/static/{static}", https)[0] != 200:
                raise Failed(f"/static/{static} is not served")
        sh(
            "sms-gateway shell -c 'from django.template.loader import get_template; "
            'get_template("admin/sms_gateway/dashboard/dashboard.html")\''
        )
    finally:
        if gunicorn is not None:
            gunicorn.terminate()
            gunicorn.wait(timeout=30)
        redis.terminate()
        redis.wait(timeout=30)
        twilio.shutdown()
    output = (work / "gunicorn.log").read_text()
    if "Traceback" in output:
        raise Failed("gunicorn logged a traceback:\n" + output)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="default: a scratch SQLite file")
    parser.add_argument("--keep", action="store_true", help="keep the scratch directory")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="sms-gateway-wheel-"))
    started = time.monotonic()
    try:
        smoke(work, args.database_url)
    except Failed as err:
        print(f"FAILED: {err}\n(scratch directory kept: {work})", file=sys.stderr)
        return 1
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    seconds = time.monotonic() - started
    print(f"ok: the wheel serves Logto from outside the checkout ({seconds:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
