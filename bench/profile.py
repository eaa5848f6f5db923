"""Where a worker's CPU goes per SMS: ``python -m bench.profile [--seconds N]``.

Starts the project in its production shape (as ``python -m bench`` does: a
throwaway PostgreSQL and Redis, the fake Twilio answering at once, gunicorn 2
workers) with the default guard on and its limits non-binding, and floor C;
loads each with 16 connections while py-spy samples every worker (``pip
install py-spy``), and prints the CPU ms per SMS by part of the send path: the
worker's CPU time (``/proc``) split in the shares of py-spy's samples. A sample
is put in the first group, in ``GROUPS``' order, one of whose patterns appears
in its stack.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from contextlib import ExitStack
from pathlib import Path

from tests.throwaway import PostgresCluster, RedisServer

from . import servers
from .__main__ import GUARD_ENV, NON_BINDING_LIMITS, Progress
from .floors.plain_views import SCHEMA
from .load import Load, ensure_wrk
from .measure import ProcessTree

# A sample whose stack passes through one of the send path's stages that own their
# callees (the guard's phonenumbers lookup is the guard's) is that stage's; any other
# goes to the group of its frame nearest the leaf that one of LEAF_GROUPS names (a
# middleware's own code, not the view it wraps), or to OTHER when a frame of the
# frameworks (FRAMEWORK) is nearer. Patterns are parts of py-spy's
# "function (file:line)" frame text.
OWNING = [
    ("the guard", ("sending/guard.py", "sms_gateway/fraud/", "budgets/spend.py")),
    ("the two writes (Django's database layer, psycopg, pool)",
     ("sending/record.py", "sending/statements.py", "sending/durability.py", "(psycopg",
      "django/db/")),
    ("provider call (SDK, HTTP)", ("sms_gateway/providers/", "(twilio/", "(requests/",
                                   "(urllib3/")),
]  # fmt: skip
LEAF_GROUPS = [
    ("logging and metrics", ("(logging/", "prometheus_client", "sms_gateway/ops/metrics",
                             "sms_gateway/ops/log_format")),
    ("serializer and validation (phonenumbers included)",
     ("rest_framework/serializers", "rest_framework/fields", "sms_gateway/api/serializers",
      "sms_gateway/core/phone.py", "(phonenumbers/")),
    ("prepare (locale, template, route)", ("sending/prepare.py", "sms_gateway/core/",
                                           "sms_gateway/catalog/", "sms_gateway/routing/")),
    ("middleware", ("django/middleware/", "sms_gateway/ops/csp.py", "ops/request_id.py",
                    "ProbeHostMiddleware", "whitenoise")),
    ("pipeline glue, deadline watchdog", ("sms_gateway/sending/", "sms_gateway/api/")),
]  # fmt: skip
GROUPS = OWNING + LEAF_GROUPS
OTHER = "DRF view, Django handler, gunicorn, other"
# The frameworks' own frames stop the walk toward the root: DRF's dispatch (its
# negotiation, authentication, rendering) and Django's handler, URL resolution and
# response, reached through a middleware (which calls the next one) or the project's
# WSGI application, are theirs, as they are in the floors, not that middleware's or
# the pipeline's. Checked after LEAF_GROUPS' patterns on each frame, so DRF's
# serializers and fields stay in theirs.
FRAMEWORK = ("(rest_framework/", "(django/core/handlers/", "(django/urls/", "(django/http/",
             "(django/views/", "(django/template/")  # fmt: skip
KEEP: Path | None = None  # --keep DIR: py-spy's raw files are copied there
# --gil: sample only the thread holding the GIL (Python running), not a thread waiting
# for it or blocked in a socket call, which py-spy may count as busy.
GIL: list[str] = []


def group_of(stack: str) -> str:
    for name, patterns in OWNING:
        if any(pattern in stack for pattern in patterns):
            return name
    for frame in reversed(stack.split(";")):
        for name, patterns in LEAF_GROUPS:
            if any(pattern in frame for pattern in patterns):
                return name
        if any(pattern in frame for pattern in FRAMEWORK):
            return OTHER
    return OTHER


def grouped(raw: str) -> Counter:
    """py-spy's raw (collapsed) output: ``frame;frame;... count`` per line."""
    samples: Counter = Counter()
    for line in raw.splitlines():
        stack, _, count = line.rpartition(" ")
        if stack and count.isdigit():
            samples[group_of(stack)] += int(count)
    return samples


