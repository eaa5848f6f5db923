"""A soak: the project with its guard on, a new number per request, minute by minute.

``python -m bench.soak [--minutes 10] [--phase up|down|both]``

Phase *up*: Redis reachable. Phase *down*: the project's ``CACHE_URL`` points at a
port where nothing listens, so the guard counts per process (its documented
fallback). Each minute is one wrk run of 16 connections; after it the soak reads
the workers' largest RSS, Redis' memory and key count, and the ERROR lines
logged. Worker recycling is off (``GUNICORN_MAX_REQUESTS=0``) so that nothing
hides growth. The verdict lines at the end are issue 18's: worker RSS flat,
Redis memory per key constant, throughput in the last minute ≥ 90 % of the first.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import tempfile
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import redis

from tests.throwaway import PostgresCluster, RedisServer, free_port

from . import servers
from .__main__ import GUARD_ENV, NON_BINDING_LIMITS, Progress
from .load import Load, ensure_wrk
from .measure import ProcessTree

SCRIPT = Path(__file__).with_name("soak.lua")
CONNECTIONS = 16
# RSS may move a little as the allocator settles: "flat" allows this much over
# the first measured minute, in MB.
RSS_SLACK_MB = 8.0


@dataclass
class Minute:
    rps: float
    errors: int
    rss_mb: float
    redis_bytes: int | None
    redis_keys: int | None
    error_lines: int
    error_messages: tuple[str, ...] = ()

    @property
    def bytes_per_key(self) -> float | None:
        if not self.redis_keys or self.redis_bytes is None:
            return None
        return self.redis_bytes / self.redis_keys


def soak(phase: str, minutes: int, say: Progress) -> list[Minute]:
    load = Load(ensure_wrk(), SCRIPT)
    with ExitStack() as stack:
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="soak-")))
        pg = stack.enter_context(PostgresCluster(max_connections=100))
        redis_server = stack.enter_context(RedisServer())
        fake = stack.enter_context(servers.FakeProvider(workdir / "fake.log"))
        database = pg.create_database("soak")
        cache_url = redis_server.url(0) if phase == "up" else f"redis://127.0.0.1:{free_port()}/0"
        overrides = {"GUNICORN_MAX_REQUESTS": "0", "CACHE_URL": cache_url}
        env = servers.project_env(
            servers.ROOT, database, cache_url, fake.url, workdir, overrides, extra=GUARD_ENV
        )
        servers.setup_project(env, servers.ROOT, workdir / "setup.log")
        pg.execute(NON_BINDING_LIMITS, "soak")
        log = workdir / "project.log"
        project = stack.enter_context(servers.project_server(env, servers.ROOT, log))
        fake.wait_ready()
        project.wait_ready()
        counter = redis.Redis.from_url(redis_server.url(0))
        baseline = counter.info("memory")["used_memory"] if phase == "up" else None
        tree = ProcessTree(project.pid)
        url = project.url + "/sms/send"
        found: list[Minute] = []
        for minute in range(1, minutes + 1):
            result = load.run(url, CONNECTIONS, 60)
            fake.drain()
            used = keys = None
            if phase == "up":
                used = counter.info("memory")["used_memory"] - baseline
                keys = counter.dbsize()
            errors = [line for line in log.read_text().splitlines() if '"ERROR"' in line]
            messages = tuple(dict.fromkeys(_message(line) for line in errors))
            found.append(
                Minute(
                    result.rps, result.errors, tree.worker_rss_mb(), used, keys, len(errors),
                    messages,
                )
            )  # fmt: skip
            say(f"{phase} minute {minute}: {result.rps:.0f} req/s, RSS {found[-1].rss_mb:.1f} MB")
        return found


def _message(line: str) -> str:
    try:
        return str(json.loads(line).get("message", line))[:160]
    except ValueError:
        return line[:160]


def report(phase: str, found: list[Minute]) -> list[str]:
    title = "Redis up" if phase == "up" else "Redis unreachable (per-process fallback)"
    lines = [
        f"## {title}",
        "",
        "| minute | req/s | errors | worker RSS MB | Redis MB | keys | bytes per key "
        "| ERROR lines |",
        "|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for number, m in enumerate(found, 1):
        redis_mb = "–" if m.redis_bytes is None else f"{m.redis_bytes / 1e6:.1f}"
        keys = "–" if m.redis_keys is None else f"{m.redis_keys:,}"
        per_key = "–" if m.bytes_per_key is None else f"{m.bytes_per_key:.0f}"
        lines.append(
            f"| {number} | {m.rps:.0f} | {m.errors} | {m.rss_mb:.1f} | {redis_mb} | {keys} "
            f"| {per_key} | {m.error_lines} |"
        )
    first, last = found[0], found[-1]
    growth = max(m.rss_mb for m in found[1:]) - found[1].rss_mb if len(found) > 1 else 0.0
    ratio = last.rps / first.rps if first.rps else 0.0
    lines += [
        "",
        f"- worker RSS from minute 2 on grew {growth:.1f} MB "
        f"({'flat' if growth <= RSS_SLACK_MB else 'GROWS'}, {RSS_SLACK_MB} MB allowed)",
        f"- last minute {ratio:.2f}× the first ({'ok' if ratio >= 0.9 else 'MISS'}, ≥ 0.90)",
    ]
    per_key = [m.bytes_per_key for m in found if m.bytes_per_key is not None]
    if per_key:
        # Keys come and go (new numbers, expiring windows): per key, the last minute
        # against the first tells growth from the allocator's noise.
        grows = per_key[-1] > 1.1 * per_key[0]
        lines.append(
            f"- Redis bytes per key: {min(per_key):.0f} to {max(per_key):.0f}, last minute "
            f"{per_key[-1] / per_key[0]:.2f}× the first ({'GROWS' if grows else 'constant'})"
        )
    lines.append(f"- ERROR lines over the soak: {last.error_lines}")
    lines += [f"  - {message}" for message in last.error_messages[:5]]
    return lines + [""]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.soak", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--minutes", type=int, default=10)
    parser.add_argument("--phase", choices=("up", "down", "both"), default="both")
    parser.add_argument("--markdown", type=Path, help="also write the report to FILE")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    say = Progress()
    lines = [f"# Soak: {args.minutes} minutes per phase, {CONNECTIONS} connections", ""]
    for phase in ("up", "down") if args.phase == "both" else (args.phase,):
        lines += report(phase, soak(phase, args.minutes, say))
    text = "\n".join(lines)
    print(text)
    if args.markdown:
        args.markdown.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
