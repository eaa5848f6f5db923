"""A wall-clock limit on one provider call, whatever the server does.

``requests`` applies its timeout to each socket operation, so a server that
answers one byte a second never trips it. Here every connection opened through
a ``DeadlineAdapter`` hands its socket to its thread's call in flight as soon as
it is connected, and ``wall_clock(seconds)`` arms one shared watchdog thread:
when the time is up it shuts that socket down, the SDK's blocked read returns at
once with an error, and ``BaseProvider.transport_errors`` reports it as timed
out, whatever the answer's framing (``Connection: close``, chunked) or stage
(TLS handshake, headers, body). The call also records whether the request had
been sent, so a call cut after that is ambiguous (the provider may have taken
the SMS), and whether an answer came, so that an answer we cannot read is told
from a bug of ours.
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
    """One provider call in flight on one thread.

    From the moment a connection of the call is open, the call keeps its own handle
    on the socket (a duplicate of its descriptor): ``http.client`` lets go of the
    socket once the headers of a ``Connection: close`` answer are in, and an SDK may
    hold it anywhere, but a shutdown through any descriptor ends the connection for
    all of them, in the TLS handshake, the headers or the body alike.
    """

    __slots__ = ("connection", "sock", "sent", "answered", "cut", "done", "_lock")

    def __init__(self) -> None:
        self.connection: HTTPConnection | None = None  # the connection whose socket is held
        self.sock: socket.socket | None = None  # our handle on that socket
        self.sent = False  # the whole request was written: the provider may act on it
        self.answered = False  # the status line and headers of an answer were received
        self.cut = False  # the watchdog ended it
        self.done = False
        self._lock = threading.Lock()  # handle changes vs. the watchdog's shutdown

    def hold(self, connection: HTTPConnection, sock: socket.socket) -> None:
        """Keep a handle on the socket ``connection`` uses, until the call ends."""
        if sock.fileno() < 0:  # closed already: the next read or write fails on its own
            return
        handle = socket.fromfd(sock.fileno(), sock.family, sock.type)
        with self._lock:
            previous, self.sock, self.connection = self.sock, handle, connection
            if self.cut or self.done:  # cut while it was connecting: end it now
                _shutdown(handle)
        if previous is not None:
            previous.close()

    def end_now(self) -> None:
        """The watchdog's cut: shut the held socket down; the blocked read returns at once."""
        with self._lock:
            if self.done:
                return
            self.cut = True
            if self.sock is not None:
                _shutdown(self.sock)

    def finish(self) -> None:
        with self._lock:
            self.done = True
            handle, self.sock, self.connection = self.sock, None, None
        if handle is not None:
            handle.close()  # the connection itself stays open if it is pooled


def _shutdown(sock: socket.socket) -> None:
    # Our handle is a plain socket, also under TLS: SSLSocket.shutdown would drop its
    # SSL object under the feet of the thread reading from it.
    with contextlib.suppress(OSError):  # already closed by the peer
        sock.shutdown(socket.SHUT_RDWR)


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
        due = time.monotonic() + seconds
        with self._wake:
            # The watchdog sleeps until the earliest deadline: woken only when this one
            # comes sooner (one thread switch an SMS saved under load, where the calls in
            # flight are all due later than the oldest). Calls that end early stay in the
            # heap until the watchdog next wakes: at most one deadline's worth of calls.
            sooner = not self._heap or due < self._heap[0][0]
            heapq.heappush(self._heap, (due, next(self._order), call))
            if self._thread is None or not self._thread.is_alive():  # first use, or after fork
                self._thread = threading.Thread(target=self._run, name="sms-deadline", daemon=True)
                self._thread.start()
            elif sooner:
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
            call.end_now()


_watchdog = _Watchdog()


@contextmanager
def wall_clock(seconds: float) -> Iterator[Call]:
    """Bound every connection this thread uses inside the block to ``seconds`` in all."""
    with tracking() as call:
        _watchdog.arm(seconds, call)
        yield call


@contextmanager
def tracking() -> Iterator[Call]:
    """The thread's call in flight: ``wall_clock``'s, or else one without a limit that
    still tells whether the request was sent and an answer received."""
    call = current()
    if call is not None:
        yield call
        return
    ident = threading.get_ident()
    call = _calls[ident] = Call()
    try:
        yield call
    finally:
        call.finish()
        _calls.pop(ident, None)


class DeadlineExceeded(ConnectionError):
    """Nothing more is sent once a call's time is up (an SDK's own retry included)."""


def _active() -> Call | None:
    call = current()
    if call is not None and call.cut:
        raise DeadlineExceeded("the provider call's wall-clock limit is reached")
    return call


class _Tracked:
    """Mixed into urllib3's connections: the thread's call holds their socket."""

    def _new_conn(self) -> socket.socket:
        call = _active()
        sock = super()._new_conn()  # type: ignore[misc]
        if call is not None:
            call.hold(self, sock)  # type: ignore[arg-type]  # before any TLS handshake
        return sock

    def request(self, *args: Any, **kwargs: Any) -> None:
        call = _active()
        if call is not None and call.connection is not self and self.sock is not None:  # type: ignore[attr-defined]
            call.hold(self, self.sock)  # type: ignore[arg-type,attr-defined]  # a pooled connection
        super().request(*args, **kwargs)  # type: ignore[misc]
        if call is not None:
            call.sent = True

    def getresponse(self) -> Any:
        response = super().getresponse()  # type: ignore[misc]
        call = current()
        if call is not None:
            call.answered = True
        return response


class _HTTPConnection(_Tracked, HTTPConnection):
    pass


class _HTTPSConnection(_Tracked, HTTPSConnection):
    pass


class _HTTPConnectionPool(HTTPConnectionPool):
    ConnectionCls = _HTTPConnection


class _HTTPSConnectionPool(HTTPSConnectionPool):
    ConnectionCls = _HTTPSConnection


# urllib3 pool classes whose connections `wall_clock` can cut (for an SDK on urllib3 directly).
POOLS = {"http": _HTTPConnectionPool, "https": _HTTPSConnectionPool}


class DeadlineAdapter(HTTPAdapter):
    """A requests adapter whose connections ``wall_clock`` can cut."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = dict(POOLS)

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        manager.pool_classes_by_scheme = dict(POOLS)
        return manager
