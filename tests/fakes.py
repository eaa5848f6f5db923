"""Fake Twilio and Vonage servers on 127.0.0.1 that answer like the real APIs.

The real SDKs talk to them over real HTTP (Vonage over TLS, as its SDK only
builds https URLs). Each fake records what it received and answers from a
script: ``fake.will("ok", ("status", 500), "drop", ("slow", 3))``; once the
script is used up it answers "ok".
"""

from __future__ import annotations

import base64
import json
import ssl
import threading
import time
import uuid
from collections import deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]
    form: dict[str, str]
    body: bytes
    via_proxy: bool = False
    client_port: int = 0

    @property
    def basic_auth(self) -> tuple[str, str] | None:
        value = self.headers.get("authorization", "")
        if not value.startswith("Basic "):
            return None
        user, _, password = base64.b64decode(value[6:]).decode().partition(":")
        return user, password


class _Server(ThreadingHTTPServer):
    # Hundreds of clients connect at once in the load tests: socketserver's default
    # backlog of 5 would drop their connections, which is not what a provider does.
    request_queue_size = 1024


class FakeServer:
    scheme = "http"

    def __init__(self, ssl_context: ssl.SSLContext | None = None) -> None:
        self.latency = 0.0  # seconds before every "ok" answer
        self.received: list[Received] = []
        self.script: deque = deque()
        self.lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("Content-Length", 0))
                body = self.rfile.read(length)
                form = {k: v[0] for k, v in parse_qs(body.decode(), keep_blank_values=True).items()}
                path, via_proxy = self.path, self.path.startswith(("http://", "https://"))
                if via_proxy:  # called as a forward proxy: the request line holds the URL
                    path = "/" + path.split("/", 3)[3]
                request = Received(
                    "POST", path, {k.lower(): v for k, v in self.headers.items()}, form, body
                )
                request.via_proxy = via_proxy
                request.client_port = self.client_address[1]
                with fake.lock:
                    fake.received.append(request)
                    action = fake.script.popleft() if fake.script else "ok"
                fake.act(self, request, action)

        self.server = _Server(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.server.block_on_close = False  # a "slow" answer must not hold up teardown
        if ssl_context is not None:
            self.server.socket = ssl_context.wrap_socket(self.server.socket, server_side=True)
            self.scheme = "https"
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    @property
    def netloc(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        return f"{self.scheme}://{self.netloc}"

    def will(self, *actions: object) -> None:
        with self.lock:
            self.script.extend(actions)

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    # --- answering -----------------------------------------------------------
    @staticmethod
    def reply(handler: BaseHTTPRequestHandler, status: int, body: object, ctype: str) -> None:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", ctype)
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)

    def act(self, handler: BaseHTTPRequestHandler, request: Received, action: object) -> None:
        name, *args = action if isinstance(action, tuple) else (action,)
        if name == "drop":  # read the request, then hang up without answering
            handler.close_connection = True
            return
        if name == "slow":
            time.sleep(args[0])
            name, args = "ok", []
        if name == "trickle":  # ("trickle", seconds[, framing]): see trickle()
            self.trickle(handler, request, *args)
            return
        if name == "non_json":
            self.reply(handler, self.ok_status, b"<html>gateway error</html>", "text/html")
            return
        if name == "ok":
            if self.latency:
                time.sleep(self.latency)
            problem = self.validate(request)
            if problem is not None:
                self.reply(handler, *problem)
                return
            self.reply(handler, self.ok_status, self.success(request), "application/json")
            return
        if name == "status":
            status = args[0]
            body = args[1] if len(args) > 1 else self.http_error(status)
            self.reply(handler, status, body, "application/json")
            return
        self.answer(handler, request, name, *args)

    ok_status = 200

    #: How ``trickle`` frames its answer: what a slow provider or a proxy in front of it does.
    FRAMINGS = ("length", "close", "chunked", "headers")

    def trickle(
        self, handler: BaseHTTPRequestHandler, request: Received, seconds: float, framing="length"
    ) -> None:
        """A success answer sent one byte every ``seconds``: each read is quick, the answer
        takes minutes. ``length``: the headers at once, keep-alive, then the body.
        ``close``: the same with ``Connection: close`` (http.client then lets go of the
        socket). ``chunked``: ``Transfer-Encoding: chunked``, a one-byte chunk at a time.
        ``headers``: the status line and the headers themselves trickle."""
        assert framing in self.FRAMINGS, framing
        data = json.dumps(self.success(request)).encode()
        head = [f"HTTP/1.1 {self.ok_status} OK", "Content-Type: application/json"]
        if framing == "chunked":
            head.append("Transfer-Encoding: chunked")
            body = b"".join(b"1\r\n" + bytes([byte]) + b"\r\n" for byte in data) + b"0\r\n\r\n"
        else:
            head.append(f"Content-Length: {len(data)}")
            body = data
        if framing == "close":
            head.append("Connection: close")
        head_bytes = ("\r\n".join(head) + "\r\n\r\n").encode()
        handler.close_connection = True  # whatever happens, this connection serves no other
        try:
            if framing == "headers":
                body = head_bytes + body
            else:
                handler.wfile.write(head_bytes)
                handler.wfile.flush()
            step = 6 if framing == "chunked" else 1  # b"1\r\nX\r\n": one chunk at a time
            position = 0
            while position < len(body):
                time.sleep(seconds)
                handler.wfile.write(body[position : position + step])
                handler.wfile.flush()
                position += step
        except OSError:  # the client gave up: what the test wants
            pass

    def validate(self, request: Received) -> tuple[int, object, str] | None:
        return None

    def success(self, request: Received) -> object:
        raise NotImplementedError

    def http_error(self, status: int) -> object:
        return {"error": status}

    def answer(self, handler, request, name, *args) -> None:  # noqa: ANN001
        raise ValueError(f"unknown fake action {name!r}")


class FakeTwilio(FakeServer):
    """``POST /2010-04-01/Accounts/{AccountSid}/Messages.json``, form-encoded, Basic auth."""

    ok_status = 201

    def __init__(
        self, account_sid: str, auth_token: str, ssl_context: ssl.SSLContext | None = None
    ) -> None:
        self.account_sid, self.auth_token = account_sid, auth_token
        super().__init__(ssl_context)  # TLS as at api.twilio.com when a context is given

    def http_error(self, status: int) -> object:
        return {"code": 20500 if status >= 500 else 20429, "message": "error", "status": status}

    def validate(self, request: Received):  # noqa: ANN201
        if request.basic_auth != (self.account_sid, self.auth_token):
            return (
                401,
                {"code": 20003, "message": "Authenticate", "status": 401},
                "application/json",
            )
        if request.path != f"/2010-04-01/Accounts/{self.account_sid}/Messages.json":
            return 404, {"code": 20404, "message": "Not found", "status": 404}, "application/json"
        form = request.form
        if "To" not in form:
            return (
                400,
                {"code": 21604, "message": "A 'To' phone number is required.", "status": 400},
                "application/json",
            )
        if not (form.get("From") or form.get("MessagingServiceSid")):
            return (
                400,
                {"code": 21603, "message": "A 'From' phone number is required.", "status": 400},
                "application/json",
            )
        return None

    def success(self, request: Received) -> object:
        form = request.form
        return {
            "sid": "SM" + uuid.uuid4().hex,
            "account_sid": self.account_sid,
            "to": form["To"],
            "from": form.get("From"),
            "messaging_service_sid": form.get("MessagingServiceSid"),
            "body": form.get("Body"),
            "status": "queued",
            "num_segments": "1",
            "direction": "outbound-api",
            "api_version": "2010-04-01",
            "date_created": "Fri, 27 Nov 2026 09:00:00 +0000",
            "date_updated": "Fri, 27 Nov 2026 09:00:00 +0000",
            "error_code": None,
            "error_message": None,
            "price": None,
            "uri": f"/2010-04-01/Accounts/{self.account_sid}/Messages/SM.json",
        }

    def answer(self, handler, request, name, *args) -> None:  # noqa: ANN001
        if name == "error":  # an API error: ("error", 400, 21211, "Invalid 'To' Phone Number")
            status, code, message = args
            body = {
                "code": code,
                "message": message,
                "more_info": f"https://www.twilio.com/docs/errors/{code}",
                "status": status,
            }
            self.reply(handler, status, body, "application/json")
            return
        super().answer(handler, request, name, *args)


class FakeVonage(FakeServer):
    """``POST https://rest.nexmo.com/sms/json``, form-encoded, Basic auth."""

    def __init__(self, api_key: str, api_secret: str, ssl_context: ssl.SSLContext) -> None:
        self.api_key, self.api_secret = api_key, api_secret
        super().__init__(ssl_context)

    def http_error(self, status: int) -> object:
        return {
            "type": "https://developer.nexmo.com/api-errors",
            "title": "error",
            "status": status,
        }

    def validate(self, request: Received):  # noqa: ANN201
        if request.path != "/sms/json":
            return 404, {"title": "Not found"}, "application/json"
        if request.basic_auth != (self.api_key, self.api_secret):
            return 200, self._status("4", "Bad Credentials"), "application/json"
        if not all(request.form.get(k) for k in ("from", "to", "text")):
            return 200, self._status("2", "Missing from, to or text"), "application/json"
        return None

    @staticmethod
    def _status(status: str, text: str) -> dict:
        return {"message-count": "1", "messages": [{"status": status, "error-text": text}]}

    def success(self, request: Received) -> object:
        message = {
            "to": request.form["to"],
            "message-id": uuid.uuid4().hex[:16].upper(),
            "status": "0",
            "remaining-balance": "3.14159265",
            "message-price": "0.03330000",
            "network": "12345",
        }
        if "client-ref" in request.form:
            message["client-ref"] = request.form["client-ref"]
        return {"message-count": "1", "messages": [message]}

    def answer(self, handler, request, name, *args) -> None:  # noqa: ANN001
        if name == "sms_status":  # ("sms_status", "7", "Number barred")
            self.reply(handler, 200, self._status(*args), "application/json")
            return
        super().answer(handler, request, name, *args)
