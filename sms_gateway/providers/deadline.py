"""A wall-clock limit on one provider call, whatever the server does.

``requests`` applies its timeout to each socket operation, so a server that
answers one byte a second never trips it. Here every connection opened through
a ``DeadlineAdapter`` registers itself as its thread's call in flight, and
``wall_clock(seconds)`` arms one shared watchdog thread: when the time is up it
shuts the socket down, the SDK's blocked read returns at once with an error,
and ``BaseProvider.transport_errors`` reports it as timed out. The call also
records whether the request had been sent: a call cut after that is ambiguous
(the provider may have taken the SMS).
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool


class Call:
    """One provider call in flight on one thread."""

    __slots__ = ("connection", "sent", "cut", "done")

    def __init__(self) -> None:
        self.connection: HTTPConnection | None = None
        self.sent = False  # the whole request was written: the provider may act on it
        self.cut = False  # the watchdog ended it
        self.done = False


_calls: dict[int, Call] = {}


def current() -> Call | None:
    return _calls.get(threading.get_ident())


class _Watchdog:
    def __init__(self) -> None:
        self._heap: list[tuple[float, int, Call]] = []
        self._order = itertools.count()
        self._wake = threading.Condition()
        self._thread: threading.Thread | None = None

    def arm(self, seconds: float, call: Call) -> None:
        with self._wake:
            heapq.heappush(self._heap, (time.monotonic() + seconds, next(self._order), call))
            if self._thread is None or not self._thread.is_alive():  # first use, or after fork
                self._thread = threading.Thread(target=self._run, name="sms-deadline", daemon=True)
                self._thread.start()
            self._wake.notify()

    def _run(self) -> None:
        while True:
            with self._wake:
                while self._heap and self._heap[0][2].done:
                    heapq.heappop(self._heap)
                if not self._heap:
                    self._wake.wait()
                    continue
                due, _, call = self._heap[0]
                delay = due - time.monotonic()
                if delay > 0:
                    self._wake.wait(delay)
                    continue
                heapq.heappop(self._heap)
            _cut(call)


def _cut(call: Call) -> None:
    if call.done:
        return
    call.cut = True
    sock = getattr(call.connection, "sock", None)
    if sock is not None:
        # The plain socket's shutdown, also under TLS: SSLSocket.shutdown would
        # drop its SSL object under the feet of the thread reading from it.
        with contextlib.suppress(OSError):  # already closed
            socket.socket.shutdown(sock, socket.SHUT_RDWR)


_watchdog = _Watchdog()


@contextmanager
def wall_clock(seconds: float) -> Iterator[Call]:
    """Bound every connection this thread uses inside the block to ``seconds`` in all."""
    ident = threading.get_ident()
    call = _calls[ident] = Call()
    _watchdog.arm(seconds, call)
    try:
        yield call
    finally:
        call.done = True
        _calls.pop(ident, None)


class DeadlineExceeded(ConnectionError):
    """Nothing more is sent once a call's time is up (an SDK's own retry included)."""


def _register(connection: HTTPConnection) -> Call | None:
    call = current()
    if call is not None:
        if call.cut:
            raise DeadlineExceeded("the provider call's wall-clock limit is reached")
        call.connection = connection
    return call


class _Tracked:
    """Mixed into urllib3's connections: register as the thread's call in flight."""

    def connect(self) -> None:
        _register(self)  # type: ignore[arg-type]
        super().connect()  # type: ignore[misc]

    def request(self, *args: Any, **kwargs: Any) -> None:
        call = _register(self)  # type: ignore[arg-type]
        super().request(*args, **kwargs)  # type: ignore[misc]
        if call is not None:
            call.sent = True


class _HTTPConnection(_Tracked, HTTPConnection):
    pass


class _HTTPSConnection(_Tracked, HTTPSConnection):
    pass


class _HTTPConnectionPool(HTTPConnectionPool):
    ConnectionCls = _HTTPConnection


class _HTTPSConnectionPool(HTTPSConnectionPool):
    ConnectionCls = _HTTPSConnection


_POOLS = {"http": _HTTPConnectionPool, "https": _HTTPSConnectionPool}


class DeadlineAdapter(HTTPAdapter):
    """A requests adapter whose connections ``wall_clock`` can cut."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = dict(_POOLS)

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        manager.pool_classes_by_scheme = dict(_POOLS)
        return manager
