"""The template editor, for operators: shipped texts look normal, resets are confirmed
with a diff, every text change is in the history side by side, errors are said once."""

import html
import io
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
    assert text.count("<table") == 1  # one table, not ours beside Django's
    assert 'id="sms-text-history"' in text
    rows = re.findall(r"<tr><th scope=\"row\">(.*?)</tr>", text, re.S)
    assert len(rows) == 2
    assert "Reset to the shipped text" in rows[0] and "<del>Acme</del>" in rows[0]
    assert "Edited the text" in rows[1] and "<ins>Acme</ins>" in rows[1]
    assert "UTC" in rows[0]  # seconds and time zone
    assert original.split()[0] in rows[1]
    assert "Changed Text." not in text


def test_resetting_one_template_is_in_the_history_under_the_same_name(admin_client):
    template = Template.objects.get(type="SignIn", locale="de")
    Template.objects.filter(pk=template.pk).update(text="Code {{code}}", is_customized=True)
    admin_client.post(f"{LIST}{template.pk}/reset/")
    page = html.unescape(admin_client.get(f"{LIST}{template.pk}/history/").content.decode())
    assert "Reset to the shipped text" in page and "<del>Code</del>" in page
    assert "Adopt" not in page
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


# --- issue 19: the editor says what changed, when it changed --------------------------


def edit(client, template: Template, text: str):
    return client.post(
        change_url(template), {"type": template.type, "locale": template.locale, "text": text}
    )


def test_a_deliberate_edit_is_not_flagged_as_differing_from_the_shipped_text(admin_client):
    template = Template.objects.get(type="SignIn", locale="fr")
    edit(admin_client, template, "Code Acme : {{code}}")
    template.refresh_from_db()
    assert template.is_customized
    assert template.shipped_version == shipped()[("SignIn", "fr")]
    listing = admin_client.get(LIST).content.decode()
    assert 'id="shipped-differing"' not in listing
    editor = admin_client.get(change_url(template)).content.decode()
    assert 'id="shipped-news"' not in editor
    assert "Reset to the shipped text" in editor  # still one click away
    nagging = admin_client.get(f"{LIST}shipped/").content.decode()
    assert "Code Acme" not in nagging


def test_a_release_changing_the_shipped_text_after_the_edit_is_flagged(admin_client):
    template = Template.objects.get(type="SignIn", locale="fr")
    edit(admin_client, template, "Code Acme : {{code}}")
    # The operator edited against an older release's text.
    Template.objects.filter(pk=template.pk).update(shipped_version="Ancien texte {{code}}")
    listing = admin_client.get(LIST).content.decode()
    assert 'id="shipped-differing"' in listing and "1 customized template</strong>" in listing
    editor = admin_client.get(change_url(template)).content.decode()
    assert 'id="shipped-news"' in editor
    assert "Code Acme" in admin_client.get(f"{LIST}shipped/").content.decode()
    # Saving the text again is keeping it: the notice goes.
    edit(admin_client, template, "Code Acme : {{code}}")
    assert 'id="shipped-news"' not in admin_client.get(change_url(template)).content.decode()


def test_type_and_locale_are_fixed_once_the_template_exists(admin_client):
    template = Template.objects.get(type="SignIn", locale="fr")
    page = admin_client.get(change_url(template)).content.decode()
    assert 'name="type"' not in page and 'name="locale"' not in page
    admin_client.post(
        change_url(template), {"type": "Register", "locale": "de", "text": "Code {{code}}"}
    )
    template.refresh_from_db()
    assert (template.type, template.locale, template.text) == ("SignIn", "fr", "Code {{code}}")
    assert Template.objects.filter(type="Register", locale="de").count() == 1
    add = admin_client.get(f"{LIST}add/").content.decode()
    assert 'name="type"' in add and 'name="locale"' in add


def test_shipped_templates_are_reset_never_deleted(admin_client):
    shipped_one = Template.objects.get(type="SignIn", locale="fr")
    own = Template.objects.create(type="SignIn", locale="br", text="Kod {{code}}")
    page = admin_client.get(change_url(shipped_one)).content.decode()
    assert "deletelink" not in page
    assert admin_client.get(f"{LIST}{shipped_one.pk}/delete/").status_code == 403
    both = {"action": "delete_selected", "_selected_action": [shipped_one.pk, own.pk]}
    asked = html.unescape(admin_client.post(LIST, both, follow=True).content.decode())
    assert "1 shipped template left as it is" in asked
    assert "SignIn / br" in asked and "SignIn / fr" not in asked.split("<ul")[-1]
    admin_client.post(LIST, {**both, "post": "yes"})
    assert Template.objects.filter(pk=shipped_one.pk).exists()
    assert not Template.objects.filter(pk=own.pk).exists()
    again = Template.objects.create(type="SignIn", locale="br", text="Kod {{code}}")
    assert "deletelink" in admin_client.get(change_url(again)).content.decode()
    admin_client.post(f"{LIST}{again.pk}/delete/", {"post": "yes"})
    assert not Template.objects.filter(pk=again.pk).exists()


