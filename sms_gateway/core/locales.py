"""Choosing the language of an SMS.

Candidates, best first: ``payload.locale``, each tag of ``payload.uiLocales``,
the languages of the recipient's country (CLDR, by population), then the
configured default. Each candidate walks down its BCP-47 fallbacks
(``zh-Hant-TW`` -> ``zh-TW`` -> ``zh``); if only the bare language is left, any
regional variant of it we have is better than switching language
(``pt`` -> ``pt-BR``, ``pl`` -> ``pl-PL``), unless the recipient's country
speaks one of them (``pt`` to +351 -> ``pt-PT``, ``zh`` to +886 -> ``zh-TW``).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

from babel.core import get_global
from babel.languages import get_official_languages

_TAG = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$")

# Tags that stand for a shipped regional locale: a script implies the region
# Logto ships it for; Latin-American Spanish is Logto's es-MX.
_ALIASES = {
    "zh-Hans": "zh-CN",
    "zh-Hant": "zh-TW",
    "es-419": "es-MX",
}
_PARENT_EXCEPTIONS: dict[str, str] = get_global("parent_exceptions")
# Which regional variant stands for a bare language when several exist.
_PREFERRED_VARIANT = {
    "pt": "pt-BR",
    "zh": "zh-CN",
    "es": "es",
}


# The functions below are pure: their answers are cached (bounded: the tags come from
# requests) as every SMS asks them the same few questions (46 µs an SMS saved, 2026-12).
CACHED_TAGS = 4096


@functools.lru_cache(maxsize=CACHED_TAGS)
def normalize(tag: str) -> str | None:
    """Canonical case for a BCP-47 tag ('ZH_hant_tw' -> 'zh-Hant-TW'); None if not a tag."""
    tag = tag.strip().replace("_", "-")
    if not _TAG.match(tag):
        return None
    parts = tag.split("-")
    out = [parts[0].lower()]
    for part in parts[1:]:
        if len(part) == 4 and part.isalpha():
            out.append(part.title())
        elif (len(part) == 2 and part.isalpha()) or (len(part) == 3 and part.isdigit()):
            out.append(part.upper())
        else:
            out.append(part.lower())
    return "-".join(out)


def _cldr_parent(tag: str) -> str | None:
    """CLDR's parent where it is not the plain truncation (pt-AO -> pt-PT, es-AR -> es-419)."""
    parent = _PARENT_EXCEPTIONS.get(tag.replace("-", "_"))
    return parent.replace("_", "-") if parent and parent != "root" else None


def _with_region_only(tag: str) -> list[str]:
    """'zh-Hant-HK' -> ['zh-Hant-HK', 'zh-HK']: shipped locales carry no script."""
    parts = tag.split("-")
    if len(parts) == 3 and len(parts[1]) == 4:
        return [tag, f"{parts[0]}-{parts[2]}"]
    return [tag]


def fallbacks(tag: str) -> list[str]:
    """A tag and the less specific tags it falls back to, most specific first.

    'zh-Hant-TW' -> zh-Hant-TW, zh-TW, zh-Hant (= zh-TW), zh;
    'pt-AO' -> pt-AO, pt-PT, pt; 'es-AR' -> es-AR, es-419 (= es-MX), es.
    """
    return list(_fallbacks(tag))


@functools.lru_cache(maxsize=CACHED_TAGS)
def _fallbacks(tag: str) -> tuple[str, ...]:
    canonical = normalize(tag)
    if canonical is None:
        return ()
    parts = canonical.split("-")
    language = parts[0]
    script = next((p for p in parts[1:] if len(p) == 4 and p.isalpha()), None)
    region = next((p for p in parts[1:] if len(p) == 2 or (len(p) == 3 and p.isdigit())), None)
    chain = _with_region_only(canonical)
    parent = _cldr_parent(canonical)
    while parent:
        chain += _with_region_only(parent)
        parent = _cldr_parent(parent)
    if script and region:
        chain.append(f"{language}-{region}")
    if script:
        chain.append(f"{language}-{script}")
    elif region and len(parts) > 2:
        chain.append(f"{language}-{region}")
    chain.append(language)
    expanded = []
    for candidate in chain:
        expanded.append(candidate)
        if candidate in _ALIASES:
            expanded.append(_ALIASES[candidate])
    return tuple(dict.fromkeys(expanded))


def split_ui_locales(ui_locales: str | None) -> list[str]:
    return (ui_locales or "").split()


@functools.lru_cache(maxsize=512)
def region_languages(region: str | None) -> tuple[str, ...]:
    """Languages of a country by population ('CH' -> de, gsw, fr, it); none for unknown."""
    if not region or not region.isalpha():
        return ()
    return tuple(get_official_languages(region, de_facto=True))


def country_variant(tag: str, region: str | None) -> str | None:
    """The variant of a bare language spoken in the recipient's country, or None.

    'pt' to a number in PT -> 'pt-PT'; 'zh' in TW -> 'zh-Hant-TW', in HK ->
    'zh-Hant-HK'; 'es' in MX -> 'es-MX'. Only where the language is one of the
    country's own (CLDR): 'zh' in US stays 'zh', 'es' in US stays 'es'.
    """
    if not region or "-" in tag:
        return None
    for language in region_languages(region):
        subtags = language.split("_")
        if subtags[0] == tag:
            return normalize("-".join([*subtags, region]))
    return None


def _with_country(tag: str | None, region: str | None) -> list[str]:
    canonical = normalize(tag) if tag else None
    if canonical is None:
        return []
    variant = country_variant(canonical, region)
    return [variant, canonical] if variant else [canonical]


def candidates(
    locale: str | None,
    ui_locales: str | None,
    region: str | None,
    default: str,
) -> list[str]:
    """The locale tags to try, best first, without duplicates.

    A bare language (``pt``, ``zh``, ``es``) is preceded by its variant in the
    recipient's country when it is one of that country's languages: the country
    breaks the tie between shipped variants.
    """
    tags = _with_country(locale, region)
    for tag in split_ui_locales(ui_locales):
        tags += _with_country(tag, region)
    tags += [normalize(f"{language}-{region}") for language in region_languages(region)]
    tags += _with_country(default, region)
    return list(dict.fromkeys(t for t in tags if t))


def _variant_of(language: str, available: dict[str, str]) -> str | None:
    preferred = _PREFERRED_VARIANT.get(language)
    if preferred and preferred.lower() in available:
        return available[preferred.lower()]
    variants = sorted(key for key in available if key.split("-")[0] == language)
    return available[variants[0]] if variants else None


def resolve(tags: Iterable[str], available: Iterable[str]) -> str | None:
    """The first available locale along the candidates' fallbacks, or None.

    Matching ignores case; the answer is spelled as in ``available``.
    """
    by_key = {locale.lower(): locale for locale in available}
    for tag in tags:
        chain = _fallbacks(tag)
        for candidate in chain:
            if candidate.lower() in by_key:
                return by_key[candidate.lower()]
        if chain:
            variant = _variant_of(chain[-1].lower(), by_key)
            if variant:
                return variant
    return None
