"""What an operator must know before saving a template: errors, warnings, cost."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from . import encoding, origin_bound, validity
from .composition import TextOptions, compose
from .message_types import CODE_TYPES
from .rendering import PLACEHOLDER, placeholders, render

# The keys Logto puts in an SMS payload, and the objects it adds for other
# channels (and may add to SMS): what templates may refer to.
# Plus the gateway's own: the code's validity (``validity``, ``validityMinutes``).
KNOWN_ROOTS = (
    frozenset(
        {"code", "link", "locale", "uiLocales", "application", "organization", "user", "inviter"}
    )
    | validity.ROOTS
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
# The domain the editor shows the origin-bound line with when none is configured.
SAMPLE_DOMAIN = "id.example.com"
LONG_CODE = "12345678"  # the room every code text must leave: an 8-digit code
_OPENING = re.compile(r"(?={{)")  # every "{{", overlapping ones too


@dataclass
class OriginCost:
    """What the origin-bound line costs this text (shown even while it is off)."""

    enabled: bool
    line: str
    segments: int


@dataclass
class Review:
    preview: str
    analysis: encoding.Encoding
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    origin: OriginCost | None = None  # None for messages without a code
    validity_minutes: int = 10

    def as_dict(self) -> dict:
        return {
            "origin": self.origin.__dict__ if self.origin else None,
            "validity_minutes": self.validity_minutes,
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


_NAME = re.compile(r"\{\{\s*([\w.]*)")


def review(
    kind: str,
    text: str,
    max_segments: int,
    extra_roots: frozenset[str] = frozenset(),
    sample: dict | None = None,
    *,
    locale: str = "en",
    options: TextOptions | None = None,
) -> Review:
    """Render ``text`` as sent (sample values, validity, origin-bound line if on) and say
    what is wrong or costly about it."""
    options = options or TextOptions()
    payload = {**SAMPLE_PAYLOAD, **(sample or {})}
    composed = compose(kind, text, payload, locale, options)
    preview = render(composed.template, composed.values)
    result = Review(preview, encoding.analyze(preview), validity_minutes=options.validity_minutes)
    if kind in CODE_TYPES:
        _origin_and_room(kind, text, payload, locale, options, result)
    well_formed = {m.start() for m in PLACEHOLDER.finditer(text)}
    for opening in _OPENING.finditer(text):
        # "{{{code}}}" is a literal brace around a placeholder, as Logto renders it.
        if not {opening.start(), opening.start() + 1, opening.start() - 1} & well_formed:
            snippet = text[opening.start() : opening.start() + 20]
            name = _NAME.match(snippet).group(1) or "code"  # type: ignore[union-attr]
            result.errors.append(
                f"Malformed placeholder at “{snippet}”: write it as {{{{{name}}}}}, "
                "a name between double braces."
            )
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
            f"{max_segments}, as the gateway is configured."
        )
    if result.analysis.is_unicode:
        shown = ", ".join(_describe(c) for c in result.analysis.non_gsm[:5])
        more = len(result.analysis.non_gsm) - 5
        result.warnings.append(
            f"UCS-2: {shown}{f' and {more} more' if more > 0 else ''} not in the GSM-7 "
            f"alphabet, so one segment holds 70 characters instead of 160."
        )
    return result


def _origin_and_room(
    kind: str, text: str, payload: dict, locale: str, options: TextOptions, result: Review
) -> None:
    """The origin-bound line's cost, and whether an 8-digit code still fits."""
    origin = options.origin
    domain = origin.domain_for(payload) or SAMPLE_DOMAIN
    with_line = TextOptions(
        options.validity_minutes, origin_bound.OriginBound(domain, {}, origin.app_hash)
    )
    rendered = render(**_as_kwargs(compose(kind, text, payload, locale, with_line)))
    cost = encoding.analyze(rendered)
    result.origin = OriginCost(origin.enabled, rendered.rsplit("\n", 1)[-1], cost.segments)
    plain = compose(kind, text, payload, locale, TextOptions(options.validity_minutes))
    plain_segments = encoding.analyze(render(**_as_kwargs(plain))).segments
    if origin.enabled and cost.segments > plain_segments:
        result.warnings.append(
            f"The origin-bound line (@{domain} #code) makes this text {cost.segments} segments "
            f"instead of {plain_segments}."
        )
    if origin.app_hash and origin.enabled and result.analysis.segments > 1:
        result.warnings.append(
            "Android's SMS Retriever reads only one-segment messages (140 bytes): "
            f"this one takes {result.analysis.segments}."
        )
    long_code = compose(kind, text, {**payload, "code": LONG_CODE}, locale, options)
    long_segments = encoding.analyze(render(**_as_kwargs(long_code))).segments
    if long_segments > result.analysis.segments:
        result.warnings.append(
            f"With an 8-digit code this text takes {long_segments} segments "
            f"({result.analysis.segments} with the 6-digit sample)."
        )


def _as_kwargs(composed) -> dict:  # noqa: ANN001
    return {"template": composed.template, "payload": composed.values}


def review_configured(kind: str, text: str, locale: str = "en") -> Review:
    """``review`` with this deployment's limits (SMS_MAX_SEGMENTS, SMS_TEMPLATE_EXTRA_ROOTS),
    code validity and origin-bound line."""
    from django.conf import settings

    return review(
        kind,
        text,
        max_segments=settings.SMS_MAX_SEGMENTS,
        extra_roots=frozenset(settings.SMS_TEMPLATE_EXTRA_ROOTS),
        locale=locale,
        options=TextOptions.from_settings(),
    )
