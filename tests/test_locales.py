"""The locale chain, as a table: what Logto sends and the number -> the template used."""

import pytest

from sms_gateway.catalog.defaults import shipped
from sms_gateway.core import locales
from sms_gateway.core.phone import parse

SHIPPED = sorted({locale for _, locale in shipped()})


@pytest.mark.parametrize(
    ("locale", "ui_locales", "to", "expected"),
    [
        # payload.locale wins, along its BCP-47 fallbacks
        ("fr-FR", "fr-FR fr", "33612345678", "fr"),
        ("fr-CA", "fr-CA fr en", "16135550123", "fr"),
        ("de-AT", None, "33612345678", "de"),
        ("en-GB", None, "33612345678", "en"),
        ("pt-BR", None, "351912345678", "pt-BR"),
        ("pt", None, "14155550123", "pt-BR"),  # bare language: the preferred variant
        ("pt-AO", None, "14155550123", "pt-PT"),  # CLDR parent: pt-AO -> pt-PT
        ("es-AR", None, "14155550123", "es-MX"),  # es-AR -> es-419 (Latin America) = es-MX
        ("es-ES", None, "14155550123", "es"),
        ("es-mx", None, "14155550123", "es-MX"),  # case does not matter
        # script subtags
        ("zh-Hant-TW", None, "14155550123", "zh-TW"),
        ("zh-Hant-HK", None, "14155550123", "zh-HK"),
        ("zh-Hant-MO", None, "14155550123", "zh-HK"),  # CLDR parent: zh-Hant-MO -> zh-Hant-HK
        ("zh-Hant", None, "14155550123", "zh-TW"),
        ("zh-Hans-SG", None, "14155550123", "zh-CN"),
        ("zh", None, "14155550123", "zh-CN"),
        ("ZH_tw", None, "14155550123", "zh-TW"),  # '_' accepted for '-'
        # a bare language with several shipped variants: the recipient's country picks one
        ("pt", None, "351912345678", "pt-PT"),  # +351 PT (was pt-BR)
        ("pt", None, "5511912345678", "pt-BR"),  # +55 BR
        ("pt", None, "244923123456", "pt-PT"),  # +244 AO: pt-AO -> pt-PT (CLDR parent)
        ("PT", None, "351912345678", "pt-PT"),  # case does not matter
        ("zh", None, "886912345678", "zh-TW"),  # +886 TW: zh-Hant-TW (was zh-CN)
        ("zh", None, "85291234567", "zh-HK"),  # +852 HK: zh-Hant-HK
        ("zh", None, "85366123456", "zh-HK"),  # +853 MO: zh-Hant-MO -> zh-Hant-HK
        ("zh", None, "8613812345678", "zh-CN"),  # +86 CN
        ("zh", None, "6581234567", "zh-CN"),  # +65 SG: zh -> the preferred variant
        ("zh", None, "14155550123", "zh-CN"),  # +1 US: Chinese is not the country's own
        ("es", None, "525512345678", "es-MX"),  # +52 MX (was es)
        ("es", None, "5491123456789", "es-MX"),  # +54 AR: es-AR -> es-419 = es-MX
        ("es", None, "34612345678", "es"),  # +34 ES
        ("es", None, "14155550123", "es"),  # +1 US: Spanish is not the country's own (CLDR)
        (None, "pt en", "351912345678", "pt-PT"),  # uiLocales too
        ("pt-BR", None, "351912345678", "pt-BR"),  # an explicit region is never overridden
        ("zh-Hans", None, "886912345678", "zh-CN"),  # nor an explicit script
        ("fr", None, "41791234567", "fr"),  # a language the country speaks, no variant shipped
        # languages shipped only with a region
        ("pl", None, "14155550123", "pl-PL"),
        ("tr", None, "14155550123", "tr-TR"),
        ("uk", None, "14155550123", "uk-UA"),
        ("fa", None, "14155550123", "fa-IR"),
        ("ar-EG", None, "14155550123", "ar"),
        # uiLocales in order when locale has no template or is absent
        ("xx-YY", "de it", "33612345678", "de"),
        (None, "  it  ja ", "33612345678", "it"),
        ("tlh", "nl sv ko", "33612345678", "ko"),
        ("not a tag!", "also bad!! ja", "33612345678", "ja"),
        # then the recipient's country, by population
        (None, None, "41791234567", "de"),  # +41 CH: de, gsw, fr, it
        (None, None, "32470123456", "fr"),  # +32 BE: nl (none), fr
        (None, None, "14155550123", "en"),  # +1 US
        (None, None, "16135550123", "en"),  # +1 CA: en, fr
        (None, None, "525512345678", "es-MX"),  # +52 MX
        (None, None, "5511912345678", "pt-BR"),  # +55 BR
        (None, None, "351912345678", "pt-PT"),  # +351 PT
        (None, None, "886912345678", "zh-TW"),  # +886 TW: zh_Hant
        (None, None, "85291234567", "zh-HK"),  # +852 HK: zh_Hant
        (None, None, "8613812345678", "zh-CN"),  # +86 CN
        (None, None, "989121234567", "fa-IR"),  # +98 IR
        (None, None, "212612345678", "ar"),  # +212 MA: ar, fr
        (None, None, "380501234567", "uk-UA"),  # +380 UA
        (None, None, "77012345678", "ru"),  # +7 KZ: ru, kk
        (None, None, "819012345678", "ja"),
        (None, None, "66812345678", "th"),
        ("", "", "420601123456", "cs"),  # empty strings are absent
        # then the default locale
        (None, None, "31612345678", "en"),  # +31 NL: Dutch not shipped
        (None, None, "97250123456", "ar"),  # +972 IL: he (none), ar
        ("sr-Latn-RS", None, "3816012345678", "en"),
        (None, None, "80012345678", "en"),  # +800: non-geographic
    ],
)
def test_locale_chain(locale, ui_locales, to, expected):
    number = parse(to)
    tags = locales.candidates(locale, ui_locales, number.region, "en")
    assert locales.resolve(tags, SHIPPED) == expected


