"""Every shipped template: all 9 types in Logto's 20 languages and es-MX, right, cheap and valid."""

import re

import pytest
from django.conf import settings

from sms_gateway.catalog.defaults import shipped
from sms_gateway.core import template_checks, validity
from sms_gateway.core.composition import TextOptions, compose
from sms_gateway.core.encoding import analyze
from sms_gateway.core.message_types import CODE_TYPES, MessageType
from sms_gateway.core.rendering import placeholders, render

from .services import ROOT

# Logto's sign-in experience ships 20 languages; es-MX is ours (reached through es-MX or es-419).
LOGTO_LANGUAGES = [
    "ar", "cs", "de", "en", "es", "fa-IR", "fr", "it", "ja", "ko", "pl-PL",
    "pt-BR", "pt-PT", "ru", "th", "tr-TR", "uk-UA", "zh-CN", "zh-HK", "zh-TW",
]  # fmt: skip
SHIPPED_LANGUAGES = sorted([*LOGTO_LANGUAGES, "es-MX"])
ALL = sorted(shipped())
CODE_TEXTS = sorted(key for key in shipped() if key[0] in CODE_TYPES)
LINK_40 = "https://id.example.com/invite/Ab3dE6fGh9"
ORIGIN_LINE = "\n@id.example.com #{{code}}"  # 24 characters with a 6-digit code

# "Never share this code", as each language says it in its shipped texts.
WARNING = {
    "ar": "لا تشاركه مع أحد.",
    "cs": "Nikomu ho nesdělujte.",
    "de": "Geben Sie ihn niemals weiter.",
    "en": "Never share it with anyone.",
    "es": "No lo compartas.",
    "es-MX": "No lo compartas.",
    "fa-IR": "آن را به کسی ندهید.",
    "fr": "Ne le communiquez à personne.",
    "it": "Non condividerlo con nessuno.",
    "ja": "他人に教えないでください。",
    "ko": "타인에게 알려주지 마세요.",
    "pl-PL": "Nikomu go nie podawaj.",
    "pt-BR": "Não compartilhe.",
    "pt-PT": "Não o partilhe.",
    "ru": "Никому не сообщайте.",
    "th": "ห้ามบอกผู้อื่น",
    "tr-TR": "Kimseyle paylaşmayın.",
    "uk-UA": "Нікому не повідомляйте.",
    "zh-CN": "请勿泄露给他人。",
    "zh-HK": "請勿向他人透露。",
    "zh-TW": "請勿告知他人。",
}
# Where the warning does not fit one segment (70 UCS-2 characters with an 8-digit
# code) beside the purpose; phishers ask for the other types' codes most.
NO_ROOM_FOR_WARNING = {
    "es": {"BindMfa"},
    "es-MX": {"BindMfa"},
    "pl-PL": {"BindMfa"},
    "pt-BR": {"BindMfa"},
    "pt-PT": {"BindMfa"},
    "ru": {"BindMfa"},
    "uk-UA": {"BindMfa"},
}
ALWAYS_WARNED = {"SignIn", "ForgotPassword", "MfaVerification", "UserPermissionValidation"}


def test_all_nine_types_in_logtos_20_languages_and_es_mx():
    assert len(LOGTO_LANGUAGES) == 20 and len(SHIPPED_LANGUAGES) == 21
    assert set(shipped()) == {(t, loc) for t in MessageType.values for loc in SHIPPED_LANGUAGES}
    assert len(shipped()) == 9 * 21


def test_every_locale_file_is_a_logto_language_or_es_mx():
    assert sorted({locale for _, locale in shipped()}) == SHIPPED_LANGUAGES


@pytest.mark.parametrize(("kind", "locale"), ALL)
def test_shipped_template_passes_the_editor_checks_without_warning_but_its_encoding(kind, locale):
    text = shipped()[(kind, locale)]
    review = template_checks.review(kind, text, settings.SMS_MAX_SEGMENTS, locale=locale)
    assert review.errors == []
    assert [w for w in review.warnings if not w.startswith("UCS-2:")] == []
    assert "{{" not in review.preview
    if kind in CODE_TYPES:
        assert placeholders(text).count("code") == 1


def rendered(kind, locale, code, minutes=10, link=LINK_40, template=None):
    text = template if template is not None else shipped()[(kind, locale)]
    composed = compose(kind, text, {"code": code, "link": link}, locale, TextOptions(minutes))
    return render(composed.template, composed.values)


