"""Parsing the recipient number Logto sends (E.164 digits, usually without ``+``)."""

from __future__ import annotations

from dataclasses import dataclass, field

import phonenumbers


class InvalidNumber(ValueError):
    pass


@dataclass(frozen=True)
class PhoneNumber:
    e164: str  # "+33612345678"
    country_code: int  # 33
    region: str | None  # "FR"; "001" for non-geographic numbers (+800...)
    # phonenumbers' own parse of it, for a later lookup (the guard's number type) to
    # reuse instead of parsing e164 again; not part of the value.
    parsed: phonenumbers.PhoneNumber | None = field(
        default=None, compare=False, hash=False, repr=False
    )

    @property
    def digits(self) -> str:
        return self.e164[1:]


# ITU-T E.164: at most 15 digits, the country code included (records keep '+' and 15).
MAX_DIGITS = 15


def parse(raw: str) -> PhoneNumber:
    text = "".join(raw.split())
    if text.startswith("00"):
        text = "+" + text[2:]
    if not text.startswith("+"):
        text = "+" + text
    if not text[1:].isdigit():
        raise InvalidNumber(
            "digits only, in international format: the country code first, optionally after '+'"
        )
    try:
        number = phonenumbers.parse(text, None)
    except phonenumbers.NumberParseException as err:
        raise InvalidNumber("it does not start with a known country calling code") from err
    reason = phonenumbers.is_possible_number_with_reason(number)
    if reason != phonenumbers.ValidationResult.IS_POSSIBLE:
        raise InvalidNumber(_impossible(number, reason))
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    if len(e164) - 1 > MAX_DIGITS:  # metadata calls a few longer numbers possible (DE, JP...)
        raise InvalidNumber(f"too many digits: an international number has at most {MAX_DIGITS}")
    # Metadata lags real allocations: for a possible number outside known ranges,
    # the calling code's main country is the best guess.
    region = phonenumbers.region_code_for_number(
        number
    ) or phonenumbers.region_code_for_country_code(number.country_code)
    return PhoneNumber(e164, number.country_code, None if region == "ZZ" else region, number)


# The API says "Not a valid phone number: <this>." to the end user, through Logto.
_REASONS = {
    phonenumbers.ValidationResult.TOO_SHORT: "too few digits for {where}",
    phonenumbers.ValidationResult.TOO_LONG: "too many digits for {where}",
    phonenumbers.ValidationResult.INVALID_COUNTRY_CODE: "+{code} is not a country calling code",
}


def _impossible(number: phonenumbers.PhoneNumber, reason: int) -> str:
    region = phonenumbers.region_code_for_country_code(number.country_code)
    where = f"+{number.country_code}" + (f" ({region})" if region not in ("ZZ", "001") else "")
    template = _REASONS.get(reason, "the number of digits does not fit {where}")
    digits = len(str(number.national_number))
    said = template.format(where=where, code=number.country_code)
    return f"{said}: {digits} after the country code"


def mask(e164: str) -> str:
    """'+33612345678' -> '+3361234****': enough to correlate, not enough to identify."""
    if len(e164) <= 6:
        return "*" * len(e164)
    return e164[:-4] + "****"


def possible_number_pattern() -> str:
    """A regular expression for the numbers ``parse`` accepts (in their plain form:
    digits, optionally after '+' or '00'): every calling code with the national
    lengths its metadata calls possible, first digit not 0. For the OpenAPI schema."""
    from phonenumbers import COUNTRY_CODE_TO_REGION_CODE, PhoneMetadata

    alternatives = []
    for code, regions in sorted(COUNTRY_CODE_TO_REGION_CODE.items()):
        main = regions[0]
        if main == "001":
            metadata = PhoneMetadata.metadata_for_nongeo_region(code)
        else:
            metadata = PhoneMetadata.metadata_for_region(main)
        if metadata is None or metadata.general_desc is None:
            continue
        lengths = sorted(n for n in metadata.general_desc.possible_length if n > 0)
        lengths = [n for n in lengths if len(str(code)) + n <= MAX_DIGITS]
        if not lengths:
            continue
        runs: list[tuple[int, int]] = []
        for n in lengths:
            if runs and runs[-1][1] == n - 1:
                runs[-1] = (runs[-1][0], n)
            else:
                runs.append((n, n))
        for low, high in runs:
            rest = f"{{{low - 1}}}" if low == high else f"{{{low - 1},{high - 1}}}"
            alternatives.append(f"{code}[1-9][0-9]{rest}")
    return "^(\\+|00)?(" + "|".join(alternatives) + ")$"
