"""What is counted around a load run: CPU and memory of a gunicorn, SQL, Redis, the machine."""

from __future__ import annotations

import os
import platform
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import redis

TICKS = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> list[str] | None:
    """The fields of /proc/PID/stat after the command name (state is [0])."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return None


def children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (fields := _stat(int(entry))) and fields[1] == str(pid):
            found.append(int(entry))
    return found


class ProcessTree:
    """A gunicorn master and its workers, as seen in /proc."""

    def __init__(self, master: int) -> None:
        self.master = master

    def workers(self) -> list[int]:
        return children(self.master)

    def worker_cpu(self) -> dict[int, float]:
        """utime+stime of each live worker, in seconds."""
        found = {}
        for pid in self.workers():
            if fields := _stat(pid):
                found[pid] = (int(fields[11]) + int(fields[12])) / TICKS
        return found

    def cpu_seconds(self) -> float:
        """utime+stime of the master and its workers, plus the master's reaped children.

        The reaped children's time (cutime+cstime) keeps the count right across a
        worker recycled by ``max_requests`` between two readings.
        """
        master = _stat(self.master)
        if master is None:
            return 0.0
        return sum(int(v) for v in master[11:15]) / TICKS + sum(self.worker_cpu().values())

    def worker_rss_mb(self) -> float:
        """The largest VmRSS among the workers, in MB."""
        largest = 0
        for pid in self.workers():
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            for line in status.splitlines():
                if line.startswith("VmRSS:"):
                    largest = max(largest, int(line.split()[1]))
        return largest / 1024


def shares(before: dict[int, float], after: dict[int, float]) -> list[float]:
    """Each worker's percent of the CPU the workers used between two ``worker_cpu()``."""
    used = [seconds - before.get(pid, 0.0) for pid, seconds in after.items()]
    total = sum(used)
    return sorted((100 * u / total for u in used), reverse=True) if total > 0 else []


def machine_cpu() -> tuple[int, int, int]:
    """Jiffies of all CPUs since boot: total, idle (with iowait), stolen by the hypervisor."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    return sum(values), values[3] + values[4], values[7]


def machine_load(before: tuple[int, int, int], after: tuple[int, int, int]) -> tuple[float, float]:
    """Percent of the machine busy, and stolen, between two ``machine_cpu()`` readings."""
    total, idle, steal = (a - b for a, b in zip(after, before, strict=True))
    if not total:
        return 0.0, 0.0
    return 100 * (total - idle) / total, 100 * steal / total


class SqlCounter:
    """pg_stat_statements calls in one database, read from another (so never counted)."""

    def __init__(self, admin_url: str, dbname: str) -> None:
        self.dbname = dbname
        self.conn = psycopg.connect(admin_url, autocommit=True)

    def snapshot(self) -> Counter:
        rows = self.conn.execute(
            "SELECT s.query, sum(s.calls) FROM pg_stat_statements s "
            "JOIN pg_database d ON d.oid = s.dbid WHERE d.datname = %s GROUP BY s.query",
            (self.dbname,),
        ).fetchall()
        return Counter({query: int(calls) for query, calls in rows})

    def close(self) -> None:
        self.conn.close()


ROUND_TRIPS = "(round trips)"


class RedisCounter:
    """Commands executed by a Redis server (INFO commandstats), less our own INFO."""

    def __init__(self, url: str) -> None:
        self.client = redis.Redis.from_url(url)
        self.own_calls = 0
        self.snapshot()  # connect (and its handshake) now, not in a window

    def snapshot(self) -> Counter:
        """Commands by name, and ``round trips``: requests read from clients (a pipeline
        or a script call is one, whatever it runs), from INFO's total_reads_processed."""
        stats = self.client.info("commandstats")
        counts = Counter({name.removeprefix("cmdstat_"): v["calls"] for name, v in stats.items()})
        counts["info"] -= self.own_calls  # a reading counts our previous INFOs, not itself
        reads = self.client.info("stats")["total_reads_processed"]
        counts[ROUND_TRIPS] = reads - self.own_calls
        self.own_calls += 2
        return counts

    def close(self) -> None:
        self.client.close()


def delta(before: Counter, after: Counter) -> Counter:
    return Counter({k: after[k] - before[k] for k in after if after[k] - before[k] > 0})


def machine() -> dict[str, str]:
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC"),
        "nproc": str(len(os.sched_getaffinity(0))),
        "cpu": model,
        "kernel": platform.release(),
        "python": platform.python_version(),
    }