@pytest.mark.parametrize(("kind", "locale"), CODE_TEXTS)
def test_every_code_text_is_one_segment_with_a_6_or_8_digit_code_at_any_validity(kind, locale):
    for code in ("804317", "80431725"):
        for minutes in range(validity.MIN_MINUTES, validity.MAX_MINUTES + 1):
            text = rendered(kind, locale, code, minutes)
            assert text.count(code) == 1
            assert analyze(text).segments == 1, (kind, locale, code, minutes, text)


@pytest.mark.parametrize(("kind", "locale"), CODE_TEXTS)
def test_no_code_text_fills_its_segment_to_the_last_character(kind, locale):
    # At 70/70 the slightest change (a brand, a longer validity phrase) costs a second segment.
    worst = max(
        (
            analyze(rendered(kind, locale, "80431725", minutes))
            for minutes in range(validity.MIN_MINUTES, validity.MAX_MINUTES + 1)
        ),
        key=lambda encoding: encoding.length,
    )
    limit = 160 if worst.encoding == "GSM-7" else 70
    assert worst.length < limit, (kind, locale, worst.length)


@pytest.mark.parametrize("locale", SHIPPED_LANGUAGES)
def test_invitations_are_one_segment_with_a_40_character_link(locale):
    assert len(LINK_40) == 40
    text = rendered("OrganizationInvitation", locale, "804317")
    assert LINK_40 in text
    assert analyze(text).segments == 1, (locale, text)


@pytest.mark.parametrize("locale", ["ar", "fa-IR"])
def test_right_to_left_invitation_links_are_on_their_own_line(locale):
    # A link at the end of a right-to-left line can display its last "/" or "=" at the far left.
    text = shipped()[("OrganizationInvitation", locale)]
    assert text.endswith("\n{{link}}")
    assert "\u200e" not in text and "\u200f" not in text  # no LRM/RLM: each costs a character


@pytest.mark.parametrize(("kind", "locale"), CODE_TEXTS)
def test_the_warning_is_where_planned(kind, locale):
    text = shipped()[(kind, locale)]
    if kind in NO_ROOM_FOR_WARNING.get(locale, set()):
        assert WARNING[locale] not in text
        assert kind not in ALWAYS_WARNED
    else:
        assert WARNING[locale] in text


@pytest.mark.parametrize(
    ("kind", "locale"),
    sorted((kind, locale) for locale, kinds in NO_ROOM_FOR_WARNING.items() for kind in kinds),
)
def test_no_room_for_the_warning_means_it_would_take_a_second_segment(kind, locale):
    with_warning = shipped()[(kind, locale)] + " " + WARNING[locale]
    worst = max(
        analyze(rendered(kind, locale, "80431725", minutes, template=with_warning)).segments
        for minutes in range(validity.MIN_MINUTES, validity.MAX_MINUTES + 1)
    )
    assert worst > 1, (kind, locale, with_warning)


@pytest.mark.parametrize(("kind", "locale"), CODE_TEXTS)
def test_the_code_stands_apart_from_the_words_around_it(kind, locale):
    # A double tap selects a word: "123456입니다" would copy the Hangul with the code.
    before, after = shipped()[(kind, locale)].split("{{code}}")
    assert not before[-1:].isalpha() and not after[:1].isalpha(), (before, after)


# With the origin-bound line these languages keep every code text in one segment.
ORIGIN_LINE_FITS = {
    "804317": ["en", "de", "fr", "it", "ja", "ko", "zh-CN", "zh-HK", "zh-TW"],
    "80431725": ["en", "de", "fr", "it", "ja", "zh-CN", "zh-HK", "zh-TW"],
}


@pytest.mark.parametrize(
    ("kind", "locale", "code"),
    [
        (kind, locale, code)
        for code, locales in ORIGIN_LINE_FITS.items()
        for kind, locale in CODE_TEXTS
        if locale in locales
    ],
)
def test_the_origin_bound_line_keeps_one_segment_where_planned(kind, locale, code):
    text = shipped()[(kind, locale)] + ORIGIN_LINE
    for minutes in range(validity.MIN_MINUTES, validity.MAX_MINUTES + 1):
        composed = rendered(kind, locale, code, minutes, template=text)
        assert analyze(composed).segments == 1, (kind, locale, code, minutes, composed)


@pytest.mark.parametrize(("kind", "locale"), CODE_TEXTS)
def test_no_text_hard_codes_the_validity(kind, locale):
    text = shipped()[(kind, locale)]
    assert not re.search(r"\d\s*(min|分|분|dak|хв|мин|дақ|دقی|دقا|นาที)", text, re.IGNORECASE), text
    assert not re.search(r"[0-9۰-۹]{2}", text)  # no "10" left anywhere


