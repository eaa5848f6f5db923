"""A fake Twilio Messages API in its own process, fast enough never to be the bottleneck.

``python -m bench.fake_provider --port PORT [--latency-ms MS]``

An asyncio HTTP/1.1 keep-alive server. It answers
``POST /2010-04-01/Accounts/{AccountSid}/Messages.json`` with 201 and a Message
shaped like Twilio's, after the configured latency, and two control routes:

- ``GET /_bench/stats``: ``{"messages": N}``, the number of messages answered so far;
- ``POST /_bench/latency?ms=300``: changes the latency.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import re
import time
import uuid
from urllib.parse import parse_qs, urlsplit

MESSAGES = re.compile(r"^/2010-04-01/Accounts/(AC[0-9a-fA-F]{32})/Messages\.json$")
REASONS = {200: "OK", 201: "Created", 400: "Bad Request", 404: "Not Found"}


def rfc2822_now() -> str:
    return time.strftime("%a, %d %b %Y %H:%M:%S +0000", time.gmtime())


def segments(text: str) -> int:
    """Roughly Twilio's count: GSM-7 when ASCII, UCS-2 otherwise."""
    single, multi = (160, 153) if text.isascii() else (70, 67)
    return 1 if len(text) <= single else math.ceil(len(text) / multi)


def message(account_sid: str, form: dict[str, str]) -> dict:
    sid = "SM" + uuid.uuid4().hex
    now = rfc2822_now()
    uri = f"/2010-04-01/Accounts/{account_sid}/Messages/{sid}"
    body = form.get("Body", "")
    return {
        "account_sid": account_sid,
        "api_version": "2010-04-01",
        "body": body,
        "date_created": now,
        "date_sent": None,
        "date_updated": now,
        "direction": "outbound-api",
        "error_code": None,
        "error_message": None,
        "from": form.get("From"),
        "messaging_service_sid": form.get("MessagingServiceSid"),
        "num_media": "0",
        "num_segments": str(segments(body)),
        "price": None,
        "price_unit": "USD",
        "sid": sid,
        "status": "queued",
        "subresource_uris": {"media": f"{uri}/Media.json", "feedback": f"{uri}/Feedback.json"},
        "to": form.get("To"),
        "uri": f"{uri}.json",
    }


def twilio_error(status: int, code: int, text: str) -> tuple[int, dict]:
    return status, {
        "code": code,
        "message": text,
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }


class State:
    def __init__(self, latency: float) -> None:
        self.latency = latency
        self.messages = 0


class HttpProtocol(asyncio.Protocol):
    """One connection: parse requests as they arrive, answer each after the latency."""

    def __init__(self, state: State) -> None:
        self.state = state
        self.buffer = bytearray()
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport

    def connection_lost(self, exc: Exception | None) -> None:
        self.transport = None

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while (end_of_head := self.buffer.find(b"\r\n\r\n")) >= 0:
            head = self.buffer[:end_of_head].decode("latin-1").split("\r\n")
            headers = {}
            for line in head[1:]:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
            end = end_of_head + 4 + int(headers.get("content-length") or 0)
            if len(self.buffer) < end:
                return  # the body is still coming
            body = bytes(self.buffer[end_of_head + 4 : end])
            del self.buffer[:end]
            method, target, _ = (head[0].split(" ", 2) + ["", ""])[:3]
            close = headers.get("connection", "").lower() == "close"
            self.handle(method, target, body, close)

    def handle(self, method: str, target: str, body: bytes, close: bool) -> None:
        url = urlsplit(target)
        delay = 0.0
        if method == "POST" and (match := MESSAGES.match(url.path)):
            form = {k: v[0] for k, v in parse_qs(body.decode()).items()}
            if not form.get("To"):
                status, answer = twilio_error(400, 21604, "A 'To' phone number is required.")
            else:
                status, answer = 201, message(match.group(1), form)
                self.state.messages += 1
                delay = self.state.latency
        elif method == "GET" and url.path == "/_bench/stats":
            status, answer = 200, {"messages": self.state.messages}
        elif method == "POST" and url.path == "/_bench/latency":
            self.state.latency = float(parse_qs(url.query)["ms"][0]) / 1000
            status, answer = 200, {"latency_ms": self.state.latency * 1000}
        else:
            status, answer = twilio_error(404, 20404, "The requested resource was not found")
        data = json.dumps(answer).encode()
        response = (
            f"HTTP/1.1 {status} {REASONS[status]}\r\n"
            "Content-Type: application/json; charset=utf-8\r\n"
            f"Content-Length: {len(data)}\r\n"
            f"Connection: {'close' if close else 'keep-alive'}\r\n\r\n"
        ).encode() + data
        if delay:
            asyncio.get_running_loop().call_later(delay, self.send, response, close)
        else:
            self.send(response, close)

    def send(self, response: bytes, close: bool) -> None:
        if self.transport is None:
            return  # the client hung up while waiting
        self.transport.write(response)
        if close:
            self.transport.close()


async def serve(port: int, latency_ms: float) -> None:
    state = State(latency_ms / 1000)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: HttpProtocol(state), "127.0.0.1", port, backlog=4096, reuse_address=True
    )
    print(f"fake provider on 127.0.0.1:{port}, latency {latency_ms} ms", flush=True)
    async with server:
        await server.serve_forever()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--latency-ms", type=float, default=0)
    args = parser.parse_args()
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(args.port, args.latency_ms))


if __name__ == "__main__":
    main()
