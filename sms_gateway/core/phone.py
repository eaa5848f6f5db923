"""Parsing the recipient number Logto sends (E.164 digits, usually without ``+``)."""

from __future__ import annotations

from dataclasses import dataclass

import phonenumbers


class InvalidNumber(ValueError):
    pass


@dataclass(frozen=True)
class PhoneNumber:
    e164: str  # "+33612345678"
    country_code: int  # 33
    region: str | None  # "FR"; "001" for non-geographic numbers (+800...)

    @property
    def digits(self) -> str:
        return self.e164[1:]


def parse(raw: str) -> PhoneNumber:
    text = "".join(raw.split())
    if text.startswith("00"):
        text = "+" + text[2:]
    if not text.startswith("+"):
        text = "+" + text
    if not text[1:].isdigit():
        raise InvalidNumber("must be an international number: digits, optionally after '+'")
    try:
        number = phonenumbers.parse(text, None)
    except phonenumbers.NumberParseException as err:
        raise InvalidNumber("is not a phone number with a known country code") from err
    if not phonenumbers.is_possible_number(number):
        raise InvalidNumber("is not a possible phone number")
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    # Metadata lags real allocations: for a possible number outside known ranges,
    # the calling code's main country is the best guess.
    region = phonenumbers.region_code_for_number(
        number
    ) or phonenumbers.region_code_for_country_code(number.country_code)
    return PhoneNumber(e164, number.country_code, None if region == "ZZ" else region)


def mask(e164: str) -> str:
    """'+33612345678' -> '+3361234****': enough to correlate, not enough to identify."""
    if len(e164) <= 6:
        return "*" * len(e164)
    return e164[:-4] + "****"
