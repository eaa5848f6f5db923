"""GSM-7 / UCS-2 detection and segment counting (3GPP TS 23.038).

What an SMS costs depends on its encoding: one character outside the GSM 03.38
alphabet turns the whole message into UCS-2, which more than halves what fits
in one billed segment.
"""

from __future__ import annotations

from dataclasses import dataclass

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# Each of these is sent as ESC + char: two septets.
GSM7_EXTENSION = frozenset("\f^{}\\[~]|€")

GSM7 = "GSM-7"
UCS2 = "UCS-2"

SINGLE_LIMIT = {GSM7: 160, UCS2: 70}
PART_LIMIT = {GSM7: 153, UCS2: 67}


@dataclass(frozen=True)
class Encoding:
    encoding: str
    length: int  # septets for GSM-7, UTF-16 code units for UCS-2
    segments: int
    characters: int
    non_gsm: tuple[str, ...]  # the characters that force UCS-2, in order of appearance

    @property
    def is_unicode(self) -> bool:
        return self.encoding == UCS2


def is_gsm7(text: str) -> bool:
    return all(ch in GSM7_BASIC or ch in GSM7_EXTENSION for ch in text)


def _unit_sizes(text: str, encoding: str) -> list[int]:
    """The size of each character in the encoding's units; never split across parts."""
    if encoding == GSM7:
        return [2 if ch in GSM7_EXTENSION else 1 for ch in text]
    return [2 if ord(ch) > 0xFFFF else 1 for ch in text]


def _count_parts(sizes: list[int], per_part: int) -> int:
    parts, used = 1, 0
    for size in sizes:
        if used + size > per_part:
            parts, used = parts + 1, 0
        used += size
    return parts


def analyze(text: str) -> Encoding:
    if GSM7_BASIC.issuperset(text):  # the common case: every character one septet
        length = len(text)
        if length <= SINGLE_LIMIT[GSM7]:
            segments = 1 if length else 0
        else:
            segments = -(-length // PART_LIMIT[GSM7])
        return Encoding(GSM7, length, segments, length, ())
    return _analyze(text)


def _analyze(text: str) -> Encoding:
    """``analyze`` for any text, character by character."""
    non_gsm = tuple(
        dict.fromkeys(ch for ch in text if ch not in GSM7_BASIC and ch not in GSM7_EXTENSION)
    )
    encoding = UCS2 if non_gsm else GSM7
    sizes = _unit_sizes(text, encoding)
    length = sum(sizes)
    if length == 0:
        segments = 0
    elif length <= SINGLE_LIMIT[encoding]:
        segments = 1
    else:
        segments = _count_parts(sizes, PART_LIMIT[encoding])
    return Encoding(encoding, length, segments, len(text), non_gsm)
