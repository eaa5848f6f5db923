"""Latency at one connection, the targets' requests alternating one by one.

wrk's p50 at one connection is measured a few seconds per target in turn, so a
drift of this shared machine between two slices moves one target's p50 and not
the other's: over the runs in README the same code measured from +0.3 to +2.5 ms
over floor C. Here one client holds a keep-alive connection to each target and
sends a short burst of requests to each in turn (``BURST``, each after the
previous answer; the order shuffled every round): every target answers at one
connection, and the targets' bursts a fraction of a second apart see the same
machine. Only the last requests of a burst are kept, made while the target runs
hot as it does under wrk: the first ones run on caches the other targets cooled,
which costs more the more code a target runs. The client's own time is in every
figure alike, so only the differences mean anything.

Each request posts the same body as ``post.lua`` (another recipient and end-user
ip each time, numbered after ``start``).
"""

from __future__ import annotations

import http.client
import json
import random
import statistics
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

BLOCKS = 5  # the difference of medians is also given per block: its spread is the noise
BURST, COLD = 20, 5  # requests to a target in a row, of which the first COLD are not kept


@dataclass
class Paired:
    """Each target's latencies in ms, in the order they were sent."""

    names: list[str]
    latencies: dict[str, list[float]]
    errors: dict[str, int]
    sent: int  # the last request's number: the next run numbers its recipients after it

    def p50(self, name: str) -> float:
        return statistics.median(self.latencies[name])

    def over(self, name: str, base: str) -> float:
        """``name``'s p50 less ``base``'s, in ms."""
        return self.p50(name) - self.p50(base)

    def blocks_over(self, name: str, base: str, blocks: int = BLOCKS) -> list[float]:
        """``over`` in each of ``blocks`` consecutive parts of the run."""
        ours, theirs = self.latencies[name], self.latencies[base]
        size = max(1, len(ours) // blocks)
        return [
            statistics.median(ours[i : i + size]) - statistics.median(theirs[i : i + size])
            for i in range(0, size * blocks, size)
            if ours[i : i + size] and theirs[i : i + size]
        ]


def body(n: int) -> bytes:
    """``post.lua``'s request number ``n``: a valid French mobile and a 10.x.y.z ip."""
    return json.dumps(
        {
            "to": f"336123{n % 100000:05d}",
            "type": "SignIn",
            "payload": {"code": f"{n * 7919 % 1000000:06d}", "locale": "fr"},
            "ip": f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}",
        },
        separators=(",", ":"),
    ).encode()


def order(count: int, round_: int, seed: int = 18) -> list[int]:
    """The targets' order in round ``round_``: every one once, shuffled (seeded), so that
    no target always follows the same one (whose run cools the caches it finds)."""
    indexes = list(range(count))
    random.Random(seed * 100_003 + round_).shuffle(indexes)
    return indexes


def alternate(
    targets: list[tuple[str, str, str]],
    requests: int,
    start: int = 0,
    burst: int = BURST,
    cold: int = COLD,
) -> Paired:
    """About ``requests`` latencies kept per target (whole bursts); ``targets``: (name,
    base URL, Authorization value). A first round warms every target up, not kept.

    An answer outside 2xx, or a connection the target closed or reset (sent again once
    on a new connection, not timed), is counted as an error and kept out of the
    latencies: a fast refusal would pull the p50 down."""
    rounds = 1 + max(1, -(-requests // (burst - cold)))
    connections = []
    for _, url, _ in targets:
        parts = urlsplit(url)
        connections.append(http.client.HTTPConnection(parts.hostname, parts.port, timeout=30))
    names = [name for name, _, _ in targets]
    latencies: dict[str, list[float]] = {name: [] for name in names}
    errors = dict.fromkeys(names, 0)
    n = start

    def post(index: int, payload: bytes, headers: dict[str, str]) -> int:
        connections[index].request("POST", "/sms/send", payload, headers)
        answer = connections[index].getresponse()
        answer.read()
        return answer.status

    try:
        for round_ in range(rounds):
            for index in order(len(targets), round_):
                name, _, token = targets[index]
                headers = {"Content-Type": "application/json", "Authorization": token}
                for request in range(burst):
                    n += 1
                    payload = body(n)
                    began = time.perf_counter()
                    try:
                        status = post(index, payload, headers)
                    except (http.client.HTTPException, ConnectionError):
                        connections[index].close()  # reopened by the next request
                        post(index, payload, headers)
                        errors[name] += 1
                        continue
                    took = (time.perf_counter() - began) * 1000
                    if not 200 <= status < 300:
                        errors[name] += 1
                    elif round_ and request >= cold:
                        latencies[name].append(took)
    finally:
        for connection in connections:
            connection.close()
    return Paired(names, latencies, errors, n)
