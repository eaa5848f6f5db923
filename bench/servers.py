"""The processes under test: the fake provider, the project and the floors under gunicorn."""

# ruff: noqa: S603 (the commands are built here, from constants and free ports)

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import requests

from tests.throwaway import free_port

ROOT = Path(__file__).resolve().parent.parent
ACCOUNT_SID = "AC" + "0" * 32
TOKEN = "Bearer bench"
BODY = {
    "to": "33612300000",
    "type": "SignIn",
    "payload": {"code": "123456", "locale": "fr"},
    "ip": "203.0.113.7",
}
# Inherited variables that would configure the project behind the bench's back.
FOREIGN = ("DJANGO_", "DATABASE_", "CACHE_", "SMS_", "TWILIO_", "VONAGE_", "GUNICORN_")
FOREIGN_EXACT = ("WEB_CONCURRENCY", "BIND", "PROMETHEUS_MULTIPROC_DIR", "STATIC_ROOT")


def clean_environ() -> dict[str, str]:
    return {
        k: v for k, v in os.environ.items() if not k.startswith(FOREIGN) and k not in FOREIGN_EXACT
    }


def session() -> requests.Session:
    s = requests.Session()
    s.trust_env = False  # no proxy between us and 127.0.0.1
    return s


class Process:
    """A child in its own session (so the terminal's Ctrl-C is ours to handle), logging to a file.

    ``stop()`` sends SIGTERM, waits, then SIGKILLs the whole process group.
    """

    name = "process"

    def __init__(self, argv: list[str], env: dict[str, str], cwd: Path, log: Path) -> None:
        self.argv, self.env, self.cwd, self.log = argv, env, cwd, log
        self.process: subprocess.Popen | None = None

    def __enter__(self):  # noqa: ANN204
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        with self.log.open("w") as out:
            self.process = subprocess.Popen(
                self.argv,
                cwd=self.cwd,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    @property
    def pid(self) -> int:
        return self.process.pid

    def log_tail(self, chars: int = 3000) -> str:
        try:
            return self.log.read_text(errors="replace")[-chars:]
        except OSError:
            return ""

    def check_alive(self) -> None:
        if self.process.poll() is not None:
            raise RuntimeError(
                f"{self.name} exited with {self.process.returncode}:\n{self.log_tail()}"
            )

    def wait_ready(self, seconds: float = 90) -> None:
        deadline = time.monotonic() + seconds
        with session() as http:
            while time.monotonic() < deadline:
                self.check_alive()
                try:
                    if self.ready(http):
                        return
                except requests.RequestException:
                    pass  # not listening yet, or still loading
                time.sleep(0.2)
        raise RuntimeError(f"{self.name} not ready after {seconds} s:\n{self.log_tail()}")

    def ready(self, http: requests.Session) -> bool:
        raise NotImplementedError

    def stop(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=15)
        with contextlib.suppress(ProcessLookupError):  # what is left: workers, a stuck master
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
        self.process = None


class FakeProvider(Process):
    name = "fake provider"

    def __init__(self, log: Path, latency_ms: float = 0) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        argv = [sys.executable, "-m", "bench.fake_provider", "--port", str(self.port)]
        argv += ["--latency-ms", str(latency_ms)]
        super().__init__(argv, clean_environ(), ROOT, log)
        self.http = session()
        self.latency = latency_ms / 1000

    def ready(self, http: requests.Session) -> bool:
        return http.get(f"{self.url}/_bench/stats", timeout=2).ok

    def messages(self) -> int:
        return self.http.get(f"{self.url}/_bench/stats", timeout=5).json()["messages"]

    def set_latency(self, ms: float) -> None:
        self.http.post(
            f"{self.url}/_bench/latency", params={"ms": ms}, timeout=5
        ).raise_for_status()
        self.latency = ms / 1000

    def drain(self, seconds: float = 30) -> None:
        """Wait until no message has been answered for a while: the last run is over."""
        quiet = self.latency + 0.25
        deadline = time.monotonic() + seconds
        last = self.messages()
        while time.monotonic() < deadline:
            time.sleep(quiet)
            now = self.messages()
            if now == last:
                return
            last = now

    def stop(self) -> None:
        self.http.close()
        super().stop()


class Gunicorn(Process):
    """gunicorn serving ``app`` on a free port; ready when ``check`` answers 2xx."""

    def __init__(
        self,
        name: str,
        gunicorn_args: list[str],
        env: dict[str, str],
        cwd: Path,
        log: Path,
        check: tuple[str, str],
    ) -> None:
        self.name = name
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.check = check
        env = {**env, "BIND": f"127.0.0.1:{self.port}", "PYTHONUNBUFFERED": "1"}
        argv = [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{self.port}"]
        super().__init__(argv + gunicorn_args, env, cwd, log)

    def ready(self, http: requests.Session) -> bool:
        method, path = self.check
        headers = {"Authorization": TOKEN}
        answer = http.request(method, self.url + path, json=BODY, headers=headers, timeout=10)
        return 200 <= answer.status_code < 300


def providers(provider_url: str) -> dict:
    """``SMS_PROVIDERS``: one Twilio account on the fake provider."""
    return {
        "twilio": {
            "BACKEND": "sms_gateway.providers.twilio.TwilioProvider",
            "OPTIONS": {
                "ACCOUNT_SID": ACCOUNT_SID,
                "AUTH_TOKEN": "x",
                "FROM": "+15005550006",
                "API_BASE_URL": provider_url,
            },
        }
    }


def project_env(
    project: Path,
    database_url: str,
    cache_url: str,
    provider_url: str,
    workdir: Path,
    overrides: dict[str, str],
    *,
    slug: str = "project",
    extra: dict[str, str] | None = None,
) -> dict[str, str]:
    """The production environment of the README, pointed at the throwaway services.

    ``slug`` names this instance's own metrics and static directories (two
    projects run side by side); ``extra`` is applied before ``overrides``.
    """
    metrics = workdir / f"prometheus-{slug}"
    metrics.mkdir()
    env = clean_environ()
    env.update(
        DJANGO_SETTINGS_MODULE="sms_gateway.settings",
        DEBUG="0",
        SECRET_KEY="bench-" + "k" * 50,
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="0",
        DATABASE_URL=database_url,
        CACHE_URL=cache_url,
        SMS_GATEWAY_TOKENS=TOKEN,
        SMS_PROVIDERS=json.dumps(providers(provider_url)),
        SMS_DEFAULT_PROVIDERS="twilio",
        WEB_CONCURRENCY="2",
        PROMETHEUS_MULTIPROC_DIR=str(metrics),
        # collectstatic must not write into the checkout
        STATIC_ROOT=str(workdir / f"static-{slug}"),
        PYTHONPATH=str(project),
        # As the README's production command: glibc's per-thread malloc arenas
        # otherwise grow a threaded worker's RSS by tens of MB.
        MALLOC_ARENA_MAX="2",
    )
    env.update(extra or {})
    env.update(overrides)
    return env


def gunicorn_settings(env: dict[str, str], project: Path) -> dict:
    """The project's effective gunicorn settings under ``env``, read by importing its config."""
    code = (
        "import json, sms_gateway.gunicorn_conf as c; print(json.dumps({k: getattr(c, k, None) "
        "for k in ('workers', 'threads', 'worker_class', 'keepalive', 'timeout')}))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=project, env=env, capture_output=True, text=True
    )
    if done.returncode:
        raise RuntimeError(f"cannot read sms_gateway.gunicorn_conf:\n{done.stderr}")
    return json.loads(done.stdout.splitlines()[-1])


def setup_project(env: dict[str, str], project: Path, log: Path) -> None:
    """``manage.py setup``: migrate and load the shipped templates."""
    with log.open("w") as out:
        done = subprocess.run(
            [sys.executable, "manage.py", "setup"],
            cwd=project,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            timeout=300,
        )
    if done.returncode:
        raise RuntimeError(f"manage.py setup failed:\n{log.read_text()[-3000:]}")


def project_server(
    env: dict[str, str], project: Path, log: Path, name: str = "project"
) -> Gunicorn:
    args = ["-c", "python:sms_gateway.gunicorn_conf", "sms_gateway.wsgi"]
    return Gunicorn(name, args, env, project, log, ("GET", "/healthz"))


def floor_server(name: str, settings: str, conf: dict, env: dict[str, str], log: Path) -> Gunicorn:
    """A floor with the same workers x threads (gthread) and keep-alive as the project."""
    args = [
        "--workers", str(conf["workers"]), "--threads", str(conf["threads"]),
        "--worker-class", "gthread", "--keep-alive", str(conf["keepalive"]),
        "--timeout", str(conf["timeout"]), "bench.floors.wsgi",
    ]  # fmt: skip
    env = {
        **clean_environ(),
        **env,
        "DJANGO_SETTINGS_MODULE": settings,
        "FLOOR_THREADS": str(conf["threads"]),
        "PYTHONPATH": str(ROOT),
    }
    return Gunicorn(name, args, env, ROOT, log, ("POST", "/sms/send"))
