"""The screens speak the operator's words: no environment variable names as UI text, one
spelling (customized), one name for the reset."""

import re

import pytest

from sms_gateway.models import RateLimit, Template

pytestmark = pytest.mark.django_db

A = "/admin/sms_gateway"


def screens() -> list[str]:
    template = Template.objects.get(type="SignIn", locale="fr")
    Template.objects.filter(pk=template.pk).update(text="Code {{code}}", is_customized=True)
    limit = RateLimit.objects.first()
    return [
        "/admin/",
        f"{A}/template/",
        f"{A}/template/add/",
        f"{A}/template/{template.pk}/change/",
        f"{A}/template/{template.pk}/history/",
        f"{A}/template/shipped/",
        f"{A}/route/",
        f"{A}/ratelimit/",
        f"{A}/ratelimit/{limit.pk}/change/",
        f"{A}/blockedprefix/",
    ]


def visible_text(page: str) -> str:
    return re.sub(r"<script.*?</script>|<[^>]+>", " ", page, flags=re.S)


def test_no_setting_names_and_one_spelling_on_the_operators_screens(admin_client):
    for url in screens():
        page = admin_client.get(url)
        assert page.status_code == 200, url
        text = visible_text(page.content.decode())
        assert not re.search(r"\bSMS_[A-Z_]+", text), (url, re.findall(r"SMS_[A-Z_]+", text))
        assert "customis" not in text.lower(), url
        assert "adopt" not in text.lower(), url


def test_the_preview_says_no_setting_name_either(admin_client, settings):
    settings.SMS_MAX_SEGMENTS = 1
    review = admin_client.post(
        f"{A}/template/preview/", {"type": "SignIn", "text": "{{code}} " + "x" * 200}
    ).json()
    assert review["errors"] and not any("SMS_" in e for e in review["errors"] + review["warnings"])
