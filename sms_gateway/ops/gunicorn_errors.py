"""gunicorn's own error answers (header too large, malformed request line...) as JSON.

gunicorn answers these before Django sees the request, with an HTML page. Logto
shows whatever body it gets to the end user, so the gateway's rule (one short
JSON object) holds for them too. ``gunicorn_conf`` installs this in the master,
before the workers fork.
"""

from __future__ import annotations

import json

from gunicorn import util


def write_json_error(sock: object, status_int: int, reason: str, mesg: str) -> None:
    body = json.dumps({"message": f"{reason}."}).encode()
    head = (
        f"HTTP/1.1 {status_int} {reason}\r\nConnection: close\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode("latin-1")
    util.write_nonblock(sock, head + body)


def install() -> None:
    util.write_error = write_json_error
