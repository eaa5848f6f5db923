"""The deadline's watchdog thread cuts every call on time, a later-armed shorter one too.

Calls go over real sockets through ``DeadlineAdapter`` to a server on 127.0.0.1
that accepts and never answers.
"""

import contextlib
import socket
import threading
import time

import pytest
import requests

from sms_gateway.providers import deadline


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