def test_texts_with_room_say_how_long_the_code_is_valid():
    with_validity = [key for key in CODE_TEXTS if "{{validity}}" in shipped()[key]]
    # Every GSM-7 and CJK/Korean/Japanese text has room; the UCS-2 alphabets at least for SignIn.
    for locale in ("en", "de", "fr", "it", "ja", "ko", "zh-CN", "zh-HK", "zh-TW"):
        assert {k for k, loc in with_validity if loc == locale} == CODE_TYPES, locale
    for locale in SHIPPED_LANGUAGES:
        assert ("SignIn", locale) in with_validity, locale


def test_a_validity_setting_change_shows_in_the_rendered_text():
    assert "It expires in 10 minutes." in rendered("SignIn", "en", "804317")
    assert "It expires in 5 minutes." in rendered("SignIn", "en", "804317", minutes=5)
    assert "It expires in 1 minute." in rendered("SignIn", "en", "804317", minutes=1)
    assert "Действует 2 минуты." in rendered("SignIn", "ru", "804317", minutes=2)
    assert "Er ist 15 Minuten gültig." in rendered("SignIn", "de", "804317", minutes=15)
    assert "（5分間有効）" in rendered("SignIn", "ja", "804317", minutes=5)


@pytest.mark.parametrize(
    ("kind", "locale", "words"),
    [
        # Logto's own terms (its sign-in experience's phrases)
        ("MfaVerification", "en", "2-step verification"),
        ("BindMfa", "en", "2-step verification"),
        ("MfaVerification", "uk-UA", "двоетапної перевірки"),
        ("MfaVerification", "zh-HK", "兩步驗證"),
        ("OrganizationInvitation", "zh-HK", "組織"),
        ("MfaVerification", "de", "2-Schritte-Verifizierung"),
        ("BindMfa", "de", "2-Schritte-Verifizierung"),
        ("MfaVerification", "es", "verificación de 2 pasos"),
        ("BindMfa", "es", "verificación de 2 pasos"),
        ("MfaVerification", "es-MX", "verificación de 2 pasos"),
        ("BindMfa", "es-MX", "verificación de 2 pasos"),
        ("MfaVerification", "pt-PT", "verificação em duas etapas"),
        ("BindMfa", "pt-PT", "verificação em duas etapas"),
        ("MfaVerification", "tr-TR", "2 aşamalı doğrulama"),
        ("BindMfa", "tr-TR", "2 aşamalı doğrulama"),
        ("MfaVerification", "th", "แบบ 2 ขั้นตอน"),
        ("BindMfa", "th", "แบบ 2 ขั้นตอน"),
        ("MfaVerification", "zh-TW", "兩步驗證"),
        ("BindMfa", "zh-TW", "兩步驗證"),
        # "valid for" as each language says it
        ("Register", "fa-IR", "تا {{validity}} معتبر است"),
        ("Generic", "fa-IR", "تا {{validity}} معتبر است"),
        ("UserPermissionValidation", "fa-IR", "تا {{validity}} معتبر است"),
        ("SignIn", "th", "ใช้ได้ภายใน {{validity}}"),
        ("Register", "fr", "Votre code d'inscription"),
        # invitations that do not assume the reader is a man
        ("OrganizationInvitation", "fr", "Invitation à rejoindre une organisation"),
        ("OrganizationInvitation", "it", "Hai ricevuto un invito"),
        # UserPermissionValidation is sent before a sensitive change: "verify it's you"
        ("UserPermissionValidation", "en", "identity verification code"),
        ("UserPermissionValidation", "de", "Identität"),
        ("UserPermissionValidation", "fr", "vérifier votre identité"),
        ("UserPermissionValidation", "it", "verificare la tua identità"),
        ("UserPermissionValidation", "es", "verificar tu identidad"),
        ("UserPermissionValidation", "es-MX", "verificar tu identidad"),
        ("UserPermissionValidation", "pt-BR", "confirmar sua identidade"),
        ("UserPermissionValidation", "pt-PT", "confirmar a sua identidade"),
        ("UserPermissionValidation", "pl-PL", "tożsamości"),
        ("UserPermissionValidation", "cs", "totožnosti"),
        ("UserPermissionValidation", "ru", "личности"),
        ("UserPermissionValidation", "uk-UA", "особи"),
        ("UserPermissionValidation", "tr-TR", "Kimlik"),
        ("UserPermissionValidation", "ar", "هويتك"),
        ("UserPermissionValidation", "fa-IR", "هویت"),
        ("UserPermissionValidation", "ja", "本人確認"),
        ("UserPermissionValidation", "ko", "본인 확인"),
        ("UserPermissionValidation", "th", "ยืนยันตัวตน"),
        ("UserPermissionValidation", "zh-CN", "身份验证"),
        ("UserPermissionValidation", "zh-TW", "身分驗證"),
        ("UserPermissionValidation", "zh-HK", "身份驗證"),
        # Japanese invitations are joined (参加), not approved (承認)
        ("OrganizationInvitation", "ja", "参加"),
    ],
)
def test_wording(kind, locale, words):
    assert words in shipped()[(kind, locale)]


