"""The rate limits' sliding-window counters: the same cases for the per-process
counters (Python) and the Redis script (Lua, on a throwaway redis-server), and
what each keeps in memory."""

from __future__ import annotations

import random
import shutil
import threading
import time
import tracemalloc

import pytest
import redis

from sms_gateway.fraud import ratelimits, window
from sms_gateway.fraud.config import Limit
from sms_gateway.fraud.ratelimits import LocalCounts, key_of
from sms_gateway.fraud.window import Geometry, Verdict

from .throwaway import RedisServer

DAY_MS = 86_400_000
# A day boundary in the future: sub-windows of every window used here start on
# it, and the script's PEXPIREAT (absolute) stays in the future.
T0 = (time.time_ns() // 1_000_000 // DAY_MS + 2) * DAY_MS

RECIPIENT = Limit("recipient", 3, 600)
RECIPIENT_DAY = Limit("recipient", 5, 86_400)  # room for 2 more after 3
PREFIX = Limit("prefix", 4, 600)
GLOBAL = Limit("global", 5, 600)
PASS = Verdict(None, 0)


@pytest.fixture(scope="module")
def redis_server():
    if not shutil.which("redis-server"):
        pytest.skip("needs redis-server")
    with RedisServer() as server:
        yield server


@pytest.fixture
def store(request, redis_server):
    """hit(checks, now_ms) -> Verdict, on the per-process counters or on Redis."""
    if request.param == "local":
        counts = LocalCounts(1000)
        yield counts.hit
        return
    client = redis.Redis.from_url(redis_server.url())
    client.flushdb()
    yield lambda checks, now_ms: ratelimits.evaluate(client, checks, now_ms)
    client.close()


both = pytest.mark.parametrize("store", ["local", "redis"], indirect=True)


def refused(index: int, wait_ms: int) -> Verdict:
    return Verdict(index, wait_ms)


def test_geometry_is_60_sub_windows_that_fit_in_the_window():
    assert Geometry.of(600) == Geometry(10_000, 60)
    assert Geometry.of(86_400) == Geometry(1_440_000, 60)
    assert Geometry.of(7) == Geometry(116, 60)  # 6.96 s counted of 7
    assert Geometry.of(1) == Geometry(16, 62)  # 992 ms of 1 s
    for seconds in (1, 2, 7, 59, 60, 61, 600, 3601, 86_400, 604_800):
        g = Geometry.of(seconds)
        assert g.buckets * g.width_ms <= seconds * 1000 < (g.buckets + 1) * g.width_ms


@both
def test_exactly_the_limit_passes_then_the_wait_is_until_the_first_leaves(store):
    now = T0 + 3_000
    verdicts = [store([(RECIPIENT, "a")], now) for _ in range(4)]
    # Counted in sub-window 0 (T0 .. T0+10 s), which leaves the window at T0 + 600 s.
    assert verdicts == [PASS, PASS, PASS, refused(0, 597_000)]
    assert store([(RECIPIENT, "a")], T0 + 599_999) == refused(0, 1)
    assert store([(RECIPIENT, "a")], T0 + 600_000) == PASS


@both
def test_an_sms_counts_for_between_w_minus_w_over_60_and_w(store):
    one = Limit("recipient", 1, 600)
    late = T0 + 9_999  # the last millisecond of its sub-window: counted 590.001 s
    assert store([(one, "late")], late) == PASS
    assert store([(one, "late")], late + 590_000) == refused(0, 1)
    assert store([(one, "late")], late + 590_001) == PASS
    early = T0 + 20_000  # the first millisecond of its sub-window: counted 600 s
    assert store([(one, "early")], early) == PASS
    assert store([(one, "early")], early + 599_999) == refused(0, 1)
    assert store([(one, "early")], early + 600_000) == PASS


@both
def test_the_oldest_counters_leave_first(store):
    for seconds in (0, 100, 200):
        assert store([(RECIPIENT, "a")], T0 + seconds * 1000) == PASS
    assert store([(RECIPIENT, "a")], T0 + 300_000) == refused(0, 300_000)
    assert store([(RECIPIENT, "a")], T0 + 600_000) == PASS  # the one of 0 s left
    assert store([(RECIPIENT, "a")], T0 + 601_000) == refused(0, 99_000)  # until 100 s's


@both
def test_a_refused_sms_is_counted_in_no_limit(store):
    def sms(to: str, now: int) -> Verdict:
        return store([(RECIPIENT, to), (PREFIX, "336123"), (GLOBAL, "all")], now)

    # 3 pass to one number, 20 more are refused by the recipient limit...
    assert [sms("a", T0) for _ in range(23)] == [PASS] * 3 + [refused(0, 600_000)] * 20
    # ...and spent nothing: the prefix has room for exactly one more, the gateway two.
    assert sms("b", T0 + 30) == PASS
    assert sms("c", T0 + 31) == refused(1, 599_969)
    assert store([(GLOBAL, "all")], T0 + 32) == PASS
    assert store([(GLOBAL, "all")], T0 + 33) == refused(0, 599_967)


@both
def test_the_refusing_limit_with_the_longest_wait_is_named(store):
    checks = [(RECIPIENT, "a"), (RECIPIENT_DAY, "a")]
    for n in range(3):
        assert store(checks, T0 + n) == PASS
    assert store(checks, T0 + 10) == refused(0, 599_990)  # the day limit has room for 2
    assert store(checks, T0 + 600_000) == PASS
    assert store(checks, T0 + 600_001) == PASS
    for _ in range(3):  # 2 in these 10 min, 5 today: the day limit alone refuses
        assert store(checks, T0 + 600_002) == refused(1, DAY_MS - 600_002)
    assert store(checks, T0 + 600_003) == refused(1, DAY_MS - 600_003)
    # Both refuse: the day limit's wait is the longer, so it is the one named.
    tight = [(RECIPIENT, "b"), (Limit("recipient", 3, 86_400), "b")]
    for n in range(3):
        assert store(tight, T0 + n) == PASS
    assert store(tight, T0 + 10) == refused(1, DAY_MS - 10)
    # Equal waits: the first listed.
    twin = [(Limit("prefix", 1, 600), "x"), (Limit("country", 1, 600), "x")]
    assert store(twin, T0) == PASS
    assert store(twin, T0 + 5) == refused(0, 599_995)


@both
def test_a_limit_of_zero_refuses_for_a_whole_window(store):
    assert store([(Limit("global", 0, 600), "all")], T0 + 1) == refused(0, 600_000)


@both
def test_no_checks_pass(store):
    assert store([], T0) == PASS


def test_the_script_and_the_python_agree_on_random_traffic(redis_server):
    client = redis.Redis.from_url(redis_server.url())
    client.flushdb()
    local = LocalCounts(1000)
    rng = random.Random(18)
    limits = [
        Limit("recipient", 2, 60),
        Limit("recipient", 4, 600),
        Limit("prefix", 6, 300),
        Limit("global", 4, 120),
    ]
    now, verdicts = T0, []
    for _ in range(2000):
        now += rng.choice([1, 50, 700, 3_000, 20_000])
        to = rng.choice("abcd")
        checks = [(limits[0], to), (limits[1], to), (limits[2], "p"), (limits[3], "all")]
        expected = local.hit(checks, now)
        assert ratelimits.evaluate(client, checks, now) == expected
        verdicts.append(expected.refused)
    assert {None, 0, 1, 2, 3} <= set(verdicts)  # every limit refused at some point
    client.close()


def test_a_key_in_redis_has_constant_size_and_an_expiry_within_its_window(redis_server):
    client = redis.Redis.from_url(redis_server.url())
    client.flushdb()
    busy = Limit("global", 10**9, 600)
    key = key_of(busy, "all")
    g = Geometry.of(600)
    rng = random.Random(1)
    now, sizes = T0, []
    for n in range(1, 6001):  # 6,000 SMS over about 3 hours
        now += rng.randint(1, 3_600)
        assert ratelimits.evaluate(client, [(busy, "all")], now) == PASS
        expires = client.pexpiretime(key)
        assert expires == window.expires_at_ms(g, now)  # set to when this SMS stops counting,
        assert now + 590_000 < expires <= now + 600_000  # never further than the window
        if n % 1000 == 0:
            sizes.append((client.hlen(key), client.memory_usage(key)))
    assert all(fields <= 60 for fields, _ in sizes)
    assert max(usage for _, usage in sizes) <= 1024, sizes  # counters, not one entry per SMS
    client.close()


def test_redis_memory_per_key_and_every_key_expires(redis_server):
    """Figures for the README: 10,000 SMS, each to a new number from a new address."""
    client = redis.Redis.from_url(redis_server.url())
    client.flushdb()
    limits = [
        Limit("recipient", 5, 600),
        Limit("recipient", 15, 86_400),
        Limit("ip", 20, 600),
        Limit("ip", 100, 86_400),
        Limit("prefix", 10**6, 600),
        Limit("country", 10**6, 600),
        Limit("global", 10**6, 600),
    ]
    before = client.info("memory")["used_memory"]
    for n in range(10_000):
        to, ip = f"3361{n:07d}", f"10.0.{n // 256}.{n % 256}"
        keys = [to, to, ip, ip, to[:6], "FR", "all"]
        assert ratelimits.evaluate(client, list(zip(limits, keys, strict=True)), T0 + n) == PASS
    used = client.info("memory")["used_memory"] - before
    keys = list(client.scan_iter(match="sms_gateway:rl:*", count=1000))
    assert len(keys) == 4 * 10_000 + 3  # one prefix, one country, the gateway
    assert all(client.pttl(k) > 0 for k in keys)  # no key without an expiry
    per_key = used / len(keys)
    recipient = client.memory_usage(key_of(limits[0], "33610000000"))
    print(f"\nRedis: {used / 1e6:.1f} MB for 10,000 SMS ({len(keys)} keys), {per_key:.0f} B/key")
    print(f"MEMORY USAGE of one recipient key counted once: {recipient} B")
    assert per_key < 200  # the moving window took ~340 B per number, growing with its hits
    client.close()


def test_the_per_process_counters_stay_bounded_whatever_the_number_of_keys():
    """40,000 SMS to new numbers from new addresses (120,000 keys): memory stays flat."""
    capacity = 20_000
    counts = LocalCounts(capacity)
    unlimited = 10**9
    limits = [
        Limit("recipient", unlimited, 600),
        Limit("recipient", unlimited, 86_400),
        Limit("ip", unlimited, 600),
        Limit("prefix", unlimited, 600),
        Limit("country", unlimited, 600),
        Limit("global", unlimited, 600),
    ]
    threads = threading.active_count()
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        figures = []
        for n in range(40_000):
            to, ip = f"336{n:08d}", f"10.{n % 256}.{n // 256 % 256}.{n // 65536}"
            checks = list(zip(limits, [to, to, ip, to[:9], "FR", "all"], strict=True))
            assert counts.hit(checks, T0 + n) == PASS
            if n + 1 in (10_000, 20_000, 40_000):
                figures.append(tracemalloc.get_traced_memory()[0] - base)
    finally:
        tracemalloc.stop()
    assert len(counts) == capacity
    assert threading.active_count() == threads  # no timer thread, no sweep
    assert figures[2] <= figures[0] * 1.05, figures  # flat once full
    assert figures[2] < 15e6, figures
    # The gateway-wide key is counted by every SMS, so it is never the one forgotten.
    assert counts.count(limits[5], "all", T0 + 40_000) == 40_000
    print(f"\nper-process counters: {figures[2] / 1e6:.1f} MB for {capacity:,} keys (40,000 SMS)")