def profile(
    target: servers.Gunicorn,
    load: Load,
    fake: servers.FakeProvider,
    seconds: int,
    workdir: Path,
    say: Progress,
) -> tuple[Counter, float, int]:
    """Samples by group, CPU seconds of the workers, SMS served."""  # fmt: skip
    pyspy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    load.run(target.url + "/sms/send", 16, 3)  # warm
    fake.drain()
    tree = ProcessTree(target.pid)
    workers = tree.workers()
    outputs = [workdir / f"{target.name.replace(' ', '_')}-{pid}.txt" for pid in workers]
    spies = [
        subprocess.Popen(  # noqa: S603
            [
                pyspy,
                "record",
                "--pid",
                str(pid),
                "--rate",
                "250",
                "--format",
                "raw",
                "--duration",
                str(seconds + 1),
                "--output",
                str(out),
                "--nonblocking",
                *GIL,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        for pid, out in zip(workers, outputs, strict=True)
    ]
    time.sleep(0.5)
    say(f"{target.name}: 16 connections, {seconds} s, py-spy on {len(workers)} workers")
    sms_before, cpu_before = fake.messages(), tree.worker_cpu()
    load.run(target.url + "/sms/send", 16, seconds)
    cpu_after = tree.worker_cpu()
    fake.drain()
    sms = fake.messages() - sms_before
    for spy in spies:
        spy.wait(timeout=60)
    if KEEP:
        for out in outputs:
            if out.exists():
                shutil.copy(out, KEEP / out.name)
    samples: Counter = Counter()
    for out in outputs:
        if out.exists():
            samples += grouped(out.read_text())
    cpu = sum(cpu_after[pid] - cpu_before.get(pid, 0.0) for pid in cpu_after)
    return samples, cpu, sms


def render(rows: dict[str, tuple[Counter, float, int]]) -> str:
    names = list(rows)
    lines = [
        "| ms of worker CPU per SMS | " + " | ".join(names) + " |",
        "|---|" + "--:|" * len(names),
    ]
    per_sms = {}
    for name, (samples, cpu, sms) in rows.items():
        total = sum(samples.values()) or 1
        per_sms[name] = {g: cpu * 1000 / max(sms, 1) * n / total for g, n in samples.items()}
    for group in [g for g, _ in GROUPS] + [OTHER]:
        lines.append(
            f"| {group} | " + " | ".join(f"{per_sms[n].get(group, 0):.2f}" for n in names) + " |"
        )
    lines.append(
        "| **worker CPU per SMS** | "
        + " | ".join(f"**{cpu * 1000 / max(sms, 1):.2f}**" for _, cpu, sms in rows.values())
        + " |"
    )
    lines.append(
        "| py-spy samples / SMS served | "
        + " | ".join(f"{sum(s.values())} / {sms}" for s, _, sms in rows.values())
        + " |"
    )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.profile", description=__doc__)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--markdown", type=Path, metavar="FILE")
    parser.add_argument("--keep", type=Path, metavar="DIR", help="keep py-spy's raw output")
    parser.add_argument("--guard-off", action="store_true", help="the project with SMS_GUARD empty")
    parser.add_argument("--gil", action="store_true", help="sample only the GIL's holder")
    args = parser.parse_args(argv)
    global KEEP
    KEEP = args.keep
    GIL[:] = ["--gil"] if args.gil else []
    if KEEP:
        KEEP.mkdir(parents=True, exist_ok=True)
    if not (shutil.which("py-spy") or Path(sys.executable).with_name("py-spy").exists()):
        print("py-spy is missing: pip install py-spy", file=sys.stderr)
        return 1
    say, load, project = Progress(), Load(ensure_wrk()), servers.ROOT
    with ExitStack() as stack:
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-prof-")))
        pg = stack.enter_context(PostgresCluster(max_connections=300))
        redis_server = stack.enter_context(RedisServer())
        fake = stack.enter_context(servers.FakeProvider(workdir / "fake.log"))
        guard_url, floor_c_url = pg.create_database("prof_guard"), pg.create_database("prof_c")
        floor_d_url = pg.create_database("prof_d")
        pg.execute(SCHEMA, "prof_c")
        env = servers.project_env(
            project, guard_url, redis_server.url(1), fake.url, workdir, {},
            slug="project-guard", extra={"SMS_GUARD": ""} if args.guard_off else GUARD_ENV,
        )  # fmt: skip
        conf = servers.gunicorn_settings(env, project)
        floor_d_setup = servers.project_env(
            project, floor_d_url, redis_server.url(3), fake.url, workdir, {}, slug="floor-d",
            extra={"SMS_GUARD": ""},
        )  # fmt: skip
        servers.setup_project(floor_d_setup, project, workdir / "setup_floor_d.log")
        floor_d = stack.enter_context(
            servers.floor_server(
                "floor D", "bench.floors.product_settings", conf,
                {"FLOOR_DATABASE_URL": floor_d_url, "FLOOR_PROVIDER_BASE": fake.url,
                 "FLOOR_TOKEN": servers.TOKEN,
                 "PROMETHEUS_MULTIPROC_DIR": floor_d_setup["PROMETHEUS_MULTIPROC_DIR"]},
                workdir / "floor_d.log",
            )
        )  # fmt: skip
        floor_c = stack.enter_context(
            servers.floor_server(
                "floor C", "bench.floors.stack_settings", conf,
                {"FLOOR_DATABASE_URL": floor_c_url, "FLOOR_PROVIDER_BASE": fake.url},
                workdir / "floor_c.log",
            )
        )  # fmt: skip
        servers.setup_project(env, project, workdir / "setup.log")
        pg.execute(NON_BINDING_LIMITS, "prof_guard")
        name = "project" if args.guard_off else "project + guard"
        guarded = stack.enter_context(
            servers.project_server(env, project, workdir / "project.log", name=name)
        )
        for target in (fake, floor_c, floor_d, guarded):
            target.wait_ready()
        rows = {
            "floor C": profile(floor_c, load, fake, args.seconds, workdir, say),
            "floor D": profile(floor_d, load, fake, args.seconds, workdir, say),
            name: profile(guarded, load, fake, args.seconds, workdir, say),
        }
    report = render(rows)
    print(report, end="")
    if args.markdown:
        args.markdown.write_text(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