def test_japanese_invitation_does_not_approve():
    assert "承認" not in shipped()[("OrganizationInvitation", "ja")]


@pytest.mark.parametrize(
    ("locale", "words"),
    [
        ("de", "Zwei-Faktor"),  # Logto: 2-Schritte-Verifizierung
        ("es", "dos pasos"),  # Logto: verificación de 2 pasos
        ("es-MX", "dos pasos"),
        ("pt-PT", "dois passos"),  # Logto: verificação em duas etapas
        ("tr-TR", "İki adımlı"),  # Logto: 2 aşamalı doğrulama
        ("th", "สองขั้นตอน"),  # Logto: แบบ 2 ขั้นตอน
        ("zh-TW", "兩步驟"),  # Logto: 兩步驗證
        ("fr", "invité"),  # masculine only
        ("it", "invitato"),  # masculine only
        ("ja", "このコードを"),  # said on SignIn only; the others say 他人に教えないでください
    ],
)
def test_words_no_longer_shipped(locale, words):
    for kind in MessageType.values:
        assert words not in shipped()[(kind, locale)], kind


def test_thai_validity_says_within():
    for kind in CODE_TYPES:
        text = shipped()[(kind, "th")]
        assert "{{validity}}" not in text or "ใช้ได้ภายใน {{validity}}" in text, kind


def test_no_user_permission_text_speaks_of_an_account_change():
    for locale in SHIPPED_LANGUAGES:
        text = shipped()[("UserPermissionValidation", locale)]
        for words in ("account change", "Kontoänderung", "modification du compte", "变更", "更改"):
            assert words not in text, locale


@pytest.mark.parametrize("locale", ["en", "fr", "de", "it"])
def test_latin_languages_that_can_stay_gsm7_do(locale):
    for kind in MessageType.values:
        assert analyze(rendered(kind, locale, "804317")).encoding == "GSM-7", kind


@pytest.mark.parametrize(("kind", "locale"), CODE_TEXTS)
def test_every_code_text_ends_in_plain_text_ready_for_the_origin_bound_line(kind, locale):
    text = shipped()[(kind, locale)]
    assert "{{link}}" not in text and "\n" not in text


# --- the README's table --------------------------------------------------------------------


def segments_table() -> str:
    """Segments per language and type with a 6-digit code, without / with the origin-bound line."""
    kinds = [k for k in MessageType.values if k in CODE_TYPES]
    short = {
        "SignIn": "SignIn",
        "Register": "Register",
        "ForgotPassword": "Forgot",
        "Generic": "Generic",
        "UserPermissionValidation": "UserPerm",
        "BindNewIdentifier": "BindId",
        "MfaVerification": "Mfa",
        "BindMfa": "BindMfa",
    }
    lines = [
        "| language | encoding | " + " | ".join(short[k] for k in kinds) + " | invitation |",
        "|---|---|" + "---|" * len(kinds) + "---|",
    ]
    for locale in SHIPPED_LANGUAGES:
        cells = []
        for kind in kinds:
            plain = analyze(rendered(kind, locale, "804317")).segments
            text = shipped()[(kind, locale)] + ORIGIN_LINE
            with_line = analyze(rendered(kind, locale, "804317", template=text)).segments
            more = with_line > plain
            cells.append(f"{plain} → **{with_line}**" if more else f"{plain} → {plain}")
        invitation = analyze(rendered("OrganizationInvitation", locale, "804317")).segments
        encoding = analyze(rendered("SignIn", locale, "804317")).encoding
        lines.append(f"| {locale} | {encoding} | " + " | ".join(cells) + f" | {invitation} |")
    return "\n".join(lines)


def test_readme_segment_table_is_current():
    readme = (ROOT / "README.md").read_text()
    match = re.search(r"<!-- segments table -->\n(.+?)\n<!-- /segments table -->", readme, re.S)
    assert match, "README has no segments table"
    assert match.group(1) == segments_table(), "regenerate: print(segments_table())"
