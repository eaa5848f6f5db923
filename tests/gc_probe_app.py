"""The gateway's WSGI application, plus ``/gc-probe``: the worker's collector state as
JSON, for tests/test_garbage.py to read from a real gunicorn worker."""

from __future__ import annotations

import gc
import json

from sms_gateway.wsgi import application as gateway


def application(environ, start_response):
    if environ.get("PATH_INFO") != "/gc-probe":
        return gateway(environ, start_response)
    body = json.dumps(
        {"frozen": gc.get_freeze_count(), "generations": [len(gc.get_objects(g)) for g in range(3)]}
    ).encode()
    start_response("200 OK", [("Content-Type", "application/json")])
    return [body]
