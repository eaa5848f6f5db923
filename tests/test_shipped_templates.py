"""Every shipped template: all 9 types in all 21 of Logto's languages, cheap and valid."""

import pytest
from django.conf import settings

from sms_gateway.catalog.defaults import shipped
from sms_gateway.core import template_checks
from sms_gateway.core.encoding import analyze
from sms_gateway.core.message_types import CODE_TYPES, MessageType
from sms_gateway.core.rendering import render

LOGTO_LANGUAGES = [
    "ar", "cs", "de", "en", "es", "es-MX", "fa-IR", "fr", "it", "ja", "ko", "pl-PL",
    "pt-BR", "pt-PT", "ru", "th", "tr-TR", "uk-UA", "zh-CN", "zh-HK", "zh-TW",
]  # fmt: skip
ALL = sorted(shipped())


def test_all_nine_types_in_all_21_languages():
    assert len(LOGTO_LANGUAGES) == 21
    assert set(shipped()) == {(t, loc) for t in MessageType.values for loc in LOGTO_LANGUAGES}
    assert len(shipped()) == 9 * 21


@pytest.mark.parametrize(("kind", "locale"), ALL)
def test_shipped_template_renders_passes_checks_and_fits(kind, locale):
    text = shipped()[(kind, locale)]
    review = template_checks.review(kind, text, settings.SMS_MAX_SEGMENTS)
    assert review.errors == []
    rendered = render(text, {"code": "804317", "link": "https://id.example.com/i/Ab3dE6"})
    assert "{{" not in rendered
    if kind in CODE_TYPES:
        assert rendered.count("804317") == 1
        # a code message fits one segment in every language
        assert analyze(rendered).segments == 1, (kind, locale, analyze(rendered))
    else:
        assert "https://id.example.com/i/Ab3dE6" in rendered


@pytest.mark.parametrize("locale", ["en", "fr", "de", "it"])
def test_latin_languages_that_can_stay_gsm7_do(locale):
    for kind in MessageType.values:
        assert analyze(shipped()[(kind, locale)]).encoding == "GSM-7", kind


def test_every_locale_file_is_a_logto_language():
    assert sorted({locale for _, locale in shipped()}) == sorted(LOGTO_LANGUAGES)
