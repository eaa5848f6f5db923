"""SMS pumping: a simulated attack against a real Redis, and the pure verdict as a table."""

import random
import shutil
from datetime import timedelta

import phonenumbers
import pytest
from django.utils import timezone

from sms_gateway import sending
from sms_gateway.core.phone import parse
from sms_gateway.fraud import pumping
from sms_gateway.fraud.pumping import Counts, Thresholds, block_hours, verdict
from sms_gateway.models import BlockedPrefix, Message, RateLimit

from .throwaway import RedisServer, redis_cache_settings

COUNTRIES = ["FR", "DE", "GB", "US", "ES", "IT", "BR", "IN", "JP", "MX"]


@pytest.mark.parametrize(
    ("counts", "blocked"),
    [
        (Counts(recent=9, distinct=9, baseline=0), False),  # below the minimum volume
        (Counts(recent=10, distinct=10, baseline=0), True),  # a new prefix, 10 numbers at once
        (Counts(recent=9, distinct=3, baseline=0), False),  # below the minimum volume
        # Many codes to few numbers: a real user gets at most 5 per 10 min (the recipient
        # limit), so 10 to 3 numbers is resends, a pumping bot's way past the 8 numbers.
        (Counts(recent=10, distinct=3, baseline=0), True),
        (Counts(recent=10, distinct=2, baseline=0), False),  # two users retrying
        # A drip under the 10-minute minimum, for an hour.
        (Counts(recent=9, distinct=9, baseline=0, hour=25, hour_distinct=25), True),
        (Counts(recent=9, distinct=9, baseline=0, hour=24, hour_distinct=24), False),
        (Counts(recent=5, distinct=5, baseline=2, hour=50, hour_distinct=50), False),  # 4x
        # A walk across ranges of one wider prefix.
        (Counts(recent=9, distinct=9, baseline=0, wide_hour=40, wide_ranges=5), True),
        (Counts(recent=9, distinct=9, baseline=0, wide_hour=40, wide_ranges=3), False),
        (Counts(recent=9, distinct=9, baseline=0, wide_hour=40, wide_baseline=10), False),
        (Counts(recent=40, distinct=30, baseline=10), False),  # 4x its usual: busy, not pumping
        (Counts(recent=60, distinct=30, baseline=10), True),  # 6x its usual
        (Counts(recent=10, distinct=8, baseline=0.5), True),
    ],
)
def test_verdict(counts, blocked):
    assert (verdict(counts, Thresholds()) is not None) is blocked


def test_verdict_names_its_rule_and_what_to_block():
    assert verdict(Counts(10, 10, 0), Thresholds()).rule == "burst"
    assert verdict(Counts(10, 3, 0), Thresholds()).rule == "resends"
    drip = verdict(Counts(9, 9, 0, hour=25, hour_distinct=25), Thresholds())
    assert (drip.rule, drip.wide) == ("drip", False)
    walk = verdict(Counts(9, 9, 0, wide_hour=40, wide_ranges=5), Thresholds())
    assert (walk.rule, walk.wide) == ("walk", True)
    assert walk.reason.startswith("walk: 40 SMS to 5 ranges in 60 min")


@pytest.mark.parametrize(
    ("prefix", "wide"),
    [("33655500", "336555"), ("3365550", "336555"), ("683123", "683123"), ("6831", "6831")],
)
def test_a_wider_prefix_is_never_a_whole_country_code(prefix, wide):
    assert pumping.wide_of(prefix) == wide


@pytest.mark.parametrize(
    ("previous", "hours"), [(0, 12), (1, 24), (2, 48), (3, 96), (4, 168), (20, 168)]
)
def test_repeat_offenders_are_blocked_longer(previous, hours):
    assert block_hours(12, previous) == hours


@pytest.fixture
def redis_guard(settings):
    if not shutil.which("redis-server"):
        pytest.skip("needs redis-server")
    with RedisServer() as server:
        settings.CACHES = redis_cache_settings(server, timeout=0.5)
        yield server


def normal_numbers(count: int, rng: random.Random) -> list[str]:
    numbers = []
    while len(numbers) < count:
        region = COUNTRIES[len(numbers) % len(COUNTRIES)]
        example = phonenumbers.example_number_for_type(region, phonenumbers.PhoneNumberType.MOBILE)
        digits = str(example.national_number)
        candidate = phonenumbers.parse(
            f"+{example.country_code}{digits[:-4]}{rng.randrange(10_000):04d}"
        )
        if phonenumbers.is_valid_number(candidate):
            numbers.append(
                phonenumbers.format_number(candidate, phonenumbers.PhoneNumberFormat.E164)
            )
    return numbers


def send(e164: str, ip: str):
    return sending.send(
        sending.SmsRequest(to=parse(e164), type="SignIn", payload={"code": "123456"}, ip=ip)
    )


