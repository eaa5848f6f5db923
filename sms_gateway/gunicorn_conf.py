"""gunicorn settings for an I/O-bound service: a few processes, many threads each.

Use: ``gunicorn -c python:sms_gateway.gunicorn_conf sms_gateway.wsgi``. Every
value can be overridden by its environment variable (or gunicorn's own flags).
"""

from __future__ import annotations

import os

# Most of a request is spent waiting on a provider: threads, not processes, carry it.
bind = os.environ.get("BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", max(2, os.cpu_count() or 1)))
worker_class = "gthread"
# No thread holds a database connection while it waits on a provider (see
# sending/record.py), so threads are cheap: see README, "Sizing".
threads = int(os.environ.get("GUNICORN_THREADS", "64"))

# A request may last SMS_DEADLINE plus the time to record it: never kill it before.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", float(os.environ.get("SMS_DEADLINE", "12")) + 18))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", timeout))
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "20000"))
max_requests_jitter = max_requests // 10

# Requests are logged by the application, one structured line per SMS.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")


def on_starting(server: object) -> None:
    from sms_gateway.ops import gunicorn_errors

    gunicorn_errors.install()


def post_worker_init(worker: object) -> None:
    # Rows left "accepted" by a worker that died become "unknown" (sending/reconcile.py).
    from sms_gateway.sending import reconcile

    reconcile.start_background()
    # The dashboard's closed days are rolled up here, hourly, never on a page view.
    from sms_gateway.dashboard import refresh

    refresh.start_background()

    # Adaptive and least-cost shares, one process at a time (routing/plans.py).
    from sms_gateway.routing import plans

    plans.start_background()

    # Last, once everything the worker keeps is loaded: the collector never walks it
    # again (ops/garbage.py; GC_FREEZE=0 turns it off).
    from sms_gateway.ops import garbage

    if garbage.enabled():
        garbage.freeze_loaded()


def child_exit(server: object, worker: object) -> None:
    # A recycled worker's metric files are folded into one archive per type, so the
    # directory stays bounded however often workers are replaced (ops/metrics_archive.py).
    if directory := os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from sms_gateway.ops import metrics_archive

        metrics_archive.archive_dead_worker(directory, worker.pid)
