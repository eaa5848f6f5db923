"""The deadline's watchdog thread: cuts every call on time, yet costs an SMS no wake-up.

Calls go over real sockets through ``DeadlineAdapter`` to servers on 127.0.0.1:
one that answers at once, one that accepts and never answers. The watchdog's
wake-ups are read from the kernel (the thread's voluntary context switches in
``/proc``), not from the code under test.
"""

import contextlib
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests

from sms_gateway.providers import deadline

pytestmark = pytest.mark.skipif(
    not Path("/proc/self/task").is_dir(), reason="reads thread switches from /proc"
)


class _Quick(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:  # noqa: N802
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        body = b'{"sid": "SM1"}'
        self.send_response(201)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def quick_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Quick)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.fixture
def silent_server():
    """Accepts connections and reads, never answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}/"
    stop.set()
    thread.join()
    for sock in held:
        sock.close()
    listener.close()


def _session() -> requests.Session:
    http = requests.Session()
    http.trust_env = False
    http.mount("http://", deadline.DeadlineAdapter(pool_maxsize=4))
    return http


def _cut_call(url: str, seconds: float) -> float:
    """A call to a silent server under ``wall_clock(seconds)``: how long until it ended."""
    t0 = time.monotonic()
    with (
        _session() as http,
        deadline.wall_clock(seconds) as call,
        pytest.raises(requests.RequestException),
    ):
        http.post(url, data=b"x", timeout=30)
    assert call.cut
    return time.monotonic() - t0


def _watchdog_switches() -> int:
    thread = deadline._watchdog._thread
    assert thread is not None and thread.is_alive()
    status = Path(f"/proc/self/task/{thread.native_id}/status").read_text()
    line = next(x for x in status.splitlines() if x.startswith("voluntary_ctxt_switches"))
    return int(line.split()[1])


def test_a_call_is_cut_at_its_deadline(silent_server):
    assert 0.25 <= _cut_call(silent_server, 0.3) < 1.5


def test_a_shorter_deadline_armed_while_the_watchdog_waits_on_a_longer_one(silent_server):
    # A 20 s call in flight: the watchdog sleeps until its due time.
    long_done = threading.Event()

    def long_call() -> None:
        # Ended by the fixture closing its sockets.
        with (
            _session() as http,
            deadline.wall_clock(20),
            contextlib.suppress(requests.RequestException),
        ):
            http.post(silent_server, data=b"x", timeout=30)
        long_done.set()

    threading.Thread(target=long_call, daemon=True).start()
    time.sleep(0.3)
    # Armed later but due first: the watchdog must be woken for it.
    assert 0.25 <= _cut_call(silent_server, 0.3) < 1.5
    assert not long_done.is_set()  # the long one is not cut early


def test_sms_after_sms_does_not_wake_the_watchdog(quick_server):
    with _session() as http:
        with deadline.wall_clock(10):  # the thread runs and sleeps until this one's due time
            http.post(quick_server, data=b"x", timeout=5).raise_for_status()
        time.sleep(0.1)
        before = _watchdog_switches()
        for _ in range(200):
            with deadline.wall_clock(10) as call:
                assert http.post(quick_server, data=b"x", timeout=5).status_code == 201
            assert not call.cut
        woken = _watchdog_switches() - before
    # One wake-up per call before this change (200); now none but the odd spurious one.
    assert woken <= 5, woken
