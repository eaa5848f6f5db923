"""The admin: the template editor (preview, cost, checks, missing pairs), routes, records."""

import html

import pytest
import requests

from sms_gateway.models import Template

from .conftest import logto_body

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(admin_client):
    return admin_client


def change_url(template):
    return f"/admin/sms_gateway/template/{template.pk}/change/"


def test_change_page_shows_preview_and_segments(staff):
    template = Template.objects.get(type="SignIn", locale="fr")
    page = staff.get(change_url(template)).content.decode()
    assert "Votre code de connexion est 123456." in page
    assert "GSM-7 · 92 characters · 92 septets · <strong>1 segment</strong>" in page
    assert "sms_gateway/template/preview/" in page  # the live preview script's endpoint


def test_live_preview_endpoint_reports_cost_and_problems(staff):
    response = staff.post(
        "/admin/sms_gateway/template/preview/",
        {"type": "SignIn", "text": "Code {{code}} reçu {{ unknown }}"},
    )
    review = response.json()
    assert review["preview"] == "Code 123456 reçu {{ unknown }}"
    assert (review["encoding"], review["segments"], review["non_gsm"]) == ("UCS-2", 1, ["ç"])
    assert review["errors"] == [
        "Unknown placeholder(s): {{unknown}}. Known: application, code, inviter, link, "
        "locale, organization, uiLocales, user, validity, validityMinutes."
    ]
    assert review["warnings"][0].startswith("UCS-2: 'ç' (latin small letter c with cedilla)")


def test_preview_needs_staff(client):
    response = client.post("/admin/sms_gateway/template/preview/", {"text": "x"})
    assert response.status_code == 302  # to the login page


def post_edit(staff, template, text):
    return staff.post(
        change_url(template),
        {"type": template.type, "locale": template.locale, "text": text},
        follow=True,
    )


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("Your code", "A SignIn message must contain {{code}}."),
        (
            "Code {{ code",
            "Malformed placeholder at “{{ code”: write it as {{code}}, "
            "a name between double braces.",
        ),
        ("Code {{code}} {{secret.key}}", "Unknown placeholder(s): {{secret}}. Known: "),
        (
            "{{code}} " + "x" * 500,
            "4 segments with sample values; the limit is 3, as the gateway is configured.",
        ),
    ],
)
def test_invalid_edit_is_refused_with_a_clear_error(staff, text, error):
    template = Template.objects.get(type="SignIn", locale="en")
    before = template.text
    page = html.unescape(post_edit(staff, template, text).content.decode())
    assert error in page
    template.refresh_from_db()
    assert template.text == before


def test_segment_cap_is_configurable(staff, settings):
    settings.SMS_MAX_SEGMENTS = 1
    template = Template.objects.get(type="SignIn", locale="en")
    page = post_edit(staff, template, "{{code}} " + "x" * 200).content.decode()
    assert "2 segments with sample values; the limit is 1" in page


def test_valid_edit_is_saved_marked_customized_with_ucs2_warning(staff):
    template = Template.objects.get(type="SignIn", locale="fr")
    page = html.unescape(
        post_edit(staff, template, "Votre code : {{code}}. Reçu ?").content.decode()
    )
    assert "UCS-2: 'ç' (latin small letter c with cedilla) not in the GSM-7 alphabet" in page
    template.refresh_from_db()
    assert template.text == "Votre code : {{code}}. Reçu ?"
    assert template.is_customized


def test_new_locale_is_normalized(staff):
    response = staff.post(
        "/admin/sms_gateway/template/add/",
        {"type": "SignIn", "locale": "NL_be", "text": "Uw code is {{code}}."},
        follow=True,
    )
    assert response.status_code == 200
    assert Template.objects.get(locale="nl-BE").text == "Uw code is {{code}}."


def test_list_shows_missing_pairs_and_filters(staff):
    Template.objects.create(type="SignIn", locale="nl", text="Uw code is {{code}}.")
    Template.objects.filter(type="BindMfa", locale="de").delete()
    page = staff.get("/admin/sms_gateway/template/").content.decode()
    add = "/admin/sms_gateway/template/add/"
    assert f'<code>de</code>: <a href="{add}?type=BindMfa&amp;locale=de"' in page
    assert f'<code>nl</code>: <a href="{add}?type=Register&amp;locale=nl"' in page
    assert page.index("type=Register&amp;locale=nl") < page.index(
        "type=ForgotPassword&amp;locale=nl"
    )
    form = staff.get(f"{add}?type=BindMfa&locale=de").content.decode()
    assert '<option value="BindMfa" selected>' in form and 'value="de"' in form
    filtered = staff.get("/admin/sms_gateway/template/?locale=ja&type=SignIn").content.decode()
    assert "ログイン確認コード" in filtered
    assert "Votre code" not in filtered


