"""Origin-bound codes and the code's validity: decisions as tables, then end to end."""

import re

import pytest
from django.core.exceptions import ImproperlyConfigured

from sms_gateway.core import origin_bound, validity
from sms_gateway.core.composition import TextOptions, compose
from sms_gateway.core.masking import render_masked
from sms_gateway.core.origin_bound import OriginBound
from sms_gateway.core.rendering import render

from .conftest import logto_body

# The last line as Safari/iOS, Chrome's WebOTP and Android parse it: "@" host, one space, "#" code.
BROWSER_LINE = re.compile(r"^@(?P<host>[a-z0-9-]+(?:\.[a-z0-9-]+)+) #(?P<code>[^\s]+)$")


@pytest.mark.parametrize(
    ("domain", "valid"),
    [
        ("id.example.com", True),
        ("xn--bcher-kva.example", True),
        ("a.b", True),
        ("example", False),  # a single label
        ("https://id.example.com", False),
        ("id.example.com:443", False),
        ("id.example.com/path", False),
        ("-id.example.com", False),
        ("id..example.com", False),
        ("ID.example.com", False),  # settings lower-case it first
        ("", False),
    ],
)
def test_valid_domain(domain, valid):
    assert origin_bound.valid_domain(domain) is valid


@pytest.mark.parametrize(
    ("template", "domain", "app_hash", "expected"),
    [
        ("Code {{code}}.", "id.example.com", "", "Code {{code}}.\n@id.example.com #{{code}}"),
        ("Code {{code}}.\n", "id.example.com", "", "Code {{code}}.\n@id.example.com #{{code}}"),
        (
            "Code {{code}}.",
            "id.example.com",
            "FA+9qCX9VSu",
            "Code {{code}}.\n@id.example.com #{{code}} FA+9qCX9VSu",
        ),
        ("Code {{code}}.", "", "FA+9qCX9VSu", "Code {{code}}."),  # no domain, no line
        # an operator's own line is kept as it is
        ("Code {{code}}.\n@acme.test #{{ code }}", "id.example.com", "", None),
    ],
)
def test_append(template, domain, app_hash, expected):
    assert origin_bound.append(template, domain, app_hash) == (expected or template)


@pytest.mark.parametrize(
    ("payload", "domain"),
    [
        ({"code": "1"}, "id.example.com"),
        ({"application": {"id": "app-b"}}, "login.b.example"),
        ({"application": {"id": "app-x"}}, "id.example.com"),
        ({"application": "app-b"}, "id.example.com"),
        ({"application": {"id": ["app-b"]}}, "id.example.com"),
    ],
)
def test_domain_per_logto_application(payload, domain):
    config = OriginBound("id.example.com", {"app-b": "login.b.example"})
    assert config.domain_for(payload) == domain


def test_per_application_only():
    config = OriginBound("", {"app-b": "login.b.example"})
    assert config.enabled
    assert config.domain_for({"application": {"id": "app-c"}}) == ""


@pytest.mark.parametrize(
    ("value", "parsed"),
    [
        ("", {}),
        (
            "app-a=id.a.example, app-b = Login.B.example ,",
            {"app-a": "id.a.example", "app-b": "login.b.example"},
        ),
    ],
)
def test_parse_applications(value, parsed):
    assert origin_bound.parse_applications(value) == parsed


@pytest.mark.parametrize("value", ["app-a", "=id.example.com", "app=https://id.example.com"])
def test_parse_applications_refuses(value):
    with pytest.raises(ValueError, match="application id"):
        origin_bound.parse_applications(value)


def sent(kind, template, payload, options):
    composed = compose(kind, template, payload, "en", options)
    return render(composed.template, composed.values), render_masked(
        composed.template, composed.values
    )


ON = TextOptions(10, OriginBound("id.example.com", {"app-b": "login.b.example"}))


@pytest.mark.parametrize("code", ["123456", "12345678", "Ab3dE6"])
def test_the_rendered_last_line_has_exactly_the_format_browsers_parse(code):
    text, masked = sent("SignIn", "Your code is {{code}}.", {"code": code}, ON)
    last = text.split("\n")[-1]
    match = BROWSER_LINE.match(last)
    assert match, last
    assert (match["host"], match["code"]) == ("id.example.com", code)
    assert origin_bound.parse_last_line(text) == ("id.example.com", code)
    assert masked.split("\n")[-1] == "@id.example.com #" + "*" * len(code)


def test_the_line_follows_the_application():
    text, _ = sent(
        "MfaVerification", "{{code}}", {"code": "123456", "application": {"id": "app-b"}}, ON
    )
    assert text == "123456\n@login.b.example #123456"


def test_app_hash_goes_after_the_code_on_the_last_line():
    options = TextOptions(10, OriginBound("id.example.com", {}, "FA+9qCX9VSu"))
    text, masked = sent("SignIn", "{{code}} is your code.", {"code": "123456"}, options)
    assert text == "123456 is your code.\n@id.example.com #123456 FA+9qCX9VSu"
    assert masked == "****** is your code.\n@id.example.com #****** FA+9qCX9VSu"
    assert origin_bound.parse_last_line(text) == ("id.example.com", "123456")


