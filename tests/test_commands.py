import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from sms_gateway.catalog.defaults import load_shipped, shipped
from sms_gateway.models import Template

pytestmark = pytest.mark.django_db


def test_setup_loads_templates_and_prints_admin_login(monkeypatch):
    monkeypatch.setenv("ADMIN_PASSWORD", "correct-horse-battery")
    out = io.StringIO()
    call_command("setup", "--admin", stdout=out)
    assert "user: admin  password: (the one in ADMIN_PASSWORD)" in out.getvalue()
    assert "correct-horse-battery" not in out.getvalue()  # never echoed
    assert get_user_model().objects.get(username="admin").check_password("correct-horse-battery")
    assert Template.objects.count() == len(shipped())

    again = io.StringIO()
    call_command("setup", "--admin", stdout=again)
    assert "An admin user exists already" in again.getvalue()


def test_loading_keeps_operator_edits_and_refreshes_the_rest():
    Template.objects.filter(type="SignIn", locale="en").update(
        text="Edited {{code}}", is_customized=True
    )
    Template.objects.filter(type="Register", locale="en").update(text="stale shipped text")
    Template.objects.filter(type="BindMfa", locale="en").delete()

    report = load_shipped()

    assert (report.created, report.updated, report.kept) == (1, 1, 1)
    assert Template.objects.get(type="SignIn", locale="en").text == "Edited {{code}}"
    assert Template.objects.get(type="Register", locale="en").text == shipped()[("Register", "en")]
    assert Template.objects.filter(type="BindMfa", locale="en").exists()


def test_reset_template_restores_the_shipped_text():
    Template.objects.filter(type="SignIn", locale="en").update(text="Edited", is_customized=True)
    call_command("reset_template", "SignIn", "en", stdout=io.StringIO())
    template = Template.objects.get(type="SignIn", locale="en")
    assert template.text == shipped()[("SignIn", "en")]
    assert not template.is_customized
