"""The template editor, for operators: shipped texts look normal, resets are confirmed
with a diff, every text change is in the history side by side, errors are said once."""

import html
import re

import pytest

from sms_gateway.catalog.defaults import shipped
from sms_gateway.models import Template

pytestmark = pytest.mark.django_db

LIST = "/admin/sms_gateway/template/"


def change_url(template: Template) -> str:
    return f"{LIST}{template.pk}/change/"


def test_shipped_templates_are_not_flagged_only_customized_ones_are(admin_client):
    Template.objects.filter(type="SignIn", locale="fr").update(
        text="Mon code {{code}}", is_customized=True
    )
    page = admin_client.get(LIST, {"locale": "fr"}).content.decode()
    assert page.count('class="sms-customized">customized</strong>') == 1
    assert page.count('class="sms-shipped sms-quiet">shipped</span>') == 8
    assert "icon-no.svg" not in page  # no red cross on every shipped template


def test_reset_shows_the_difference_and_waits_for_a_yes(admin_client):
    french = Template.objects.get(type="SignIn", locale="fr")
    Template.objects.filter(pk=french.pk).update(
        text="Votre code Acme est {{code}}.", is_customized=True
    )
    asked = admin_client.post(
        LIST, {"action": "reset_to_shipped", "_selected_action": [french.pk]}
    ).content.decode()
    assert 'id="sms-reset-diff"' in asked
    assert "<del>Acme</del>" in asked  # the word the reset removes
    assert "<ins>de connexion</ins>" in asked  # what the reset brings back
    assert 'name="post" value="yes"' in asked
    french.refresh_from_db()
    assert french.text == "Votre code Acme est {{code}}."


def test_every_admin_text_change_is_in_the_history_old_beside_new(admin_client):
    template = Template.objects.get(type="SignIn", locale="en")
    original = template.text
    admin_client.post(
        change_url(template),
        {"type": "SignIn", "locale": "en", "text": "Acme code: {{code}}"},
    )
    admin_client.post(
        LIST, {"action": "reset_to_shipped", "_selected_action": [template.pk], "post": "yes"}
    )
    page = admin_client.get(f"{change_url(template)}".replace("change/", "history/"))
    text = html.unescape(page.content.decode())
    assert 'id="sms-text-history"' in text
    rows = re.findall(r"<tr><th scope=\"row\">(.*?)</tr>", text, re.S)
    assert len(rows) == 2
    assert "Reset" in rows[0] and "<del>Acme</del>" in rows[0]
    assert "Edited" in rows[1] and "<ins>Acme</ins>" in rows[1]
    assert "UTC" in rows[0]  # seconds and time zone
    assert original.split()[0] in rows[1]
    # Django's own history list still reads the entries.
    assert "Changed Text." in text


def test_adopting_the_shipped_text_is_in_the_history(admin_client):
    template = Template.objects.get(type="SignIn", locale="de")
    Template.objects.filter(pk=template.pk).update(text="Code {{code}}", is_customized=True)
    admin_client.post(f"{LIST}{template.pk}/adopt/")
    page = html.unescape(admin_client.get(f"{LIST}{template.pk}/history/").content.decode())
    assert "Adopted the shipped text" in page and "<del>Code</del>" in page
    template.refresh_from_db()
    assert template.text == shipped()[("SignIn", "de")]


def test_each_validation_error_is_said_once(admin_client):
    template = Template.objects.get(type="SignIn", locale="en")
    page = html.unescape(
        admin_client.post(
            change_url(template), {"type": "SignIn", "locale": "en", "text": "Your code"}
        ).content.decode()
    )
    assert page.count("A SignIn message must contain {{code}}.") == 1
