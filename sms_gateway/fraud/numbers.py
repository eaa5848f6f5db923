"""Which kinds of number may receive an SMS code. Pure.

Premium-rate, shared-cost, UAN, personal numbers, pagers and voicemail are
where SMS pumping earns its money or where a code is useless; a number that is
possible but not valid belongs to no allocated range. Both come from
phonenumbers' metadata, which lags real allocations: ``unknown`` has its own
policy.
"""

from __future__ import annotations

import phonenumbers
from phonenumbers import PhoneNumberType

TYPE_NAMES = {
    PhoneNumberType.FIXED_LINE: "fixed_line",
    PhoneNumberType.MOBILE: "mobile",
    PhoneNumberType.FIXED_LINE_OR_MOBILE: "fixed_line_or_mobile",
    PhoneNumberType.TOLL_FREE: "toll_free",
    PhoneNumberType.PREMIUM_RATE: "premium_rate",
    PhoneNumberType.SHARED_COST: "shared_cost",
    PhoneNumberType.VOIP: "voip",
    PhoneNumberType.PERSONAL_NUMBER: "personal_number",
    PhoneNumberType.PAGER: "pager",
    PhoneNumberType.UAN: "uan",
    PhoneNumberType.VOICEMAIL: "voicemail",
    PhoneNumberType.UNKNOWN: "unknown",
}
DEFAULT_REFUSED = frozenset(
    {"premium_rate", "shared_cost", "uan", "personal_number", "pager", "voicemail", "invalid"}
)


def kind(e164: str, parsed: phonenumbers.PhoneNumber | None = None) -> str:
    """'mobile', 'premium_rate'..., 'invalid' for a possible number in no known range.

    ``parsed``: phonenumbers' parse of the same number, when the caller has it (the
    request's, ``core.phone.PhoneNumber.parsed``): not parsed a second time."""
    # One type lookup: phonenumbers' is_valid_number is "its type is not UNKNOWN" for
    # the number's own region, the same lookup number_type makes (asking both did it
    # twice: half the guard's CPU). A valid number of no listed type would be "unknown".
    number = parsed if parsed is not None else phonenumbers.parse(e164, None)
    number_type = phonenumbers.number_type(number)
    if number_type == PhoneNumberType.UNKNOWN:
        return "invalid"
    return TYPE_NAMES.get(number_type, "unknown")


def refused(
    e164: str,
    refused_kinds: frozenset[str] | set[str],
    parsed: phonenumbers.PhoneNumber | None = None,
) -> str | None:
    """The kind that makes this number refused, or None."""
    number_kind = kind(e164, parsed)
    return number_kind if number_kind in refused_kinds else None
