"""Throwaway PostgreSQL clusters and Redis servers on free ports, for tests and the bench.

Each one lives in its own temporary directory, waits until it answers before
``start()`` returns, and is stopped (its processes ended, its directory removed)
by ``stop()``, by leaving its ``with`` block, or at interpreter exit::

    with PostgresCluster(max_connections=200) as pg, RedisServer() as redis:
        url = pg.create_database("app")   # postgres://postgres@127.0.0.1:PORT/app
        redis.url                           # redis://127.0.0.1:PORT/0
        redis.freeze()                      # SIGSTOP: it hangs like a stuck server
        redis.unfreeze()
"""

from __future__ import annotations

import atexit
import contextlib
import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait(ready, what: str, seconds: float, log: Path | None = None) -> None:  # noqa: ANN001
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if ready():
            return
        time.sleep(0.05)
    tail = log.read_text(errors="replace")[-2000:] if log and log.exists() else ""
    raise RuntimeError(f"{what} not ready after {seconds} s\n{tail}")


class _Throwaway:
    """Start/stop bookkeeping shared by both kinds: context manager and atexit."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.dir: Path | None = None

    def __enter__(self):  # noqa: ANN204
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self):  # noqa: ANN201
        if self.dir is not None:
            raise RuntimeError(f"{self!r} is already started")
        self.dir = Path(tempfile.mkdtemp(prefix=self.prefix))
        atexit.register(self.stop)
        try:
            self._start()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        if self.dir is None:
            return
        try:
            self._stop()
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)
            self.dir = None
            atexit.unregister(self.stop)

    def _start(self) -> None:
        raise NotImplementedError

    def _stop(self) -> None:
        raise NotImplementedError


def postgres_bindir() -> Path:
    if explicit := os.environ.get("PG_BINDIR"):
        return Path(explicit)
    if found := shutil.which("initdb"):
        return Path(found).parent
    versions = sorted(
        glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name)
    )
    if not versions:
        raise RuntimeError("no PostgreSQL binaries: install postgresql or set PG_BINDIR")
    return Path(versions[-1])


class PostgresCluster(_Throwaway):
    """``initdb`` into a temporary directory and a postmaster on a free port.

    As root, the cluster belongs to (and runs as) the ``postgres`` user. ``fsync``
    and friends are off by default: nothing here needs to survive a crash.
    """

    def __init__(
        self,
        max_connections: int = 100,
        extra_conf: list[str] | tuple[str, ...] = (),
        fsync: bool = False,
        user: str = "postgres",
    ) -> None:
        super().__init__("throwaway-pg-")
        self.max_connections = max_connections
        self.extra_conf = list(extra_conf)
        self.fsync = fsync
        self.user = user
        self.bindir = postgres_bindir()
        self.port = 0

    def __repr__(self) -> str:
        return f"PostgresCluster(port={self.port}, dir={self.dir})"

    @property
    def data(self) -> Path:
        return self.dir / "data"

    @property
    def log(self) -> Path:
        return self.dir / "postgres.log"

    def url(self, dbname: str = "postgres") -> str:
        return f"postgres://{self.user}@127.0.0.1:{self.port}/{dbname}"

    def _run(self, *args: str, timeout: float = 120) -> None:
        command = [str(self.bindir / args[0]), *args[1:]]
        if os.geteuid() == 0:
            command = ["runuser", "-u", self.user, "--", *command]
        subprocess.run(
            command, cwd=self.dir, check=True, capture_output=True, text=True, timeout=timeout
        )

    def _start(self) -> None:
        if os.geteuid() == 0:
            owner = pwd.getpwnam(self.user)
            os.chown(self.dir, owner.pw_uid, owner.pw_gid)
        self._run(
            "initdb", "-D", str(self.data), "-U", self.user, "-A", "trust",
            "-E", "UTF8", "--locale=C", "--no-sync",
        )  # fmt: skip
        durable = "on" if self.fsync else "off"
        conf = [
            "listen_addresses = '127.0.0.1'",
            f"unix_socket_directories = '{self.dir}'",
            f"max_connections = {self.max_connections}",
            f"fsync = {durable}",
            f"synchronous_commit = {durable}",
            f"full_page_writes = {durable}",
            *self.extra_conf,
        ]
        with (self.data / "postgresql.conf").open("a") as f:
            f.write("\n# throwaway\n" + "\n".join(conf) + "\n")
        for attempt in range(3):  # a free port can be taken between choosing and binding
            self.port = free_port()
            try:
                self._run(
                    "pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-t", "60",
                    "-o", f"-p {self.port}", "start",
                )  # fmt: skip
                break
            except subprocess.CalledProcessError:
                if attempt == 2:
                    raise RuntimeError(f"PostgreSQL did not start:\n{self._log_tail()}") from None
        _wait(self._answers, "PostgreSQL", 30, self.log)

    def _answers(self) -> bool:
        import psycopg

        try:
            with psycopg.connect(self.url(), connect_timeout=2):
                return True
        except psycopg.OperationalError:
            return False

    def _log_tail(self) -> str:
        return self.log.read_text(errors="replace")[-2000:] if self.log.exists() else ""

    def _postmaster_pid(self) -> int | None:
        try:
            return int((self.data / "postmaster.pid").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return None

    def _stop(self) -> None:
        pid = self._postmaster_pid()
        if pid is None:
            return
        # "immediate": no checkpoint, the files are about to be deleted anyway.
        with contextlib.suppress(subprocess.CalledProcessError, subprocess.TimeoutExpired):
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop", timeout=30)
        deadline = time.monotonic() + 10
        while _alive(pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        if _alive(pid):
            os.kill(pid, signal.SIGKILL)

    def stop_server(self) -> None:
        """Stop the postmaster (immediate: clients see connections die), keeping the data."""
        self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop", timeout=30)

    def start_server(self) -> None:
        """Start it again on the same port."""
        self._run(
            "pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-t", "60",
            "-o", f"-p {self.port}", "start",
        )  # fmt: skip
        _wait(self._answers, "PostgreSQL", 30, self.log)

    def execute(self, sql: str, dbname: str = "postgres") -> list[tuple]:
        """Run one statement in autocommit and return its rows (none for DDL)."""
        import psycopg

        with psycopg.connect(self.url(dbname), autocommit=True) as conn:
            cursor = conn.execute(sql)
            return cursor.fetchall() if cursor.description else []

    def create_database(self, name: str) -> str:
        self.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)


class RedisServer(_Throwaway):
    """``redis-server`` on a free port, persisting nothing."""

    def __init__(self, executable: str = "redis-server") -> None:
        super().__init__("throwaway-redis-")
        self.executable = executable
        self.port = 0
        self.process: subprocess.Popen | None = None
        self.frozen = False

    def __repr__(self) -> str:
        return f"RedisServer(port={self.port})"

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    @property
    def log(self) -> Path:
        return self.dir / "redis.log"

    def _start(self) -> None:
        for attempt in range(3):
            self.port = free_port()
            self.process = subprocess.Popen(
                [
                    self.executable, "--port", str(self.port), "--bind", "127.0.0.1",
                    "--save", "", "--appendonly", "no", "--dir", str(self.dir),
                    "--daemonize", "no",
                ],
                stdout=self.log.open("w"),
                stderr=subprocess.STDOUT,
                start_new_session=True,  # the terminal's Ctrl-C is ours to handle
            )  # fmt: skip
            try:
                _wait(self._answers, "Redis", 15, self.log)
                return
            except RuntimeError:
                self._stop()
                if attempt == 2:
                    raise

    def _answers(self) -> bool:
        if self.process.poll() is not None:
            raise RuntimeError(f"redis-server exited:\n{self.log.read_text(errors='replace')}")
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def freeze(self) -> None:
        """Stop the process (SIGSTOP): connections stay open but nothing answers."""
        os.kill(self.process.pid, signal.SIGSTOP)
        self.frozen = True

    def unfreeze(self) -> None:
        os.kill(self.process.pid, signal.SIGCONT)
        self.frozen = False

    def _stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        if self.frozen:
            self.unfreeze()
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie child of ours still "exists": it is dead for our purposes.
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0] != "Z"
    except (OSError, IndexError):
        return False


def redis_cache_settings(server: RedisServer, timeout: float = 0.25, **options: float) -> dict:
    """Django's CACHES pointing the gateway's Redis cache at ``server``."""
    return {
        "default": {
            "BACKEND": "sms_gateway.ops.redis_cache.RedisCache",
            "LOCATION": server.url(),
            "OPTIONS": {"socket_timeout": timeout, "socket_connect_timeout": timeout, **options},
        }
    }
