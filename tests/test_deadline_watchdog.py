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


def test_a_later_deadline_is_not_woken_for_yet_still_cut_on_time(silent_server):
    # A call that ends at once leaves the watchdog sleeping until its due time (0.4 s);
    # a call armed after it and due later (0.7 s) does not wake the watchdog, which
    # must still cut it on time once it wakes for the first.
    with deadline.wall_clock(0.4):
        pass
    assert 0.6 <= _cut_call(silent_server, 0.7) < 1.9


def test_calls_that_ended_are_dropped_once_their_watchdog_wakes():
    for _ in range(500):  # ended at once, each due in 0.2 s
        with deadline.wall_clock(0.2):
            pass
    time.sleep(0.5)
    with deadline.wall_clock(0.05):  # sooner than nothing in flight: wakes the watchdog
        pass
    time.sleep(0.3)
    assert len(deadline._watchdog._heap) == 0
