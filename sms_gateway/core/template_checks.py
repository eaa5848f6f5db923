"""What an operator must know before saving a template: errors, warnings, cost."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from . import encoding
from .message_types import CODE_TYPES
from .rendering import PLACEHOLDER, placeholders, render

# The keys Logto puts in an SMS payload, and the objects it adds for other
# channels (and may add to SMS): what templates may refer to.
KNOWN_ROOTS = frozenset(
    {"code", "link", "locale", "uiLocales", "application", "organization", "user", "inviter"}
)
SAMPLE_PAYLOAD = {
    "code": "123456",
    "link": "https://id.example.com/invite/Ab3dE6",
    "locale": "en",
    "uiLocales": "en",
    "application": {"name": "Acme"},
    "organization": {"name": "Acme Corp"},
    "user": {"name": "Alex"},
    "inviter": {"name": "Sam"},
}
_OPENING = re.compile(r"(?={{)")  # every "{{", overlapping ones too


@dataclass
class Review:
    preview: str
    analysis: encoding.Encoding
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "preview": self.preview,
            "encoding": self.analysis.encoding,
            "characters": self.analysis.characters,
            "length": self.analysis.length,
            "segments": self.analysis.segments,
            "non_gsm": list(self.analysis.non_gsm),
            "errors": self.errors,
            "warnings": self.warnings,
        }


def _describe(char: str) -> str:
    import unicodedata

    name = unicodedata.name(char, f"U+{ord(char):04X}")
    return f"'{char}' ({name.lower()})"


def review(
    kind: str,
    text: str,
    max_segments: int,
    extra_roots: frozenset[str] = frozenset(),
    sample: dict | None = None,
) -> Review:
    """Render ``text`` with sample values and say what is wrong or costly about it."""
    payload = {**SAMPLE_PAYLOAD, **(sample or {})}
    preview = render(text, payload)
    result = Review(preview, encoding.analyze(preview))
    well_formed = {m.start() for m in PLACEHOLDER.finditer(text)}
    for opening in _OPENING.finditer(text):
        # "{{{code}}}" is a literal brace around a placeholder, as Logto renders it.
        if not {opening.start(), opening.start() + 1, opening.start() - 1} & well_formed:
            snippet = text[opening.start() : opening.start() + 20]
            result.errors.append(f"Malformed placeholder at “{snippet}”: use {{{{name}}}}.")
            break
    roots = KNOWN_ROOTS | extra_roots
    unknown = sorted({p.split(".")[0] for p in placeholders(text)} - roots)
    if unknown:
        result.errors.append(
            "Unknown placeholder(s): "
            + ", ".join(f"{{{{{name}}}}}" for name in unknown)
            + f". Known: {', '.join(sorted(roots))}."
        )
    if kind in CODE_TYPES and "code" not in placeholders(text):
        result.errors.append(f"A {kind} message must contain {{{{code}}}}.")
    if result.analysis.segments > max_segments:
        result.errors.append(
            f"{result.analysis.segments} segments with sample values; the limit is "
            f"{max_segments} (SMS_MAX_SEGMENTS)."
        )
    if result.analysis.is_unicode:
        shown = ", ".join(_describe(c) for c in result.analysis.non_gsm[:5])
        more = len(result.analysis.non_gsm) - 5
        result.warnings.append(
            f"UCS-2: {shown}{f' and {more} more' if more > 0 else ''} not in the GSM-7 "
            f"alphabet, so one segment holds 70 characters instead of 160."
        )
    return result


def review_configured(kind: str, text: str) -> Review:
    """``review`` with this deployment's limits (SMS_MAX_SEGMENTS, SMS_TEMPLATE_EXTRA_ROOTS)."""
    from django.conf import settings

    return review(
        kind,
        text,
        max_segments=settings.SMS_MAX_SEGMENTS,
        extra_roots=frozenset(settings.SMS_TEMPLATE_EXTRA_ROOTS),
    )
