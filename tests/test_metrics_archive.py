"""The multiprocess metrics directory stays bounded across worker recycles, totals intact."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

from prometheus_client import CollectorRegistry, generate_latest, multiprocess

from sms_gateway.ops import metrics_archive

from .conftest import logto_body
from .services import PROD_TOKEN, Gunicorn, manage, production_env

WRITER = """
import sys
from prometheus_client import Counter, Histogram
sent = Counter("t_sent", "sent", ["country"])
seconds = Histogram("t_seconds", "seconds", ["provider"], buckets=(0.1, 1, 10))
n = int(sys.argv[1])
for i in range(n):
    sent.labels(country="FR" if i % 2 else "DE").inc()
    seconds.labels(provider="twilio").observe(i / 3)
print(__import__("os").getpid())
"""


def exposition(directory: Path) -> list[str]:
    """The metric lines, sorted: the collector's order follows the directory's."""
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry, path=str(directory))
    return sorted(generate_latest(registry).decode().splitlines())


def write_as_process(directory: Path, count: int) -> int:
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(directory)}
    done = subprocess.run(
        [sys.executable, "-c", WRITER, str(count)], env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return int(done.stdout)


def test_folding_dead_workers_keeps_every_total_and_removes_their_files(tmp_path):
    pids = [write_as_process(tmp_path, count) for count in (3, 5, 8, 13)]
    before = exposition(tmp_path)
    assert 't_sent_total{country="DE"} 16.0' in before

    for pid in pids[:3]:
        assert metrics_archive.archive_dead_worker(str(tmp_path), pid) == 2  # counter, histogram
    assert exposition(tmp_path) == before
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == sorted(
        ["counter_archive.db", "histogram_archive.db", f"counter_{pids[3]}.db",
         f"histogram_{pids[3]}.db"]
    )  # fmt: skip

    metrics_archive.archive_dead_worker(str(tmp_path), pids[3])
    assert exposition(tmp_path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "counter_archive.db",
        "histogram_archive.db",
    ]


def test_an_unknown_pid_changes_nothing(tmp_path):
    pid = write_as_process(tmp_path, 4)
    before = exposition(tmp_path)
    assert metrics_archive.archive_dead_worker(str(tmp_path), pid + 1_000_000) == 0
    assert exposition(tmp_path) == before
    assert len(list(tmp_path.iterdir())) == 2


def _metric(text: str, name: str, labels: str) -> float:
    match = re.search(rf"^{re.escape(name)}{{{re.escape(labels)}}} ([0-9.e+]+)$", text, re.M)
    return float(match.group(1)) if match else 0.0


def test_recycled_gunicorn_workers_leave_a_bounded_directory_and_exact_totals(tmp_path):
    metrics_dir = tmp_path / "metrics"
    metrics_dir.mkdir()
    env = production_env(
        DATABASE_URL=f"sqlite:///{tmp_path / 'gateway.sqlite3'}",
        STATIC_ROOT=str(tmp_path / "static"),
        PROMETHEUS_MULTIPROC_DIR=str(metrics_dir),
        METRICS_TOKEN="metrics-token-for-the-test",
        GUNICORN_MAX_REQUESTS="10",  # jitter 1: a worker is replaced every 10 or 11 requests
        GUNICORN_THREADS="4",
    )
    setup_env = {k: v for k, v in env.items() if k != "PROMETHEUS_MULTIPROC_DIR"}
    assert manage(setup_env, "setup").returncode == 0
    server = Gunicorn(env, tmp_path, workers=2)
    try:
        server.wait_ready()
        https = {"X-Forwarded-Proto": "https", "Authorization": PROD_TOKEN}
        sent = 0
        for i in range(120):
            body = logto_body(to=f"3361234{i:04d}")
            answer = server.session.post(
                f"{server.url}/sms/send", json=body, headers=https, timeout=30
            )
            assert answer.status_code == 200, answer.text
            sent += 1
        deadline = time.monotonic() + 20
        text = ""
        while time.monotonic() < deadline:
            text = server.session.get(
                f"{server.url}/metrics",
                headers={"X-Forwarded-Proto": "https",
                         "Authorization": "Bearer metrics-token-for-the-test"},
                timeout=10,
            ).text  # fmt: skip
            if _metric(text, "sms_gateway_http_requests_total", 'status="200"') == sent:
                break
            time.sleep(0.2)
        assert _metric(text, "sms_gateway_http_requests_total", 'status="200"') == sent, text
        booted = server.stderr.count("Booting worker")
        assert booted >= 8, server.stderr  # workers were really recycled (2 + ~10)
        pids = {m for m in re.findall(r"_(\d+)\.db$", "\n".join(os.listdir(metrics_dir)), re.M)}
        assert len(pids) <= 2, sorted(os.listdir(metrics_dir))  # the live workers' files only
        assert (metrics_dir / "counter_archive.db").exists()
    finally:
        server.stop()