@pytest.mark.django_db(transaction=True)
def test_admin_edit_reaches_the_next_request_without_restart(
    api, outbox, live_server, django_user_model
):
    django_user_model.objects.create_superuser("ops", "", "ops-password-1")
    browser = requests.Session()
    browser.trust_env = False
    login = f"{live_server.url}/admin/login/"
    browser.get(login, timeout=10)
    browser.post(
        login,
        {
            "username": "ops",
            "password": "ops-password-1",
            "csrfmiddlewaretoken": browser.cookies["csrftoken"],
            "next": "/admin/",
        },
        headers={"Referer": login},
        timeout=10,
    )
    template = Template.objects.get(type="SignIn", locale="en")
    body = logto_body(payload={"code": "123456", "locale": "en"})
    assert api.post(body).status_code == 200  # the snapshot is now warm

    edit = f"{live_server.url}{change_url(template)}"
    browser.get(edit, timeout=10)
    saved = browser.post(
        edit,
        {
            "type": "SignIn",
            "locale": "en",
            "text": "New text: {{code}}",
            "csrfmiddlewaretoken": browser.cookies["csrftoken"],
        },
        headers={"Referer": edit},
        timeout=10,
    )
    assert saved.status_code == 200 and "was changed successfully" in saved.text

    assert api.post(body).status_code == 200
    browser.close()
    assert [sms.text for _, sms in outbox] == [
        "Your sign-in code is 123456. It expires in 10 minutes. Never share it with anyone.",
        "New text: 123456",
    ]


def test_route_admin_offers_configured_aliases(staff):
    page = staff.get("/admin/sms_gateway/route/add/").content.decode()
    assert '<option value="locmem">locmem</option>' in page


def test_message_admin_is_read_only(staff):
    assert staff.get("/admin/sms_gateway/message/add/").status_code == 403


def test_reset_action_restores_shipped_text(staff):
    from sms_gateway.catalog.defaults import shipped

    Template.objects.filter(type="SignIn", locale="fr").update(
        text="Edited {{code}}", is_customized=True
    )
    extra = Template.objects.create(type="SignIn", locale="nl", text="Uw code {{code}}")
    french = Template.objects.get(type="SignIn", locale="fr")
    selection = {"action": "reset_to_shipped", "_selected_action": [french.pk, extra.pk]}
    asked = html.unescape(staff.post("/admin/sms_gateway/template/", selection).content.decode())
    assert "Reset to the shipped text?" in asked and "Yes, reset 1 template" in asked
    french.refresh_from_db()
    assert french.text == "Edited {{code}}"  # nothing happens before the confirmation
    page = staff.post(
        "/admin/sms_gateway/template/", {**selection, "post": "yes"}, follow=True
    ).content.decode()
    assert "1 reset to the shipped text." in page
    assert "1 have no shipped text" in page
    french.refresh_from_db()
    assert (french.text, french.is_customized) == (shipped()[("SignIn", "fr")], False)


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"prefix": "33", "country": "FR"}, "Give a prefix or a country, not both."),
        ({"prefix": "", "country": "XX"}, "No phone numbers belong to this country code."),
        ({"prefix": "+33a", "country": ""}, "Digits of the E.164 number, without"),
    ],
)
def test_route_admin_refuses_bad_rules(staff, data, error):
    form = {
        **data,
        "blocked": "on",
        "description": "",
        "hops-TOTAL_FORMS": "0",
        "hops-INITIAL_FORMS": "0",
        "hops-MIN_NUM_FORMS": "0",
        "hops-MAX_NUM_FORMS": "1000",
    }
    page = html.unescape(staff.post("/admin/sms_gateway/route/add/", form).content.decode())
    assert error in page


def test_route_admin_saves_ordered_providers_with_senders(staff):
    from sms_gateway.models import Route

    staff.post(
        "/admin/sms_gateway/route/add/",
        {
            "prefix": "",
            "country": "CA",
            "description": "Canada: numbers only",
            "hops-TOTAL_FORMS": "2",
            "hops-INITIAL_FORMS": "0",
            "hops-MIN_NUM_FORMS": "0",
            "hops-MAX_NUM_FORMS": "1000",
            "hops-0-position": "1",
            "hops-0-provider": "console",
            "hops-0-sender": "+15551230001",
            "hops-1-position": "0",
            "hops-1-provider": "locmem",
            "hops-1-sender": "+15551230000",
        },
    )
    route = Route.objects.get(country="CA")
    assert [(h.provider, h.sender) for h in route.hops.all()] == [
        ("locmem", "+15551230000"),
        ("console", "+15551230001"),
    ]