@pytest.mark.parametrize(
    ("kind", "payload"),
    [
        ("OrganizationInvitation", {"code": "123456", "link": "https://x.example/i"}),
        ("Generic", {"link": "https://x.example/i"}),  # no code, no line
        ("Generic", {"code": ""}),
    ],
)
def test_no_line_without_a_code(kind, payload):
    text, _ = sent(kind, "Hello {{link}}", payload, ON)
    assert "@id.example.com" not in text


# --- the validity ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("minutes", "locale", "phrase"),
    [
        (10, "en", "10 minutes"),
        (1, "en", "1 minute"),
        (10, "fr", "10 minutes"),
        (10, "de", "10 Minuten"),
        (1, "de", "1 Minute"),
        (5, "es-MX", "5 minutos"),
        (10, "pt-PT", "10 minutos"),
        (1, "ru", "1 минуту"),  # object case: "Действует 1 минуту"
        (2, "ru", "2 минуты"),
        (5, "ru", "5 минут"),
        (21, "ru", "21 минуту"),
        (1, "uk-UA", "1 хвилину"),
        (3, "uk-UA", "3 хвилини"),
        (1, "pl-PL", "1 minutę"),
        (22, "pl-PL", "22 minuty"),
        (1, "cs", "1 minutu"),
        (4, "cs", "4 minuty"),
        (2, "ar", "دقيقتين"),
        (10, "ar", "10 دقائق"),
        (10, "fa-IR", "۱۰ دقیقه"),
        (10, "ja", "10分"),
        (10, "ko", "10분"),
        (10, "zh-CN", "10分钟"),
        (10, "zh-TW", "10 分鐘"),
        (10, "zh-HK", "10 分鐘"),
        (10, "th", "10 นาที"),
        (10, "tr-TR", "10 dakika"),
        (10, "tlh", "10 min"),  # a language CLDR does not know
        (10, "nl", "10 minuten"),  # one an operator adds
    ],
)
def test_validity_phrase(minutes, locale, phrase):
    assert validity.phrase(minutes, locale) == phrase
    assert "\u00a0" not in phrase and "\u202f" not in phrase


def test_gateway_placeholders_override_payload_keys():
    composed = compose("SignIn", "{{validity}}", {"validity": "forever"}, "en", TextOptions(3))
    assert render(composed.template, composed.values) == "3 minutes"
    composed = compose("SignIn", "{{validityMinutes}}", {}, "en", TextOptions(45))
    assert render(composed.template, composed.values) == "45"


@pytest.mark.parametrize("value", ["0", "61", "-5"])
def test_validity_setting_out_of_logtos_range_is_refused(monkeypatch, value):
    import importlib

    import sms_gateway.settings as settings_module

    monkeypatch.setenv("SMS_CODE_VALIDITY_MINUTES", value)
    with pytest.raises(ImproperlyConfigured, match="SMS_CODE_VALIDITY_MINUTES"):
        importlib.reload(settings_module)
    monkeypatch.delenv("SMS_CODE_VALIDITY_MINUTES")
    importlib.reload(settings_module)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("SMS_ORIGIN_DOMAIN", "https://id.example.com"),
        ("SMS_ORIGIN_DOMAINS", "app-a"),
        ("SMS_ANDROID_APP_HASH", "short"),
    ],
)
def test_origin_settings_are_checked_at_startup(monkeypatch, name, value):
    import importlib

    import sms_gateway.settings as settings_module

    monkeypatch.setenv(name, value)
    with pytest.raises(ImproperlyConfigured, match=name):
        importlib.reload(settings_module)
    monkeypatch.delenv(name)
    importlib.reload(settings_module)


# --- end to end ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_validity_setting_change_reaches_the_sms(api, outbox, settings):
    settings.SMS_CODE_VALIDITY_MINUTES = 3
    response = api.post(logto_body(payload={"code": "804317", "locale": "ru"}))
    assert response.status_code == 200, response.text
    assert outbox[0][1].text == ("Код для входа: 804317. Действует 3 минуты. Никому не сообщайте.")


@pytest.mark.django_db
def test_origin_bound_line_end_to_end_masked_in_the_record(api, outbox, settings):
    from sms_gateway.models import Message

    settings.SMS_ORIGIN_DOMAIN = "id.example.com"
    settings.SMS_ORIGIN_DOMAINS = {"app-b": "login.b.example"}
    response = api.post(logto_body(payload={"code": "804317", "locale": "en"}))
    assert response.status_code == 200, response.text
    text = outbox[0][1].text
    assert text == (
        "Your sign-in code is 804317. It expires in 10 minutes. Never share it with anyone.\n"
        "@id.example.com #804317"
    )
    assert BROWSER_LINE.match(text.split("\n")[-1])
    message = Message.objects.get(pk=response.json()["id"])
    assert message.body.endswith("\n@id.example.com #******")
    assert message.segments == 1

    payload = {"code": "804317", "locale": "en", "application": {"id": "app-b"}}
    api.post(logto_body(type="MfaVerification", payload=payload))
    assert outbox[1][1].text.endswith("\n@login.b.example #804317")
