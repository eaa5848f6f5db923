"""Upgrading shipped texts: unedited templates follow, customised ones are shown side by side."""

import html
import io

import pytest
from django.core.management import call_command

from sms_gateway.catalog import defaults
from sms_gateway.catalog.defaults import shipped
from sms_gateway.models import Template

pytestmark = pytest.mark.django_db

OLD_SHIPPED = "Your code to create your account is {{code}}. It expires in 10 minutes."


@pytest.fixture
def release(monkeypatch):
    """Pretend a release changes the shipped English SignIn and Register texts."""
    texts = dict(shipped())
    texts[("SignIn", "en")] = "NEW: your sign-in code is {{code}}."
    texts[("Register", "en")] = "NEW: your sign-up code is {{code}}."
    monkeypatch.setattr(defaults, "shipped", lambda: texts)
    return texts


def test_load_templates_updates_unedited_keeps_customised(release):
    Template.objects.filter(type="Register", locale="en").update(
        text="Acme: {{code}}", is_customized=True
    )
    out = io.StringIO()
    call_command("load_templates", stdout=out)
    assert Template.objects.get(type="SignIn", locale="en").text == release[("SignIn", "en")]
    register = Template.objects.get(type="Register", locale="en")
    assert (register.text, register.is_customized) == ("Acme: {{code}}", True)


def test_a_customised_text_the_release_ships_verbatim_is_no_longer_customised(release):
    Template.objects.filter(type="SignIn", locale="en").update(
        text=release[("SignIn", "en")], is_customized=True
    )
    call_command("load_templates", stdout=io.StringIO())
    assert not Template.objects.get(type="SignIn", locale="en").is_customized


def test_list_counts_customised_templates_that_differ(admin_client):
    assert (
        "shipped-differing" not in admin_client.get("/admin/sms_gateway/template/").content.decode()
    )
    Template.objects.filter(type="Register", locale="en").update(
        text=OLD_SHIPPED, is_customized=True
    )
    page = admin_client.get("/admin/sms_gateway/template/").content.decode()
    assert "1 customized template</strong> has a new shipped text since its last edit" in page
    assert "/admin/sms_gateway/template/shipped/" in page
    filtered = admin_client.get("/admin/sms_gateway/template/?shipped=differs").content.decode()
    assert "1 result" in filtered or "1 template" in filtered


def test_comparison_page_shows_both_side_by_side_and_resets_in_one_click(admin_client):
    Template.objects.filter(type="Register", locale="en").update(
        text=OLD_SHIPPED, is_customized=True
    )
    register = Template.objects.get(type="Register", locale="en")
    page = html.unescape(admin_client.get("/admin/sms_gateway/template/shipped/").content.decode())
    assert "Register / en" in page
    assert OLD_SHIPPED in page and shipped()[("Register", "en")] in page
    reset = f"/admin/sms_gateway/template/{register.pk}/reset/"
    assert reset in page

    response = admin_client.post(reset, {"next": "/admin/sms_gateway/template/shipped/"})
    assert response.status_code == 302
    assert response["Location"] == "/admin/sms_gateway/template/shipped/"
    register.refresh_from_db()
    assert (register.text, register.is_customized) == (shipped()[("Register", "en")], False)
    page = admin_client.get("/admin/sms_gateway/template/shipped/").content.decode()
    assert "No release changed the shipped text of a customized template" in page


def test_change_page_shows_the_shipped_text_beside_and_a_reset_button(admin_client):
    Template.objects.filter(type="Register", locale="en").update(
        text=OLD_SHIPPED, is_customized=True
    )
    register = Template.objects.get(type="Register", locale="en")
    page = html.unescape(
        admin_client.get(f"/admin/sms_gateway/template/{register.pk}/change/").content.decode()
    )
    assert 'id="shipped-compare"' in page
    assert f'formaction="/admin/sms_gateway/template/{register.pk}/reset/"' in page
    # the whole change form posted to the reset URL (what the button does)
    response = admin_client.post(
        f"/admin/sms_gateway/template/{register.pk}/reset/",
        {"type": "Register", "locale": "en", "text": "an unsaved edit {{code}}"},
    )
    assert response["Location"] == f"/admin/sms_gateway/template/{register.pk}/change/"
    register.refresh_from_db()
    assert register.text == shipped()[("Register", "en")]


def test_reset_refuses_get_foreign_next_and_templates_without_shipped_text(admin_client):
    extra = Template.objects.create(
        type="SignIn", locale="nl", text="Uw code {{code}}", is_customized=True
    )
    url = f"/admin/sms_gateway/template/{extra.pk}/reset/"
    assert admin_client.get(url).status_code == 405
    response = admin_client.post(url, {"next": "https://evil.example/"}, follow=True)
    assert "has no shipped text" in response.content.decode()
    assert response.redirect_chain[0][0] == f"/admin/sms_gateway/template/{extra.pk}/change/"
    extra.refresh_from_db()
    assert extra.text == "Uw code {{code}}"


def test_reset_needs_staff(client):
    register = Template.objects.get(type="Register", locale="en")
    response = client.post(f"/admin/sms_gateway/template/{register.pk}/reset/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_editor_preview_knows_validity_locale_and_origin_line(admin_client, settings):
    settings.SMS_CODE_VALIDITY_MINUTES = 5
    response = admin_client.post(
        "/admin/sms_gateway/template/preview/",
        {"type": "SignIn", "locale": "ru", "text": "Код {{code}}. Действует {{validity}}."},
    )
    review = response.json()
    assert review["preview"] == "Код 123456. Действует 5 минут."
    assert review["origin"] == {"enabled": False, "line": "@id.example.com #123456", "segments": 1}

    settings.SMS_ORIGIN_DOMAIN = "login.acme.test"
    review = admin_client.post(
        "/admin/sms_gateway/template/preview/",
        {"type": "SignIn", "locale": "pt-BR", "text": shipped()[("SignIn", "pt-BR")]},
    ).json()
    assert review["preview"].endswith("\n@login.acme.test #123456")
    assert review["origin"]["enabled"] and review["segments"] == 2
    assert any("origin-bound line" in w and "2 segments" in w for w in review["warnings"])


# Texts the previous release shipped (issue 19's second localisation review changed them).
PREVIOUS_RELEASE = {
    ("UserPermissionValidation", "en"): "Your code to verify it's you is {{code}}. "
    "It expires in {{validity}}. Never share it with anyone.",
    ("Register", "cs"): "Kód pro vytvoření účtu: {{code}}. Platí {{validity}}.",
}


def test_this_release_reaches_unedited_templates_and_leaves_customised_ones():
    for (kind, locale), text in PREVIOUS_RELEASE.items():
        assert shipped()[(kind, locale)] != text
        Template.objects.filter(type=kind, locale=locale).update(text=text, is_customized=False)
    Template.objects.filter(type="SignIn", locale="ko").update(
        text="[Acme] 인증번호 {{code}}", is_customized=True
    )
    call_command("load_templates", stdout=io.StringIO())
    for kind, locale in PREVIOUS_RELEASE:
        template = Template.objects.get(type=kind, locale=locale)
        assert (template.text, template.is_customized) == (shipped()[(kind, locale)], False)
    korean = Template.objects.get(type="SignIn", locale="ko")
    assert (korean.text, korean.is_customized) == ("[Acme] 인증번호 {{code}}", True)
