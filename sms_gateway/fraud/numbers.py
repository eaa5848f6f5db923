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


def kind(e164: str) -> str:
    """'mobile', 'premium_rate'..., 'invalid' for a possible number in no known range."""
    number = phonenumbers.parse(e164, None)
    if not phonenumbers.is_valid_number(number):
        return "invalid"
    return TYPE_NAMES.get(phonenumbers.number_type(number), "unknown")


def refused(e164: str, refused_kinds: frozenset[str] | set[str]) -> str | None:
    """The kind that makes this number refused, or None."""
    number_kind = kind(e164)
    return number_kind if number_kind in refused_kinds else None