@pytest.mark.parametrize(
    ("tag", "region", "variant"),
    [
        ("pt", "PT", "pt-PT"),
        ("zh", "TW", "zh-Hant-TW"),
        ("zh", "HK", "zh-Hant-HK"),
        ("es", "MX", "es-MX"),
        ("zh", "US", None),
        ("pt-BR", "PT", None),
        ("pt", None, None),
        ("pt", "001", None),
    ],
)
def test_country_variant(tag, region, variant):
    assert locales.country_variant(tag, region) == variant


def test_default_locale_is_configurable():
    tags = locales.candidates(None, None, "NL", "de")
    assert locales.resolve(tags, SHIPPED) == "de"


def test_resolve_spells_the_answer_as_available():
    assert locales.resolve(["PT-br"], ["pt-BR"]) == "pt-BR"


def test_nothing_available_is_none():
    assert locales.resolve(["fr", "en"], []) is None


@pytest.mark.parametrize(
    ("tag", "normalized"),
    [
        ("en", "en"),
        ("EN-us", "en-US"),
        ("zh_hant_tw", "zh-Hant-TW"),
        ("es-419", "es-419"),
        ("sr-latn", "sr-Latn"),
        ("", None),
        ("e", None),
        ("en US", None),
        ("12-34", None),
    ],
)
def test_normalize(tag, normalized):
    assert locales.normalize(tag) == normalized


def test_fallbacks_walk_down_from_the_most_specific():
    assert locales.fallbacks("zh-Hant-TW") == ["zh-Hant-TW", "zh-TW", "zh-Hant", "zh"]
    assert locales.fallbacks("pt-AO") == ["pt-AO", "pt-PT", "pt"]
    assert locales.fallbacks("x!") == []
