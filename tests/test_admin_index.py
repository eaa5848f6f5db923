"""The admin's home page: today's status first, the screens by task, View site to the
dashboard."""

import html
import re

import pytest

from sms_gateway.admin.index import provider_state, screen_groups

from .conftest import TOKEN, logto_body

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("attempts", "failed", "word"),
    [
        (0, 0, "no attempts today"),
        (100, 0, "ok"),
        (100, 4, "ok"),
        (100, 5, "degraded"),
        (100, 24, "degraded"),
        (100, 25, "failing"),
        (1, 1, "failing"),
    ],
)
def test_a_provider_is_judged_by_its_share_of_failed_attempts(attempts, failed, word):
    assert provider_state("twilio", attempts, failed).word == word


def test_screens_are_grouped_by_task_and_nothing_is_dropped():
    app_list = [
        {"models": [{"object_name": n, "name": n} for n in ("Template", "Message", "Foo")]},
        {"models": [{"object_name": "User", "name": "Users"}]},
    ]
    groups = screen_groups(app_list)
    assert [title for title, _ in groups] == ["Traffic", "Texts and routing", "Operators", "Other"]
    assert sum(len(models) for _, models in groups) == 4


def test_the_index_opens_on_todays_status(admin_client, client):
    sent = client.post(
        "/sms/send",
        logto_body(to="33612345678"),
        content_type="application/json",
        HTTP_AUTHORIZATION=TOKEN,
    )
    assert sent.status_code == 200
    page = html.unescape(admin_client.get("/admin/").content.decode())
    assert page.index('id="sms-today"') < page.index('id="sms-screens"')
    tile = re.search(r'id="sms-today-sent"[^>]*><span class="value">(\d+)</span>', page)
    assert tile and tile.group(1) == "1"
    assert re.search(r"<th scope=\"row\">locmem</th><td><span[^>]*>ok</span>", page)
    assert " UTC" in page  # times as every screen shows them
    # View site leads to the delivery dashboard, not to a bare 404.
    assert 'href="/admin/sms_gateway/deliverydashboard/">View site' in page


def test_an_operator_who_may_not_read_records_sees_no_status(client, django_user_model):
    user = django_user_model.objects.create_user("nobody", password="x" * 12, is_staff=True)
    client.force_login(user)
    page = client.get("/admin/").content.decode()
    assert 'id="sms-today"' not in page
