"""The load generator: wrk with ``post.lua``, one run per call."""

# ruff: noqa: S603 (the commands are built here, from constants)

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

SCRIPT = Path(__file__).with_name("post.lua")


@dataclass
class LoadResult:
    connections: int
    requests: int
    seconds: float
    non2xx: int
    socket_errors: int
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    output: str

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def errors(self) -> int:
        return self.non2xx + self.socket_errors


def ensure_wrk() -> str:
    """The path of wrk, installing it with apt-get (as root) when missing."""
    if found := shutil.which("wrk"):
        return found
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        raise RuntimeError("wrk is missing: install it (apt-get install wrk)")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "wrk"]):
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
        if done.returncode:
            raise RuntimeError(f"{' '.join(command)} failed:\n{done.stdout}{done.stderr}")
    if found := shutil.which("wrk"):
        return found
    raise RuntimeError("wrk is still missing after apt-get install wrk")


class Load:
    """Runs wrk against ``url``; each run numbers its recipients after the previous ones."""

    def __init__(self, wrk: str, script: Path = SCRIPT) -> None:
        self.wrk = wrk
        self.script = script
        self.sent = 0

    def run(
        self, url: str, connections: int, seconds: int, tokens: tuple[str, ...] = ()
    ) -> LoadResult:
        """``tokens``: the Authorization values, taking turns (post.lua's default if none)."""
        command = [
            self.wrk, "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "30s",
            "--latency", "-s", str(self.script), url, "--", str(self.sent), *tokens,
        ]  # fmt: skip
        done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60)
        summary = next(
            (line[6:] for line in done.stdout.splitlines() if line.startswith("BENCH ")), None
        )
        if done.returncode or summary is None:
            raise RuntimeError(f"wrk failed ({done.returncode}):\n{done.stdout}{done.stderr}")
        data = json.loads(summary)
        self.sent += data["requests"] + connections
        return LoadResult(
            connections=connections,
            requests=data["requests"],
            seconds=data["duration_us"] / 1e6,
            non2xx=data["non2xx"],
            socket_errors=sum(data[k] for k in ("connect", "read", "write", "timeout")),
            p50_ms=data["p50_us"] / 1000,
            p90_ms=data["p90_us"] / 1000,
            p99_ms=data["p99_us"] / 1000,
            max_ms=data["max_us"] / 1000,
            output=done.stdout,
        )
