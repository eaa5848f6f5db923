"""Rate limits in the admin: a limit of 0 or a window of 0 s refused (they refuse every SMS
and tell end users to retry), a warning for values that refuse ordinary use."""

import html

import pytest

from sms_gateway.core import rate_limit_checks
from sms_gateway.models import RateLimit

pytestmark = pytest.mark.django_db

LIST = "/admin/sms_gateway/ratelimit/"


@pytest.mark.parametrize(
    ("scope", "limit", "window", "warned"),
    [
        ("recipient", 5, 600, False),  # the shipped defaults leave room
        ("recipient", 15, 86400, False),
        ("ip", 20, 600, False),
        ("global", 3000, 600, False),
        ("recipient", 3, 1, False),
        ("recipient", 2, 600, True),  # a second retry is refused
        ("recipient", 1, 60, True),
        ("ip", 4, 600, True),  # an office behind one address
        ("global", 9, 600, True),
        ("recipient", 4, 86400, True),  # fewer than a few sign-ins a day
        ("recipient", 20, 7 * 86400, True),
        ("recipient", 35, 7 * 86400, False),
    ],
)
def test_warnings_name_what_ordinary_use_would_be_refused(scope, limit, window, warned):
    assert bool(rate_limit_checks.warnings(scope, limit, window)) is warned


def test_zero_is_an_error_never_a_warning():
    assert set(rate_limit_checks.errors(0, 0)) == {"limit", "window_seconds"}
    assert rate_limit_checks.errors(1, 1) == {}
    assert rate_limit_checks.warnings("recipient", 0, 600) == []


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [(0, "0 s"), (1, "1 s"), (90, "90 s"), (600, "10 min"), (7200, "2 h"), (86400, "1 d")],
)
def test_windows_read_in_their_unit(seconds, shown):
    assert rate_limit_checks.describe_window(seconds) == shown


def test_the_form_refuses_a_limit_or_a_window_of_zero(admin_client):
    for limit, window in ((0, 600), (5, 0)):
        page = html.unescape(
            admin_client.post(
                f"{LIST}add/",
                {"scope": "country", "limit": limit, "window_seconds": window, "enabled": "on"},
            ).content.decode()
        )
        assert "errornote" in page
    assert not RateLimit.objects.filter(scope="country", window_seconds__in=(0, 600)).exclude(
        limit=1000
    )
    assert not RateLimit.objects.filter(window_seconds=0).exists()


def test_the_list_refuses_a_limit_of_zero_in_its_editable_cells(admin_client):
    limit = RateLimit.objects.get(scope="recipient", window_seconds=600)
    page = admin_client.post(
        LIST,
        {
            "form-TOTAL_FORMS": "1",
            "form-INITIAL_FORMS": "1",
            "form-0-id": limit.pk,
            "form-0-limit": "0",
            "form-0-enabled": "on",
            "_save": "Save",
        },
    ).content.decode()
    assert "At least 1: a limit of 0 refuses every SMS." in html.unescape(page)
    limit.refresh_from_db()
    assert limit.limit == 5


def test_a_limit_that_refuses_ordinary_use_is_saved_with_a_warning(admin_client):
    answer = admin_client.post(
        f"{LIST}add/",
        {"scope": "recipient", "limit": 1, "window_seconds": 3600, "enabled": "on"},
        follow=True,
    )
    page = html.unescape(answer.content.decode())
    assert "1 SMS per 1 h for one phone number refuses ordinary use" in page
    assert RateLimit.objects.filter(scope="recipient", window_seconds=3600, limit=1).exists()