@pytest.mark.django_db(transaction=True)
def test_a_pumping_attack_is_blocked_and_normal_traffic_passes(redis_guard, outbox):
    rng = random.Random(7)
    attack = [f"+3365550{n:04d}" for n in range(500)]  # sequential, one prefix
    normal = normal_numbers(250, rng)
    traffic = [("attack", n) for n in attack] + [("normal", n) for n in normal]
    rng.shuffle(traffic)

    outcomes = {"attack": [], "normal": []}
    for i, (kind, number) in enumerate(traffic):
        ip = f"198.51.{i // 250}.{i % 250}"  # bots rotate addresses; so do users
        outcomes[kind].append(send(number, ip).status)

    attack_sent = outcomes["attack"].count("sent")
    normal_sent = outcomes["normal"].count("sent")
    # K: blocked at the 10th SMS to the prefix (SMS_GUARD_PUMPING_MIN_SMS), so 9 got out.
    assert attack_sent <= 9, attack_sent
    assert normal_sent >= 0.99 * len(normal), outcomes["normal"]
    [block] = BlockedPrefix.objects.all()
    assert block.prefix == "33655500"
    assert block.automatic and block.until > timezone.now() + timedelta(hours=11)
    assert block.evidence["distinct_numbers"] >= 8
    refused = Message.objects.filter(to__startswith="+33655500", status="rejected")
    assert refused.count() == 500 - attack_sent
    print(
        f"\nK={attack_sent + 1}: {attack_sent} attack SMS sent; normal {normal_sent}/{len(normal)}"
    )


@pytest.mark.django_db(transaction=True)
def test_a_prefix_whose_codes_are_used_is_trusted(redis_guard, outbox, settings):
    # Logto reported most recent codes to this prefix as used: a real rush, not a bot.
    RateLimit.objects.all().delete()
    past = timezone.now() - timedelta(minutes=30)
    for n in range(20):
        Message.objects.create(
            to=f"+3365550{n:04d}", country="FR", type="SignIn", status="sent", converted_at=past
        )
    Message.objects.filter(to__startswith="+33655500").update(created_at=past)

    statuses = [send(f"+3365550{n:04d}", "198.51.100.1").status for n in range(100, 130)]

    assert statuses == ["sent"] * 30
    assert not BlockedPrefix.objects.exists()


# --- Simulations of what the detector used to miss (issue 19) ------------------------
# Each plays attackers and real users together through the whole send path against a
# real Redis, on a clock the simulation moves (pumping.clock), and counts the attacker
# SMS that got out per range before the block, and the legitimate requests refused.


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0  # a whole hour: the windows start clean

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch):
    fake = Clock()
    monkeypatch.setattr(pumping, "clock", fake)
    return fake


def spread_numbers(count: int, rng: random.Random) -> list[str]:
    """Real users: mobile numbers anywhere in the country's mobile ranges."""
    numbers = []
    while len(numbers) < count:
        region = COUNTRIES[len(numbers) % len(COUNTRIES)]
        example = phonenumbers.example_number_for_type(region, phonenumbers.PhoneNumberType.MOBILE)
        digits = str(example.national_number)
        free = min(7, len(digits) - 1)  # the first digit keeps it a mobile number
        tail = f"{rng.randrange(10**free):0{free}d}"
        candidate = phonenumbers.parse(f"+{example.country_code}{digits[:-free]}{tail}")
        if phonenumbers.is_valid_number(candidate):
            numbers.append(
                phonenumbers.format_number(candidate, phonenumbers.PhoneNumberFormat.E164)
            )
    return numbers


def simulate(events, clock) -> dict:
    """events: (seconds, kind, number), kind "normal" or a range name. Returns per kind
    the statuses in order."""
    outcomes: dict[str, list[str]] = {}
    for i, (at, kind, number) in enumerate(sorted(events, key=lambda e: e[0])):
        clock.now = 1_800_000_000.0 + at
        ip = f"198.51.{i // 250 % 250}.{i % 250}"
        outcomes.setdefault(kind, []).append(send(number, ip).status)
    return outcomes


def normal_traffic(rng: random.Random, count: int, seconds: int) -> list:
    """Real users over the period, a fifth of them asking again a minute later."""
    events = []
    for number in spread_numbers(count, rng):
        at = rng.uniform(0, seconds)
        events.append((at, "normal", number))
        if rng.random() < 0.2:
            events.append((at + 60, "normal", number))
    return events


def report(name: str, outcomes: dict) -> dict:
    sent = {k: v.count("sent") for k, v in outcomes.items() if k != "normal"}
    normal = outcomes["normal"]
    print(
        f"\n{name}: attacker SMS sent per range before the block {sent}; "
        f"legitimate {normal.count('sent')}/{len(normal)} sent"
    )
    assert normal.count("sent") == len(normal), "a legitimate request was refused"
    return sent