def test_the_hint_lists_every_placeholder_the_type_supports_and_no_setting_names(
    admin_client,
):
    sign_in = admin_client.get(change_url(Template.objects.get(type="SignIn", locale="en")))
    page = html.unescape(sign_in.content.decode())
    for name in ("{{code}}", "{{validity}}", "{{validityMinutes}}", "{{application.name}}"):
        assert name in page, name
    assert "{{link}}" not in page.split('id="id_text_helptext"')[1].split("</div>")[0]
    invitation = Template.objects.get(type="OrganizationInvitation", locale="en")
    hint = html.unescape(admin_client.get(change_url(invitation)).content.decode())
    assert "{{link}}" in hint.split('id="id_text_helptext"')[1].split("</div>")[0]
    assert "SMS_" not in page and "SMS_" not in hint
    adding = html.unescape(admin_client.get(f"{LIST}add/").content.decode())
    for name in ("{{validity}}", "{{validityMinutes}}", "{{link}}", "{{inviter.name}}"):
        assert name in adding, name


def test_restore_this_version_puts_the_text_back_and_is_logged(admin_client, admin_user):
    template = Template.objects.get(type="SignIn", locale="en")
    edit(admin_client, template, "First {{code}}")
    edit(admin_client, template, "Second {{code}}")
    history_page = admin_client.get(f"{LIST}{template.pk}/history/").content.decode()
    restores = re.findall(r'action="([^"]*/restore/)"', history_page)
    assert len(restores) == 1  # the newest row is the current text: nothing to restore
    assert "current text" in history_page
    admin_client.post(restores[0])  # the version "First"
    template.refresh_from_db()
    assert template.text == "First {{code}}" and template.is_customized
    page = html.unescape(admin_client.get(f"{LIST}{template.pk}/history/").content.decode())
    rows = re.findall(r"<tr><th scope=\"row\">(.*?)</tr>", page, re.S)
    assert "Restored the version of " in rows[0] and "admin" in rows[0]
    assert len(rows) == 3


def test_a_version_the_checks_now_refuse_is_not_restored(admin_client):
    template = Template.objects.get(type="SignIn", locale="en")
    edit(admin_client, template, "Good {{code}}")
    from django.contrib.admin.models import LogEntry

    entry = LogEntry.objects.filter(object_id=str(template.pk)).latest("pk")
    entry.change_message = '[{"texts": {"old": "x", "new": "No code here"}}]'
    entry.save()
    edit(admin_client, template, "Later {{code}}")
    answer = admin_client.post(f"{LIST}{template.pk}/history/{entry.pk}/restore/", follow=True)
    assert "Not restored: A SignIn message must contain {{code}}." in html.unescape(
        answer.content.decode()
    )
    template.refresh_from_db()
    assert template.text == "Later {{code}}"
    assert admin_client.get(f"{LIST}{template.pk}/history/{entry.pk}/restore/").status_code == 405


@pytest.mark.parametrize(
    ("text", "customized", "at_edit", "now", "news"),
    [
        ("Mine {{code}}", True, "Shipped {{code}}", "Shipped {{code}}", False),  # my edit
        ("Mine {{code}}", True, "Shipped {{code}}", "Shipped v2 {{code}}", True),  # a release
        ("Mine {{code}}", True, "", "Shipped {{code}}", True),  # edited before 0008
        ("Shipped v2 {{code}}", True, "Shipped {{code}}", "Shipped v2 {{code}}", False),
        ("Shipped {{code}}", False, "", "Shipped v2 {{code}}", False),  # load_templates' job
        ("Mine {{code}}", True, "", None, False),  # no shipped text at all
    ],
)
def test_shipped_text_is_news_only_when_it_changed_after_the_edit(
    text, customized, at_edit, now, news
):
    from sms_gateway.core.template_origin import shipped_changed_since_edit

    assert shipped_changed_since_edit(text, customized, at_edit, now) is news


def test_an_imported_text_is_an_edit_too_not_news(admin_client, tmp_path):
    import json

    from django.core.management import call_command

    path = tmp_path / "templates.json"
    texts = [{"type": "SignIn", "locale": "fr", "text": "Importé {{code}}"}]
    path.write_text(json.dumps({"format": 1, "templates": texts}), encoding="utf-8")
    call_command("import_templates", str(path), stdout=io.StringIO())
    template = Template.objects.get(type="SignIn", locale="fr")
    assert template.is_customized
    assert 'id="shipped-news"' not in admin_client.get(change_url(template)).content.decode()
    assert 'id="shipped-differing"' not in admin_client.get(LIST).content.decode()
