"""``python -m bench --smoke --tenants`` runs end to end and prints numbers for all five
targets, floor D beside floor C and the project, and the two-tenant project beside the
single-tenant one, having sent through both.

Whether the targets are met is the benchmark's report, not this test's verdict.
Deselect with ``-m "not bench"`` (it takes about 75 s).
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from .throwaway import postgres_bindir

pytestmark = pytest.mark.bench

ROOT = Path(__file__).resolve().parent.parent
NUMBER = re.compile(r"^-?[\d,]+(\.\d+)?$")
COLUMNS = ("floor A", "floor B", "floor C", "project", "project + guard")
GUARD_LINE = re.compile(
    r"guard adds -?[\d,.]+ ms p50 at 1 connection, -?[\d,.]+ ms CPU per SMS, "
    r"-?[\d,.]+ SQL statements, -?[\d,.]+ Redis commands and -?[\d,.]+ Redis round trips "
    r"per SMS"
)
ROWS = (
    "req/s, 1 connection",
    "req/s, 16 connections",
    "p50 ms, 1 connection",
    "p99 ms, 1 connection",
    "p50 ms, 16 connections",
    "p99 ms, 16 connections",
    "worker RSS MB (max, after the run)",
)


def _missing(what: str) -> None:
    if os.environ.get("REQUIRE_SERVICES"):
        pytest.fail(f"the benchmark needs {what}; REQUIRE_SERVICES is set")
    pytest.skip(f"the benchmark needs {what}")


def _require_tools() -> None:
    from bench.load import ensure_wrk

    try:
        ensure_wrk()
    except RuntimeError as err:
        _missing(f"wrk ({err})")
    try:
        postgres_bindir()
    except RuntimeError as err:
        _missing(f"PostgreSQL's binaries ({err})")
    if not shutil.which("redis-server"):
        _missing("redis-server")


def _run_bench(timeout: float) -> tuple[int, str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "bench", "--smoke", "--tenants"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        output, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGTERM)  # the bench stops what it started on SIGTERM
        try:
            output, _ = process.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            output, _ = process.communicate()
        pytest.fail(f"python -m bench --smoke --tenants took over {timeout} s:\n{output}")
    return process.returncode, output


def _cells(output: str, label: str) -> list[str]:
    for line in output.splitlines():
        if line.startswith(f"| {label} |"):
            return [cell.strip() for cell in line.split("|")[2 : 2 + len(COLUMNS)]]
    raise AssertionError(f"no row {label!r} in:\n{output}")


@pytest.fixture(scope="module")
def output() -> str:
    """One smoke run for the tests of this module."""
    _require_tools()
    code, output = _run_bench(timeout=240)
    assert code == 0, output
    return output


def test_smoke_run_reports_all_five_targets(output):
    assert "| metric | floor A" in output, output
    assert "| project + guard |" in output, output
    for label in ROWS:
        cells = _cells(output, label)
        assert all(NUMBER.match(cell) for cell in cells), (label, cells, output)
    for label in ("SQL statements per SMS", "Redis commands per SMS", "Redis round trips per SMS"):
        guard = _cells(output, label)[COLUMNS.index("project + guard")]
        assert NUMBER.match(guard), (label, guard, output)
    assert GUARD_LINE.search(output), output
    assert "guard adds no SQL statement per SMS" in output, output
    assert "## Targets" in output, output


TENANT_ROWS = (
    "req/s, 16 connections",
    "p50 ms, 1 connection",
    "CPU ms per request, 16 connections",
    "SQL statements per SMS",
    "Redis round trips per SMS",
)
SENT = re.compile(r"^- (default \(id 1\)|tenant 2 \(id 2\)): ([\d,]+) records, ([\d,]+) sent", re.M)


def test_smoke_run_reports_two_tenants_and_sends_through_both(output):
    section = output.split("## Two tenants (same run)", 1)[-1]
    assert "| project + guard | project + guard, 2 tenants |" in section, output
    for label in TENANT_ROWS:
        line = next(x for x in section.splitlines() if x.startswith(f"| {label} |"))
        cells = [cell.strip() for cell in line.split("|")[2:4]]
        assert all(NUMBER.match(cell) for cell in cells), (label, cells, output)
    sent = {name: int(count.replace(",", "")) for name, _, count in SENT.findall(section)}
    assert set(sent) == {"default (id 1)", "tenant 2 (id 2)"}, output
    assert all(count > 0 for count in sent.values()), output
    # Correctness, not speed: each tenant's records went its own way.
    assert "**ok** both tenants sent, each with its own text, route and counters" in section, output
    assert re.search(r"\*\*(ok|MISS)\*\* two tenants: no regression beyond noise", section), output


FLOOR_D_ROWS = (
    "req/s, 16 connections",
    "p50 ms, 1 connection",
    "CPU ms per request, 16 connections",
    "SQL statements per SMS",
)


def test_smoke_run_reports_floor_d_beside_floor_c_and_the_project(output):
    section = output.split("## Floor D: the product's own work in the least code", 1)
    assert len(section) == 2, output
    section = section[1].split("## Two tenants", 1)[0]
    header = "| metric | floor C | floor D | project | project + guard | floor D + guard |"
    assert header in section, output
    for label in FLOOR_D_ROWS:
        line = next(x for x in section.splitlines() if x.startswith(f"| {label} |"))
        # Floor D + guard shares floor D's database: its SQL is floor D's, not counted twice.
        columns = 6 if label == "SQL statements per SMS" else 7
        cells = [cell.strip() for cell in line.split("|")[2:columns]]
        assert all(NUMBER.match(cell) for cell in cells), (label, cells, output)
    # Floor D answered 2xx (a failing target's answer would be in its notes) and wrote
    # its two statements per SMS to the project's own table.
    assert "## Notes (floor D)" not in section, output
    sql = next(x for x in section.splitlines() if x.startswith("| SQL statements per SMS |"))
    assert sql.split("|")[3].strip() == "2.000", output
    assert re.search(r"\*\*Floor D reaches [\d.]+× floor C at 16 connections\*\*", section), output
    # The least guard: its CPU over floor D, in one round trip per SMS (its script call).
    least = re.search(
        r"\*\*The least guard adds (-?[\d.]+) ms of CPU per SMS over floor D\*\* "
        r"in ([\d.]+) Redis round trips",
        section,
    )
    assert least, output
    assert 0.99 <= float(least.group(2)) <= 1.1, output


def test_smoke_run_reports_the_p50_with_the_targets_alternating(output):
    section = output.split("## p50 at 1 connection, the targets alternating in bursts", 1)
    assert len(section) == 2, output
    section[1] = section[1].split("\n## ", 1)[0]
    rows = {
        line.split("|")[1].strip(): [cell.strip() for cell in line.split("|")[2:-1]]
        for line in section[1].splitlines()
        if line.startswith("| ") and not line.startswith("| target")
    }
    for name in ("floor C", "floor D", "project", "project + guard", "floor D + guard"):
        p50, p90, over, fifths, errors = rows[name]
        assert all(NUMBER.match(cell) for cell in (p50, p90, over)), (name, rows[name])
        assert errors == "0", (name, rows[name])  # every target answered every request
    assert rows["floor C"][2] == "0.00", output
    assert re.search(
        r"- \*\*(ok|MISS)\*\* project, guard off, ≤ 0.5 ms p50 over floor C", section[1]
    ), output
