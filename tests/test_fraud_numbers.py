"""The number-type policy's lookup (fraud/numbers.py): one type lookup per SMS, the
same answer as phonenumbers' is_valid_number then number_type."""

from __future__ import annotations

import random

import phonenumbers
import pytest

from sms_gateway.core import phone
from sms_gateway.fraud import numbers


def two_lookups(e164: str) -> str:
    """What kind() computed before: validity, then the type (the same lookup twice)."""
    number = phonenumbers.parse(e164, None)
    if not phonenumbers.is_valid_number(number):
        return "invalid"
    return numbers.TYPE_NAMES.get(phonenumbers.number_type(number), "unknown")


def example_numbers() -> list[str]:
    found = []
    for region in sorted(phonenumbers.SUPPORTED_REGIONS):
        for number_type in numbers.TYPE_NAMES:
            example = phonenumbers.example_number_for_type(region, number_type)
            if example is not None:
                found.append(
                    phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.E164)
                )
    return found


def random_numbers(n: int) -> list[str]:
    rng = random.Random(18)
    codes = sorted(phonenumbers.COUNTRY_CODE_TO_REGION_CODE)
    return [
        f"+{rng.choice(codes)}" + "".join(rng.choices("0123456789", k=rng.randint(6, 12)))
        for _ in range(n)
    ]


def test_one_lookup_gives_what_two_gave_for_every_region_and_type():
    examples = example_numbers()
    assert len(examples) > 1000
    kinds = {numbers.kind(e164) for e164 in examples}
    assert {"mobile", "fixed_line", "premium_rate", "shared_cost", "voip", "uan"} <= kinds
    for e164 in examples + random_numbers(5000):
        try:
            expected = two_lookups(e164)
        except phonenumbers.NumberParseException:
            continue
        assert numbers.kind(e164) == expected, e164


def test_the_requests_own_parse_gives_the_same_kind():
    """The guard reuses the number the API parsed (``PhoneNumber.parsed``), written as
    Logto writes it (no '+'), or with '00' or spaces: the same kind as e164 parsed anew."""
    checked = 0
    for e164 in example_numbers() + random_numbers(5000):
        for raw in (e164[1:], "00" + e164[1:], f"{e164[:4]} {e164[4:]}"):
            try:
                number = phone.parse(raw)
            except phone.InvalidNumber:
                continue
            assert numbers.kind(number.e164, number.parsed) == numbers.kind(number.e164), raw
            checked += 1
    assert checked > 3000


def test_the_parse_is_not_part_of_the_numbers_value():
    a, b = phone.parse("33612345678"), phone.parse("+33 6 12 34 56 78")
    assert a == b and hash(a) == hash(b) and a.parsed is not b.parsed
    assert "parsed" not in repr(a)


@pytest.mark.parametrize(
    ("e164", "refused"),
    [
        ("+33612345678", None),  # a French mobile
        ("+33891234567", "premium_rate"),
        ("+447700900123", "invalid"),  # Ofcom's range for drama: possible, never allocated
        ("+447911123456", None),  # a UK mobile
    ],
)
def test_refused_kinds(e164, refused):
    assert numbers.refused(e164, numbers.DEFAULT_REFUSED) == refused
