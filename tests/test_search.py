"""The Messages search, read as exact lookups (core/search.py): pure, no database."""

import uuid

import pytest

from sms_gateway.core.search import lookup, read_number


@pytest.mark.parametrize(
    "typed",
    [
        "+33 6 12 34 56 78",
        "+33612345678",
        "0033612345678",
        "00 33 6 12 34 56 78",
        "33612345678",
        "+33-6-12-34-56-78",
        "+33.6.12.34.56.78",
        "+33\u00a06\u00a012\u00a034\u00a056\u00a078",  # copied from a web page
        "  +33 6 12 34 56 78  ",
    ],
)
def test_an_international_number_in_any_format_is_its_e164(typed):
    assert read_number(typed) == ("+33612345678", "")
    assert lookup(typed).number == "+33612345678"


@pytest.mark.parametrize(
    "typed, region, e164",
    [
        ("0612345678", "FR", "+33612345678"),
        ("06 12 34 56 78", "FR", "+33612345678"),
        ("06.12.34.56.78", "FR", "+33612345678"),
        ("0612345678", "NL", "+31612345678"),  # the same digits, another person
        ("01512 3456789", "DE", "+4915123456789"),
        ("07911 123456", "GB", "+447911123456"),
        ("06 1234 5678", "IT", "+390612345678"),  # Italy keeps its leading 0
    ],
)
def test_a_national_number_is_read_in_the_configured_region(typed, region, e164):
    assert read_number(typed, region) == (e164, "")


def test_without_a_region_a_national_number_is_not_searched_and_says_why():
    number, note = read_number("06 12 34 56 78")
    assert number == ""
    assert "SMS_ADMIN_REGION" in note and "country code" in note


@pytest.mark.parametrize("typed", ["+33 6123", "612", "+33 6 12 34 56 78 90 12", "+999 1234567"])
def test_an_impossible_number_is_not_searched_and_says_why(typed):
    number, note = read_number(typed)
    assert number == "" and typed in note


@pytest.mark.parametrize(
    "typed",
    ["SM0123456789abcdef0123456789abcdef", "0A0000000123ABCD", "hello", "+33 6 12 34 56 7x"],
)
def test_a_term_that_is_no_number_is_compared_with_provider_ids_only(typed):
    found = lookup(typed)
    assert found.number == "" and found.note == ""
    assert found.provider_message_id == typed.strip()


def test_every_term_is_also_a_provider_message_id_compared_exactly():
    found = lookup(" 1300000012345678 ")  # Vonage ids can be all digits
    assert found.provider_message_id == "1300000012345678"
    assert lookup("x" * 101).provider_message_id == ""  # longer than the column: nothing


def test_a_uuid_is_a_message_id_and_never_a_number():
    message_id = uuid.UUID("12345678-1234-1234-1234-123456789012")  # all digits
    found = lookup(str(message_id))
    assert found.message_id == message_id
    assert found.number == "" and found.note == ""
    assert lookup(message_id.hex).message_id == message_id  # Twilio-style, no hyphens


def test_an_empty_term_looks_up_nothing():
    assert not lookup("   ")
    assert lookup("").note == ""
