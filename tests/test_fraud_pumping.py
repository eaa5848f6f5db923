"""SMS pumping: a simulated attack against a real Redis, and the pure verdict as a table."""

import random
import shutil
from datetime import timedelta

import phonenumbers
import pytest
from django.utils import timezone

from sms_gateway import sending
from sms_gateway.core.phone import parse
from sms_gateway.fraud.pumping import Counts, Thresholds, verdict
from sms_gateway.models import BlockedPrefix, Message, RateLimit

from .throwaway import RedisServer, redis_cache_settings

COUNTRIES = ["FR", "DE", "GB", "US", "ES", "IT", "BR", "IN", "JP", "MX"]


@pytest.mark.parametrize(
    ("counts", "blocked"),
    [
        (Counts(recent=9, distinct=9, baseline=0), False),  # below the minimum volume
        (Counts(recent=10, distinct=10, baseline=0), True),  # a new prefix, 10 numbers at once
        (Counts(recent=50, distinct=3, baseline=0), False),  # many codes, few numbers: retries
        (Counts(recent=40, distinct=30, baseline=10), False),  # 4x its usual: busy, not pumping
        (Counts(recent=60, distinct=30, baseline=10), True),  # 6x its usual
        (Counts(recent=10, distinct=8, baseline=0.5), True),
    ],
)
def test_verdict(counts, blocked):
    assert (verdict(counts, Thresholds()) is not None) is blocked


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
