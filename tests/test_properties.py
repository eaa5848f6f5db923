"""Properties of the pure decisions, over inputs hypothesis makes up.

Rendering, segments, the locale chain and prefix matching (masking has its own:
test_masking_properties.py).
"""

import math

import phonenumbers
from hypothesis import given, settings
from hypothesis import strategies as st

from sms_gateway.core import locales
from sms_gateway.core.encoding import GSM7, GSM7_BASIC, GSM7_EXTENSION, UCS2, analyze
from sms_gateway.core.rendering import render
from sms_gateway.core.routing import Hop, RouteRule, choose

GSM_TEXT = st.text(alphabet=sorted(GSM7_BASIC | GSM7_EXTENSION), max_size=700)
KEYS = st.from_regex(r"[a-z][a-zA-Z0-9]{0,8}", fullmatch=True)
VALUES = st.one_of(st.text(max_size=30), st.integers(), st.booleans(), st.none())


# --- rendering ------------------------------------------------------------------
@given(st.dictionaries(KEYS, VALUES, max_size=5), st.lists(KEYS, max_size=5), st.text(max_size=50))
def test_rendering_fills_present_roots_and_keeps_absent_ones(payload, names, filler):
    template = filler.replace("{", "(").replace("}", ")") + "".join(f" {{{{{n}}}}}" for n in names)
    text = render(template, payload)
    for name in names:
        if name in payload:
            assert f"{{{{{name}}}}}" not in text
        else:
            assert f"{{{{{name}}}}}" in text  # as Logto: an absent root stays as written


@given(st.text(max_size=200), st.dictionaries(KEYS, VALUES, max_size=5))
def test_rendering_never_fails(template, payload):
    assert isinstance(render(template, payload), str)


# --- segments -------------------------------------------------------------------
@given(GSM_TEXT)
def test_gsm7_segments(text):
    result = analyze(text)
    septets = sum(2 if ch in GSM7_EXTENSION else 1 for ch in text)
    assert result.encoding == GSM7 and result.length == septets
    if septets == 0:
        assert result.segments == 0
    elif septets <= 160:
        assert result.segments == 1
    else:
        # An escape pair is never split, so a part may hold 152: at least ceil(n/153).
        assert math.ceil(septets / 153) <= result.segments <= math.ceil(septets / 152)


@given(
    st.text(min_size=1, max_size=400).filter(
        lambda t: any(c not in GSM7_BASIC | GSM7_EXTENSION for c in t)
    )
)
def test_ucs2_segments(text):
    result = analyze(text)
    units = len(text.encode("utf-16-le")) // 2
    assert result.encoding == UCS2 and result.length == units
    if units <= 70:
        assert result.segments == 1
    else:
        # A surrogate pair is never split, so a part may hold 66.
        assert math.ceil(units / 67) <= result.segments <= math.ceil(units / 66)


@given(GSM_TEXT, st.sampled_from("çœ€日😀"))
def test_one_foreign_character_switches_the_whole_text(text, character):
    assert analyze(text + character).encoding == (GSM7 if character == "€" else UCS2)


# --- the locale chain -----------------------------------------------------------
SHIPPED = [
    "ar", "cs", "de", "en", "es", "es-MX", "fa-IR", "fr", "it", "ja", "ko", "pl-PL",
    "pt-BR", "pt-PT", "ru", "th", "tr-TR", "uk-UA", "zh-CN", "zh-HK", "zh-TW",
]  # fmt: skip
TAGS = st.one_of(
    st.sampled_from(SHIPPED),
    st.from_regex(r"[a-zA-Z]{2,3}([-_][a-zA-Z0-9]{2,8}){0,2}", fullmatch=True),
    st.text(max_size=12),
)


@settings(max_examples=300)
@given(st.lists(TAGS, max_size=4), st.lists(st.sampled_from(SHIPPED), min_size=1, unique=True))
def test_the_chain_resolves_to_an_available_locale(tags, available):
    resolved = locales.resolve(tags, available)
    assert resolved is None or resolved in available
    assert locales.resolve([*tags, available[0]], available) is not None  # the default ends it


@given(st.sampled_from(SHIPPED), st.lists(TAGS, max_size=3))
def test_an_exact_first_choice_wins(first, rest):
    assert locales.resolve([first, *rest], SHIPPED) == first


@settings(max_examples=200)
@given(
    st.text(max_size=40),
    st.text(max_size=40),
    st.sampled_from(["FR", "DE", "CN", "TW", "BR", None]),
)
def test_candidates_end_with_the_default(locale, ui_locales, region):
    chain = locales.candidates(locale, ui_locales, region, "en")
    assert chain[-1] == "en"


# --- prefix matching ------------------------------------------------------------
RULES = st.lists(
    st.one_of(
        st.builds(RouteRule, prefix=st.from_regex(r"[1-9][0-9]{0,4}", fullmatch=True)),
        st.builds(RouteRule, country=st.sampled_from(["US", "CA", "FR", "GB", "JE", "RU", "KZ"])),
        st.just(RouteRule(hops=(Hop("default"),))),
    ),
    max_size=8,
)
NUMBERS = st.sampled_from(
    ["14155550123", "16045550123", "33612345678", "447700900123", "441534123456",
     "79161234567", "77011234567"]
)  # fmt: skip


@given(RULES, NUMBERS)
def test_the_most_specific_matching_rule_wins(rules, digits):
    region = phonenumbers.region_code_for_number(phonenumbers.parse("+" + digits))
    chosen = choose(rules, digits, region)
    matching = [r for r in rules if r.weight(digits, region) is not None]
    if not matching:
        assert chosen is None
        return
    assert chosen in matching
    assert all(r.weight(digits, region) <= chosen.weight(digits, region) for r in matching)
    if chosen.prefix:
        assert digits.startswith(chosen.prefix)
    if chosen.country:
        assert chosen.country == region
