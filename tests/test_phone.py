import re

import pytest

from sms_gateway.core import phone
from sms_gateway.core.phone import InvalidNumber, mask, parse


@pytest.mark.parametrize(
    ("raw", "e164", "region"),
    [
        ("33612345678", "+33612345678", "FR"),
        ("+33612345678", "+33612345678", "FR"),
        ("0033612345678", "+33612345678", "FR"),
        ("14155550123", "+14155550123", "US"),
        ("16045550123", "+16045550123", "CA"),
        ("447700900123", "+447700900123", "GB"),
        (" +49 151 2345 6789 ", "+4915123456789", "DE"),
        ("41791234567", "+41791234567", "CH"),
    ],
)
def test_parse_accepts_logto_numbers_with_or_without_plus(raw, e164, region):
    number = parse(raw)
    assert number.e164 == e164
    assert number.region == region
    assert number.digits == e164[1:]


@pytest.mark.parametrize(
    "raw", ["", "+", "abc", "33-6-12", "123", "999123456789", "3361234567890123"]
)
def test_parse_refuses_impossible_numbers(raw):
    with pytest.raises(InvalidNumber):
        parse(raw)


def test_mask_hides_the_last_digits():
    assert mask("+33612345678") == "+3361234****"


def test_a_number_longer_than_e164_allows_is_refused_though_metadata_calls_it_possible():
    """phonenumbers calls up to 15 national digits possible for DE (17 in all): E.164 stops
    at 15, and so does the record's column (schemathesis found the 500 on PostgreSQL)."""
    import phonenumbers as pn

    longest = "+49" + "1" * 15
    assert pn.is_possible_number(pn.parse(longest))
    with pytest.raises(phone.InvalidNumber, match="at most 15"):
        phone.parse(longest)
    assert phone.parse("+49" + "1" * 12).e164 == "+49" + "1" * 12  # 14 digits: kept
    assert not re.match(phone.possible_number_pattern(), "49" + "1" * 15)
