"""The garbage collector in a worker: what was loaded at start is never walked again.

CPython's cyclic collector walks every container object of a generation when it
collects it. A worker's first ~115,000 objects (Django, the apps, the URL
resolvers, DRF, the SDKs, phonenumbers' and babel's data) live as long as the
process, yet each full collection walked them all: under the benchmark's load,
145-224 ms per full collection, 5-8 % of a worker's CPU spent in the collector;
2-3.5 % once frozen (measured with ``gc.callbacks``; README, "Benchmark").

``freeze_loaded()`` (called by ``gunicorn_conf.post_worker_init``, once the
application is loaded) collects once, then moves every object still alive into
the collector's permanent generation (``gc.freeze()``): they are never walked
again. Objects made afterwards, per request, are collected as before. What it
costs: a cycle among the frozen objects that becomes garbage later is never
freed, and these are the objects of a process's life (a recycled worker,
``GUNICORN_MAX_REQUESTS``, starts afresh anyway). ``GC_FREEZE=0`` turns it off.
"""

from __future__ import annotations

import gc
import os


def enabled(environ: dict[str, str] | os._Environ[str] = os.environ) -> bool:
    return environ.get("GC_FREEZE", "1").strip().lower() not in {"0", "false", "no", "off"}


def freeze_loaded() -> int:
    """Collect, then freeze what survives; the number of objects frozen in all."""
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()