@pytest.mark.django_db(transaction=True)
def test_simulation_resends_to_a_few_numbers_per_range(redis_guard, outbox, clock):
    # The bot resends 3-5 times to each of 7 numbers per range (under the 8-number rule):
    # 21-35 SMS per range got out before. The rate limits stay as shipped.
    rng = random.Random(19)
    events = normal_traffic(rng, 200, 600)
    for r in range(3):
        numbers = [f"+336555{r + 10:02d}{rng.randrange(1000):03d}" for _ in range(7)]
        at = rng.uniform(0, 60)
        for number in numbers:
            for _ in range(rng.randint(3, 5)):
                at += rng.uniform(5, 15)
                events.append((at, f"range{r}", number))
    sent = report("resends", simulate(events, clock))
    # Blocked at the 10th to 12th SMS (10 SMS to at least 3 numbers): at most 11 sent.
    assert all(n <= 11 for n in sent.values()), sent
    blocks = BlockedPrefix.objects.filter(enforced=True)
    assert sorted(b.prefix for b in blocks) == ["33655510", "33655511", "33655512"]
    assert all(b.reason.startswith("resends:") for b in blocks)


@pytest.mark.django_db(transaction=True)
def test_simulation_slow_drip_per_range(redis_guard, outbox, clock):
    # 9 SMS per range every 10 minutes, each to a new number, for 2 hours: never 10 in
    # 10 minutes. The rate limits are removed: the prefix limit (100 per 10 min on the
    # test's real clock) would otherwise cap it, this is the detector alone.
    RateLimit.objects.all().delete()
    rng = random.Random(20)
    events = normal_traffic(rng, 300, 7200)
    for r in range(3):
        for period in range(12):
            for i in range(9):
                at = period * 600 + i * 60 + r
                events.append((at, f"range{r}", f"+336555{r + 20:02d}{period * 9 + i:03d}"))
    sent = report("drip", simulate(events, clock))
    # Blocked at the 25th SMS of the hour (SMS_GUARD_PUMPING_MIN_SMS_PER_HOUR): 24 sent.
    assert all(n <= 24 for n in sent.values()), sent
    blocks = BlockedPrefix.objects.filter(enforced=True)
    assert sorted(b.prefix for b in blocks) == ["33655520", "33655521", "33655522"]
    assert all(b.reason.startswith("drip:") for b in blocks)


@pytest.mark.django_db(transaction=True)
def test_simulation_walk_across_ranges(redis_guard, outbox, clock):
    # 9 SMS to each 1,000-number range, then the next range, for 2 hours: no range ever
    # looks busy. Rate limits removed as above: the detector alone.
    RateLimit.objects.all().delete()
    rng = random.Random(21)
    events = normal_traffic(rng, 300, 7200)
    for step in range(108):
        r = step // 9
        events.append(
            (step * 66.0, f"range{r:02d}", f"+336555{r + 30:02d}{rng.randrange(1000):03d}")
        )
    outcomes = simulate(events, clock)
    sent = report("walk", outcomes)
    # Blocked at the 40th SMS of the hour to the wider prefix (SMS_GUARD_PUMPING_MIN_WALK)
    # spread over at least 4 ranges: 39 sent in all, at most 9 per range.
    assert sum(sent.values()) <= 39, sent
    assert max(sent.values()) <= 9
    [block] = BlockedPrefix.objects.filter(enforced=True)
    assert block.prefix == "336555" and block.reason.startswith("walk:")


@pytest.mark.django_db(transaction=True)
def test_monitor_mode_refuses_nothing_and_records_what_it_would_block(
    redis_guard, outbox, settings
):
    settings.SMS_GUARD_PUMPING_MODE = "monitor"
    statuses = [send(f"+3365550{n:04d}", f"198.51.100.{n}").status for n in range(30)]
    assert statuses == ["sent"] * 30
    [event] = BlockedPrefix.objects.all()
    assert (event.prefix, event.enforced) == ("33655500", False)
    assert not BlockedPrefix.objects.filter(enforced=True).exists()
    flagged = Message.objects.filter(flags__contains="pumping_monitor")
    assert flagged.count() == 30 - 9  # every SMS from the 10th on


@pytest.mark.django_db(transaction=True)
def test_a_repeat_offender_is_blocked_twice_as_long(redis_guard, outbox):
    earlier = timezone.now() - timedelta(days=2)
    old = BlockedPrefix.objects.create(prefix="33655500", reason="x", until=earlier)
    BlockedPrefix.objects.filter(pk=old.pk).update(blocked_at=earlier - timedelta(hours=12))
    for n in range(12):
        send(f"+3365550{n:04d}", f"198.51.100.{n}")
    block = BlockedPrefix.objects.exclude(pk=old.pk).get()
    assert block.evidence["previous_blocks"] == 1
    hours = (block.until - block.blocked_at).total_seconds() / 3600
    assert 23.9 < hours <= 24.0
