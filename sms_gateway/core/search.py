"""What an operator types in the Messages search, read as exact lookups. Pure.

A number in any format becomes its E.164 form and is compared with the stored
number by equality (an index probe), never as a fragment: ``06 12 34 56 78``
finds +33612345678 and nobody else, not +33612345678's neighbours nor
+8615012568479, which merely contains the digits. How a number is read:

- ``+``, ``00`` or bare digits: international, the country code first, as Logto
  sends ``to`` (``+33 6 12 34 56 78``, ``0033612345678``, ``33612345678``);
- a single leading ``0``: national, in the operator's country
  (``SMS_ADMIN_REGION``, e.g. ``FR``); without it a national number cannot be
  told apart from the same digits in another country (``0612345678`` is French
  and Dutch), so it is not searched and the operator is told why.

Whatever the term, it is also compared exactly with the provider's message id,
and with the message id when it is a UUID.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import phonenumbers

SEPARATORS = " -./()\u00a0\t"
PROVIDER_ID_MAX = 100  # Message.provider_message_id's length


@dataclass(frozen=True)
class Lookup:
    number: str = ""  # E.164, compared with Message.to
    provider_message_id: str = ""  # compared exactly
    message_id: uuid.UUID | None = None
    note: str = ""  # why a term that looks like a number was not searched as one

    def __bool__(self) -> bool:
        return bool(self.number or self.provider_message_id or self.message_id)


def lookup(term: str, region: str = "") -> Lookup:
    """The exact lookups for ``term``; ``region`` reads national numbers (ISO, ``FR``)."""
    term = term.strip()
    if not term:
        return Lookup()
    number, note = read_number(term, region)
    message_id = _uuid(term)
    return Lookup(
        number=number,
        provider_message_id=term if len(term) <= PROVIDER_ID_MAX else "",
        message_id=message_id,
        note="" if message_id else note,
    )


def read_number(term: str, region: str = "") -> tuple[str, str]:
    """(E.164, "") for a number in any format, ("", why) for one that cannot be read,
    ("", "") for a term that is no number at all (a message id)."""
    text = "".join(ch for ch in term if ch not in SEPARATORS)
    if text.startswith("+"):
        international, digits = True, text[1:]
    elif text.startswith("00"):
        international, digits = True, text[2:]
    elif text.startswith("0"):
        international, digits = False, text
    else:
        international, digits = True, text
    if not digits.isascii() or not digits.isdigit():
        return "", ""
    if international:
        return _possible("+" + digits, None, term)
    if not region:
        return "", (
            f"{term!r} is a national number: type it with its country code "
            "(+33 6 12 34 56 78), or set SMS_ADMIN_REGION to the country it belongs to."
        )
    return _possible(digits, region, term)


def _possible(text: str, region: str | None, term: str) -> tuple[str, str]:
    try:
        parsed = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return "", f"{term!r} is not a phone number: no country calling code fits."
    if not phonenumbers.is_possible_number(parsed):
        where = f" in {region}" if region else ""
        return "", f"{term!r} is not a possible phone number{where}: too few or too many digits."
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164), ""


def _uuid(text: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(text)
    except ValueError:
        return None
