"""Keep prometheus-client's multiprocess directory bounded across worker recycles.

Each gunicorn worker writes its counters and histograms to files named for its
pid (``counter_1234.db``...). A dead worker's files must stay, or its counts
would vanish from every total (a counter reset in Prometheus' eyes), so the
directory gains files at every recycle. ``archive_dead_worker`` runs in the
gunicorn master when a worker exits: it adds the dead worker's values into one
archive file per metric type (``counter_archive.db``...) and removes its files.
The directory then holds one file per live worker and type, plus the archives.

Readers never see a half-written archive: the new one is written beside it and
renamed over it. A scrape that listed the directory just before the rename may
find the worker's file gone; ``/metrics`` then collects again
(``ops/metrics.metrics_view``).
"""

from __future__ import annotations

import glob
import os
from collections import defaultdict

from prometheus_client import multiprocess
from prometheus_client.mmap_dict import MmapedDict

# Types whose per-process values add up. Gauges are per process by nature:
# prometheus-client removes the dead process's "live" gauges itself.
SUMMED = ("counter", "histogram", "summary")
ARCHIVE = "archive"


def worker_files(directory: str, pid: int) -> dict[str, list[str]]:
    """The summed-type files a worker wrote, by type."""
    found = {kind: glob.glob(os.path.join(directory, f"{kind}_{pid}.db")) for kind in SUMMED}
    return {kind: paths for kind, paths in found.items() if paths}


def merged_values(paths: list[str]) -> dict[str, float]:
    """key -> the sum of its values over ``paths`` (keys name metric, sample and labels)."""
    totals: dict[str, float] = defaultdict(float)
    for path in paths:
        for key, value, _timestamp, _pos in MmapedDict.read_all_values_from_file(path):
            totals[key] += value
    return totals


def write_archive(path: str, values: dict[str, float]) -> None:
    """Write ``values`` to a new file and rename it over ``path`` (atomic for readers)."""
    fresh = path + ".new"  # not a *.db name: the collector never reads it
    if os.path.exists(fresh):
        os.remove(fresh)  # left by a master killed mid-write
    archive = MmapedDict(fresh)
    try:
        for key, value in values.items():
            archive.write_value(key, value, 0.0)
    finally:
        archive.close()
    os.replace(fresh, path)


def archive_dead_worker(directory: str, pid: int) -> int:
    """Fold a dead worker's files into the archives; the number of files removed."""
    multiprocess.mark_process_dead(pid, directory)
    removed = 0
    for kind, paths in worker_files(directory, pid).items():
        archive = os.path.join(directory, f"{kind}_{ARCHIVE}.db")
        sources = [archive, *paths] if os.path.exists(archive) else list(paths)
        write_archive(archive, merged_values(sources))
        for path in paths:
            os.remove(path)
            removed += 1
    return removed
