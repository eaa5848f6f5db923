"""Is every shipped (type, locale) pair there? Pure: the gateway ships Logto's nine
types in the 21 languages of Logto's sign-in experience, 189 pairs; a package built
without its ``templates/`` folder ships none of them (every SMS would answer 500)."""

from __future__ import annotations

from collections.abc import Iterable

from ..core.message_types import KNOWN_TYPES

# The languages of Logto's sign-in experience, each shipped as templates/sms/<locale>.json.
SHIPPED_LOCALES = (
    "ar", "cs", "de", "en", "es", "es-MX", "fa-IR", "fr", "it", "ja", "ko",
    "pl-PL", "pt-BR", "pt-PT", "ru", "th", "tr-TR", "uk-UA", "zh-CN", "zh-HK", "zh-TW",
)  # fmt: skip


def missing_pairs(present: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """The (type, locale) pairs absent from ``present``: every known type in every
    shipped locale and in every other locale ``present`` has (a language added later)."""
    present = set(present)
    locales = set(SHIPPED_LOCALES) | {locale for _, locale in present}
    expected = {(kind, locale) for kind in KNOWN_TYPES for locale in locales}
    return sorted(expected - present, key=lambda pair: (pair[1], pair[0]))


def describe(missing: Iterable[tuple[str, str]]) -> str:
    """'ja (all 9 types); fr: BindMfa, SignIn': short enough for one error line."""
    by_locale: dict[str, list[str]] = {}
    for kind, locale in missing:
        by_locale.setdefault(locale, []).append(kind)
    parts = []
    for locale in sorted(by_locale):
        kinds = sorted(by_locale[locale])
        if len(kinds) == len(KNOWN_TYPES):
            parts.append(f"{locale} (all {len(kinds)} types)")
        else:
            parts.append(f"{locale}: {', '.join(kinds)}")
    return "; ".join(parts)
