"""Benchmark the project against its floors, side by side: ``python -m bench [--quick|--smoke]``.

``--tenants`` adds the project with its guard on and two tenants (bench/tenants.py),
the load split between their two tokens, beside the single-tenant one. ``--ablate``
adds floor D without each of its obligations, to the p50 at 1 connection that the
targets measure alternating request bursts (bench/paired.py).

Starts a throwaway PostgreSQL and Redis, a fake Twilio, the project in its
production shape (``manage.py setup`` then gunicorn) with its fraud guard off,
the same project with the guard on (its limits made non-binding), floor A (bare
DRF), floor B (plain Django doing the same I/O), floor C (DRF, the Twilio SDK
and psycopg_pool doing that I/O) and floor D (floor C plus the product's own work
per SMS in the least code: bench/floors/product_views.py), loads each with wrk and
prints one table (markdown) with the issue's targets marked ok or MISS.
Everything it starts is stopped and removed on success, failure and Ctrl-C.
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, closing
from dataclasses import dataclass, field
from pathlib import Path

from tests.throwaway import PostgresCluster, RedisServer

from . import paired, servers, tenants
from .floors.plain_views import SCHEMA
from .load import Load, LoadResult, ensure_wrk
from .measure import (
    ProcessTree,
    RedisCounter,
    SqlCounter,
    delta,
    machine,
    machine_cpu,
    machine_load,
    shares,
)
from .report import TargetResult, render, render_floor_d, render_paired, render_tenants

PROJECT_DB, GUARD_DB = "bench_project", "bench_project_guard"
FLOOR_DB, FLOOR_C_DB, FLOOR_D_DB = "bench_floor_b", "bench_floor_c", "bench_floor_d"
TENANTS_DB = "bench_project_tenants"
PROJECT_REDIS_DB, GUARD_REDIS_DB, TENANTS_REDIS_DB, FLOOR_D_REDIS_DB = 0, 1, 2, 3
FLOOR_DG_REDIS_DB = 4  # floor D + guard: the least guard's counters
SLOW_MS, SLOW_CONNECTIONS = 300, 200
TWO_TENANTS = "project + guard, 2 tenants"
FLOOR_DG = "floor D + guard"
# "project + guard": every step of the default SMS_GUARD runs, none ever refuses.
NON_BINDING = 1_000_000_000
GUARD_ENV = {  # the pumping detector's four rules never trip (fraud/pumping.py)
    name: str(NON_BINDING)
    for name in (
        "SMS_GUARD_PUMPING_MIN_SMS",
        "SMS_GUARD_PUMPING_MIN_SMS_PER_HOUR",
        "SMS_GUARD_PUMPING_MIN_WALK",
    )
}
# --ablate: floor D without one obligation each, then without all of them.
ABLATIONS = ("indexes", "deadline", "metrics", "log", "indexes,deadline,metrics,log")
ABLATED_TABLE = (  # bench/floors/product_views.py's ABLATED_TABLE: only the primary key
    "CREATE TABLE floor_message_bare (LIKE sms_gateway_message INCLUDING DEFAULTS "
    "INCLUDING CONSTRAINTS, PRIMARY KEY (id))"
)
FILL_ABLATED_TABLE = (
    "INSERT INTO floor_message_bare SELECT * FROM sms_gateway_message",
    "ANALYZE floor_message_bare",
)
NON_BINDING_LIMITS = 'UPDATE sms_gateway_ratelimit SET "limit" = 1000000000 RETURNING scope'


@dataclass(frozen=True)
class Mode:
    name: str
    warm: int  # seconds of 16 connections before measuring a target (wrk takes whole seconds)
    phase: int  # seconds per measured run, in all, per target
    slow_warm: int
    slow: int
    # Each measured run is cut in this many slices, the targets taking turns slice by
    # slice (interleaved): a drift of the shared machine reaches every target alike.
    rounds: int = 1
    # Requests kept per target at one connection, the targets alternating in short
    # bursts (bench/paired.py): the p50 differences without the drift between slices.
    paired: int = 20


MODES = {
    "full": Mode("full", warm=5, phase=15, slow_warm=3, slow=15, rounds=5, paired=3000),
    "quick": Mode("quick", warm=2, phase=4, slow_warm=1, slow=4, rounds=2, paired=500),
    "smoke": Mode("smoke", warm=1, phase=1, slow_warm=0, slow=1),
}


class Progress:
    def __init__(self) -> None:
        self.start = time.monotonic()

    def __call__(self, message: str) -> None:
        print(f"[{time.monotonic() - self.start:5.1f} s] {message}", file=sys.stderr, flush=True)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    speed = parser.add_mutually_exclusive_group()
    speed.add_argument(
        "--quick",
        action="store_const",
        dest="mode",
        const="quick",
        help="about a minute: shorter runs",
    )
    speed.add_argument(
        "--smoke",
        action="store_const",
        dest="mode",
        const="smoke",
        help="about 20 s: a sanity run, numbers too short to trust",
    )
    parser.add_argument(
        "--env",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="set a variable for the project (repeatable), e.g. "
        "GUNICORN_THREADS=8; the floors follow its workers x threads",
    )
    parser.add_argument(
        "--tenants",
        action="store_true",
        help="also the project with its guard on and two tenants, the load split between "
        "their tokens (about 40 s more)",
    )
    parser.add_argument(
        "--ablate",
        action="store_true",
        help="also floor D without each of its obligations (the table's indexes, the "
        "deadline, the counters, the log line), in the alternating p50 at 1 connection",
    )
    parser.add_argument(
        "--markdown", type=Path, metavar="FILE", help="also write the report to FILE"
    )
    parser.add_argument(
        "--project",
        type=Path,
        default=servers.ROOT,
        metavar="DIR",
        help="the checkout to benchmark (default: this one)",
    )
    parser.add_argument(
        "--logs", type=Path, metavar="DIR", help="copy the servers' logs to DIR at the end"
    )
    parser.set_defaults(mode="full")
    args = parser.parse_args(argv)
    try:
        args.overrides = dict(item.split("=", 1) for item in args.env)
    except ValueError:
        parser.error("--env takes KEY=VALUE")
    return args


def revision(project: Path) -> str:
    """The commit benchmarked, read without touching the repository (no index refresh)."""

    def git(*args: str) -> subprocess.CompletedProcess:
        command = ["git", *args]
        return subprocess.run(command, cwd=project, capture_output=True, text=True)  # noqa: S603, S607

    head = git("rev-parse", "--short", "HEAD")
    if head.returncode:
        return "unknown (not a git checkout)"
    changed = git("diff-index", "--quiet", "HEAD", "--").returncode
    return head.stdout.strip() + (" + uncommitted changes" if changed else "")


def probe(target: servers.Gunicorn, tokens: tuple[str, ...] = ()) -> list[str]:
    """One request by hand per token: what a failing target answers, to put in the report."""
    problems = []
    with servers.session() as http:
        for token in tokens or (servers.TOKEN,):
            answer = http.post(
                target.url + "/sms/send",
                json=servers.BODY,
                headers={"Authorization": token},
                timeout=30,
            )
            if not 200 <= answer.status_code < 300:
                problems.append(f"{target.name} answered {answer.status_code}: {answer.text[:300]}")
    return problems


class Bench:
    def __init__(self, mode: Mode, load: Load, fake: servers.FakeProvider, say: Progress) -> None:
        self.mode, self.load, self.fake, self.say = mode, load, fake, say

    def run(  # noqa: ANN201
        self,
        target: servers.Gunicorn,
        connections: int,
        seconds: float,
        tokens: tuple[str, ...] = (),
    ):
        self.say(f"{target.name}: {connections} connection(s), {seconds} s")
        result = self.load.run(target.url + "/sms/send", connections, seconds, tokens)
        self.fake.drain()
        return result

    def measure_interleaved(self, specs: list[Spec]) -> list[TargetResult]:
        """``measure`` for several targets at once: each warmed up, then every measured
        run cut in ``mode.rounds`` slices that the targets take in turns (the order
        rotating each round), the counts summed over a target's slices."""
        results = []
        for spec in specs:
            result = TargetResult(spec.target.name)
            result.notes += probe(spec.target, spec.tokens)
            self.run(spec.target, 16, self.mode.warm, spec.tokens)
            results.append(result)
        rounds, step = self.mode.rounds, max(1, self.mode.phase // self.mode.rounds)
        c1: list[list[LoadResult]] = [[] for _ in specs]
        for index in self._turns(len(specs), rounds):
            c1[index].append(self.run(specs[index].target, 1, step, specs[index].tokens))
        counted = [Counted() for _ in specs]
        for index in self._turns(len(specs), rounds):
            spec, count = specs[index], counted[index]
            tree = ProcessTree(spec.target.pid)
            sql_before = spec.sql.snapshot() if spec.sql else None
            redis_before = spec.redis.snapshot() if spec.redis else None
            sms_before, cpu_before = self.fake.messages(), tree.cpu_seconds()
            workers_before, machine_before = tree.worker_cpu(), machine_cpu()
            self.say(f"{spec.target.name}: 16 connections, {step} s (counted)")
            count.runs.append(self.load.run(spec.target.url + "/sms/send", 16, step, spec.tokens))
            count.cpu += tree.cpu_seconds() - cpu_before
            count.add_machine(machine_before, machine_cpu())
            for pid, seconds in tree.worker_cpu().items():
                count.workers[pid] = (
                    count.workers.get(pid, 0.0) + seconds - workers_before.get(pid, seconds)
                )
            self.fake.drain()
            count.sms += self.fake.messages() - sms_before
            if spec.sql:
                count.sql += delta(sql_before, spec.sql.snapshot())
            if spec.redis:
                count.redis += delta(redis_before, spec.redis.snapshot())
        for spec, result, runs, count in zip(specs, results, c1, counted, strict=True):
            result.c1 = combined(runs)
            result.c16 = combined(count.runs)
            result.busy = count.busy()
            result.split = shares({}, count.workers)
            result.sms = count.sms
            result.sql = count.sql if spec.sql else None
            result.redis = count.redis if spec.redis else None
            if result.c16.requests:
                result.cpu_ms = count.cpu * 1000 / result.c16.requests
        return results

    def slow_interleaved(self, pairs: list[tuple[servers.Gunicorn, TargetResult]]) -> None:
        for target, _ in pairs:
            if self.mode.slow_warm:
                self.run(target, SLOW_CONNECTIONS, self.mode.slow_warm)
        runs: list[list[LoadResult]] = [[] for _ in pairs]
        step = max(1, self.mode.slow // self.mode.rounds)
        for index in self._turns(len(pairs), self.mode.rounds):
            runs[index].append(self.run(pairs[index][0], SLOW_CONNECTIONS, step))
        for (_, result), slices in zip(pairs, runs, strict=True):
            result.slow = combined(slices)

    @staticmethod
    def _turns(targets: int, rounds: int) -> list[int]:
        """The targets' turns: every target once a round, the first one rotating."""
        return [(first + i) % targets for first in range(rounds) for i in range(targets)]


@dataclass(frozen=True)
class Spec:
    target: servers.Gunicorn
    sql: SqlCounter | None = None
    redis: RedisCounter | None = None
    tokens: tuple[str, ...] = ()


@dataclass
class Counted:
    """A target's counts summed over its counted slices."""

    runs: list = field(default_factory=list)
    cpu: float = 0.0
    sms: int = 0
    sql: Counter = field(default_factory=Counter)
    redis: Counter = field(default_factory=Counter)
    workers: dict = field(default_factory=dict)
    jiffies: tuple[int, int, int] = (0, 0, 0)

    def add_machine(self, before: tuple[int, int, int], after: tuple[int, int, int]) -> None:
        self.jiffies = tuple(  # type: ignore[assignment]
            s + a - b for s, a, b in zip(self.jiffies, after, before, strict=True)
        )

    def busy(self) -> tuple[float, float]:
        return machine_load((0, 0, 0), self.jiffies)


def combined(runs: list[LoadResult]) -> LoadResult:
    """Slices of one run as one: counts and seconds summed; p50, p90 and p99 the median
    of the slices' (wrk gives no histogram to merge), max the largest."""
    if len(runs) == 1:
        return runs[0]

    def median(name: str) -> float:
        return statistics.median(getattr(run, name) for run in runs)

    return LoadResult(
        connections=runs[0].connections,
        requests=sum(run.requests for run in runs),
        seconds=sum(run.seconds for run in runs),
        non2xx=sum(run.non2xx for run in runs),
        socket_errors=sum(run.socket_errors for run in runs),
        p50_ms=median("p50_ms"),
        p90_ms=median("p90_ms"),
        p99_ms=median("p99_ms"),
        max_ms=max(run.max_ms for run in runs),
        output="\n".join(run.output for run in runs),
    )


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    mode, project = MODES[args.mode], args.project.resolve()
    say = Progress()
    # SIGTERM unwinds like Ctrl-C, so that everything started is stopped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    load = Load(ensure_wrk())
    header = {
        "mode": f"{mode.name}: warm-up {mode.warm} s, {mode.phase} s per run, slow provider "
        f"warm-up {mode.slow_warm} s + {mode.slow} s (floors B, C and D and project only)"
        + (
            f"; each run in {mode.rounds} slices, the targets taking turns (interleaved)"
            if mode.rounds > 1
            else ""
        )
    }
    header.update(machine())
    header["project"] = f"{project} at {revision(project)}"

    with ExitStack() as stack:
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-")))
        if args.logs:
            stack.callback(copy_logs, workdir, args.logs)
        say("starting PostgreSQL, Redis and the fake provider")
        pg = stack.enter_context(
            PostgresCluster(
                max_connections=300,
                extra_conf=["shared_preload_libraries = 'pg_stat_statements'"],
            )
        )
        redis_server = stack.enter_context(RedisServer())
        fake = stack.enter_context(servers.FakeProvider(workdir / "fake.log"))

        project_url = pg.create_database(PROJECT_DB)
        guard_url = pg.create_database(GUARD_DB)
        floor_url = pg.create_database(FLOOR_DB)
        floor_c_url = pg.create_database(FLOOR_C_DB)
        floor_d_url = pg.create_database(FLOOR_D_DB)
        tenants_url = pg.create_database(TENANTS_DB) if args.tenants else None
        # Read from the "postgres" database: the counting query is never counted itself.
        pg.execute("CREATE EXTENSION pg_stat_statements")
        pg.execute(SCHEMA, FLOOR_DB)
        pg.execute(SCHEMA, FLOOR_C_DB)

        # The project with its guard off measures the send path the floors do;
        # "project + guard" is the same code with the default SMS_GUARD.
        env = servers.project_env(
            project,
            project_url,
            redis_server.url(PROJECT_REDIS_DB),
            fake.url,
            workdir,
            args.overrides,
            extra={"SMS_GUARD": ""},
        )
        guard_env = servers.project_env(
            project,
            guard_url,
            redis_server.url(GUARD_REDIS_DB),
            fake.url,
            workdir,
            args.overrides,
            slug="project-guard",
            extra=GUARD_ENV,
        )
        # "project + guard, 2 tenants": the same as "project + guard", and a second
        # tenant with its own token, template, route (its own provider alias) and limits.
        tenants_env = servers.project_env(
            project,
            tenants_url,
            redis_server.url(TENANTS_REDIS_DB),
            fake.url,
            workdir,
            args.overrides,
            slug="project-tenants",
            extra={**GUARD_ENV, "SMS_PROVIDERS": tenants.providers(fake.url)},
        ) if args.tenants else None  # fmt: skip
        # Floor D writes to the project's own table: its database is migrated as the
        # project's is (manage.py setup, this environment); it is not served by the project.
        floor_d_setup = servers.project_env(
            project, floor_d_url, redis_server.url(FLOOR_D_REDIS_DB), fake.url, workdir,
            args.overrides, slug="floor-d", extra={"SMS_GUARD": ""},
        )  # fmt: skip
        conf = servers.gunicorn_settings(env, project)
        header["gunicorn"] = (
            f"{conf['workers']} workers × {conf['threads']} threads ({conf['worker_class']}) "
            "for every target"
        )
        if args.overrides:
            header["project overrides"] = " ".join(args.env) + " (every project)"
        if os.environ.get("FLOOR_GC_FREEZE") == "1":
            header["floors"] = "FLOOR_GC_FREEZE=1: each floor's workers freeze what they loaded"
        floor_env = {
            "FLOOR_DATABASE_URL": floor_url,
            "FLOOR_PROVIDER_URL": f"{fake.url}/2010-04-01/Accounts/{servers.ACCOUNT_SID}"
            "/Messages.json",
        }
        floor_c_env = {"FLOOR_DATABASE_URL": floor_c_url, "FLOOR_PROVIDER_BASE": fake.url}
        floor_d_env = {
            "FLOOR_DATABASE_URL": floor_d_url,
            "FLOOR_PROVIDER_BASE": fake.url,
            "FLOOR_TOKEN": servers.TOKEN,
            "PROMETHEUS_MULTIPROC_DIR": floor_d_setup["PROMETHEUS_MULTIPROC_DIR"],
        }
        say("starting the floors; manage.py setup, then the project")
        floor_a = stack.enter_context(
            servers.floor_server(
                "floor A", "bench.floors.drf_settings", conf, {}, workdir / "floor_a.log"
            )
        )
        floor_b = stack.enter_context(
            servers.floor_server(
                "floor B", "bench.floors.plain_settings", conf, floor_env, workdir / "floor_b.log"
            )
        )
        floor_c = stack.enter_context(
            servers.floor_server(
                "floor C", "bench.floors.stack_settings", conf, floor_c_env, workdir / "floor_c.log"
            )
        )
        with ThreadPoolExecutor(4) as pool:
            setups = [
                pool.submit(servers.setup_project, env, project, workdir / "setup.log"),
                pool.submit(servers.setup_project, guard_env, project, workdir / "setup_guard.log"),
                pool.submit(
                    servers.setup_project, floor_d_setup, project, workdir / "setup_floor_d.log"
                ),
            ]
            if args.tenants:
                setups.append(pool.submit(setup_tenants, tenants_env, project, workdir))
            second = [done.result() for done in setups][3:]
        floor_d = stack.enter_context(
            servers.floor_server(
                "floor D", "bench.floors.product_settings", conf, floor_d_env,
                workdir / "floor_d.log",
            )
        )  # fmt: skip
        # Floor D + guard: floor D with the least code doing the guard's work, on floor
        # D's database (its SQL is floor D's) and a Redis db of its own.
        floor_dg = stack.enter_context(
            servers.floor_server(
                FLOOR_DG, "bench.floors.product_settings", conf,
                {**floor_d_env, "FLOOR_GUARD_REDIS": redis_server.url(FLOOR_DG_REDIS_DB)},
                workdir / "floor_dg.log",
            )
        )  # fmt: skip
        ablated = []
        if args.ablate:
            pg.execute(ABLATED_TABLE, FLOOR_D_DB)
            for without in ABLATIONS:
                name = f"floor D without {without.replace(',', ', ')}"
                log = workdir / f"floor_d_without_{without.replace(',', '_')}.log"
                ablated.append(
                    stack.enter_context(
                        servers.floor_server(
                            name, "bench.floors.product_settings", conf,
                            {**floor_d_env, "FLOOR_D_WITHOUT": without}, log,
                        )
                    )
                )  # fmt: skip
        # Before the workers load their snapshot: they read the limits once.
        scopes = [scope for (scope,) in pg.execute(NON_BINDING_LIMITS, GUARD_DB)]
        header["targets"] = (
            "project: the gateway with its fraud guard off (`SMS_GUARD=` empty), the send "
            "path the floors do; project + guard: the same with the default `SMS_GUARD` "
            f"(every step runs), its {len(scopes)} rate limits raised to {NON_BINDING:,} and "
            f"the pumping detector's thresholds (`SMS_GUARD_PUMPING_MIN_SMS`, `_MIN_SMS_PER_HOUR`, "
            f"`_MIN_WALK`) at {NON_BINDING} so that none refuses, on its own "
            f"database and Redis db {GUARD_REDIS_DB}; every request has another recipient "
            "(+33 6 12 3x xx xx, valid mobiles) and another `payload.ip`"
        )
        if args.tenants:
            raised = len(pg.execute(NON_BINDING_LIMITS, TENANTS_DB))
            header["targets, 2 tenants"] = (
                "project + guard, 2 tenants: the same as project + guard, on its own database "
                f"and Redis db {TENANTS_REDIS_DB}, with a second tenant (id {second[0]}) added "
                "as an operator would: its own token, SignIn/fr template, route for +33 "
                f"through its own Twilio account (`{tenants.ALIAS}`) and a rate limit of its "
                f"own beside the shipped ones ({raised} limits of both tenants raised to "
                f"{NON_BINDING:,}); the load alternates the two tokens, one request each"
            )
        gateway = stack.enter_context(servers.project_server(env, project, workdir / "project.log"))
        guarded = stack.enter_context(
            servers.project_server(
                guard_env, project, workdir / "project_guard.log", name="project + guard"
            )
        )
        two = stack.enter_context(
            servers.project_server(
                tenants_env, project, workdir / "project_tenants.log", name=TWO_TENANTS
            )
        ) if args.tenants else None  # fmt: skip
        for target in (fake, floor_a, floor_b, floor_c, floor_d, floor_dg, gateway, guarded, two):
            if target is not None:
                target.wait_ready()
        for target in ablated:
            target.wait_ready()
        say("all up")

        sql_project = stack.enter_context(closing(SqlCounter(pg.url(), PROJECT_DB)))
        sql_guard = stack.enter_context(closing(SqlCounter(pg.url(), GUARD_DB)))
        sql_two = stack.enter_context(closing(SqlCounter(pg.url(), TENANTS_DB))) if two else None
        sql_floor = stack.enter_context(closing(SqlCounter(pg.url(), FLOOR_DB)))
        sql_floor_c = stack.enter_context(closing(SqlCounter(pg.url(), FLOOR_C_DB)))
        sql_floor_d = stack.enter_context(closing(SqlCounter(pg.url(), FLOOR_D_DB)))
        # INFO commandstats counts the whole server: right because one target runs at a time.
        redis_counter = stack.enter_context(closing(RedisCounter(redis_server.url())))
        bench = Bench(mode, load, fake, say)
        projects = (gateway, guarded, two) if two else (gateway, guarded)
        workers_before = {t.name: set(ProcessTree(t.pid).workers()) for t in projects}

        # Interleaved: the targets take turns slice by slice (Mode.rounds), so that the
        # machine's drift reaches all of them alike and the same-run ratios hold.
        specs = [
            Spec(floor_a), Spec(floor_b, sql_floor), Spec(floor_c, sql_floor_c),
            Spec(floor_d, sql_floor_d), Spec(gateway, sql_project, redis_counter),
            Spec(guarded, sql_guard, redis_counter), Spec(floor_dg, None, redis_counter),
        ]  # fmt: skip
        if two:
            specs.append(Spec(two, sql_two, redis_counter, tenants.TOKENS))
        a, b, c, d, p, g, dg, *rest = bench.measure_interleaved(specs)
        t = rest[0] if two else None
        alternating = [floor_c, floor_d, gateway, guarded, floor_dg, *ablated]
        if ablated:  # the copy as big as floor D's table by now: the same depth, the same heap
            for sql in FILL_ABLATED_TABLE:
                pg.execute(sql, FLOOR_D_DB)
        say(f"{len(alternating)} targets alternating at 1 connection, {mode.paired} requests each")
        pairs = paired.alternate(
            [(x.name, x.url, servers.TOKEN) for x in alternating], mode.paired, load.sent
        )
        load.sent = pairs.sent
        fake.drain()
        fake.set_latency(SLOW_MS)
        bench.slow_interleaved([(floor_b, b), (floor_c, c), (floor_d, d), (gateway, p)])
        fake.set_latency(0)

        results = ((floor_a, a), (floor_b, b), (floor_c, c), (gateway, p), (guarded, g))
        project_results = ((gateway, p), (guarded, g)) + (((two, t),) if two else ())
        for target, result in results + ((floor_d, d), (floor_dg, dg)) + project_results[2:]:
            result.rss_mb = ProcessTree(target.pid).worker_rss_mb()
        for target, result in project_results:
            if set(ProcessTree(target.pid).workers()) != workers_before[target.name]:
                result.notes.append(
                    f"{target.name} workers were replaced during the run (max_requests?)"
                )
        report = render(header, a, b, c, p, g) + render_floor_d(c, d, p, g, dg)
        report += render_paired(
            pairs, c.name, d.name, p.name, g.name, dg.name, [x.name for x in ablated]
        )
        if two:
            sent = tenants.records(pg.execute(tenants.RECORDS, TENANTS_DB))
            keys = tenants.counter_keys(redis_server.url(TENANTS_REDIS_DB), second[0])
            report += render_tenants(g, t, sent, second[0], keys)
    say("stopped everything")
    print(report, end="")
    if args.markdown:
        args.markdown.write_text(report)
    return 0


def setup_tenants(env: dict[str, str], project: Path, workdir: Path) -> int:
    """``manage.py setup``, then the second tenant; its id."""
    servers.setup_project(env, project, workdir / "setup_tenants.log")
    return tenants.add_second_tenant(env, project, workdir / "setup_second_tenant.log")


def copy_logs(workdir: Path, destination: Path) -> None:
    destination.mkdir(parents=True, exist_ok=True)
    for log in workdir.glob("*.log"):
        (destination / log.name).write_bytes(log.read_bytes())


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        print("interrupted: everything started was stopped", file=sys.stderr)
        sys.exit(130)
    except RuntimeError as err:
        print(f"bench failed: {err}", file=sys.stderr)
        sys.exit(1)
