"""The dashboard without receipts: a clear state instead of a rate of 0 %, per provider.

A provider whose receipts never reach the gateway (the console, no
SMS_PUBLIC_BASE_URL, a Vonage alias without its signature secret) is left out of
every delivery rate, and the page says why.
"""

from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.contrib.auth.models import Permission, User
from django.core.management import call_command

from sms_gateway.dashboard import queries, receipts
from sms_gateway.dashboard.receipts import (
    NO_SECRET,
    NO_URL,
    NO_WEBHOOK,
    NONE_RECEIVED,
    decide,
    setup_problem,
)
from sms_gateway.models import Message, Route

from .conftest import TWILIO_SID, TWILIO_TOKEN, VONAGE_KEY, VONAGE_SECRET
from .receipts import Caller, route_to, send_one
from .test_receipts_twilio import callback_fields, signed_post

URL = "/admin/sms_gateway/deliverydashboard/"
NOW = datetime(2026, 11, 27, 15, 0, tzinfo=UTC)
BASE = "https://sms.example.com"


# --- setup_problem: what the settings say, pure -------------------------------------


@pytest.mark.parametrize(
    "webhook, base_url, explicit_url, needs_secret, has_secret, expected",
    [
        ("", BASE, "", False, False, NO_WEBHOOK),  # the console, locmem
        ("", BASE, "https://x.example/cb", False, True, NO_WEBHOOK),
        ("twilio", "", "", False, False, NO_URL),
        ("twilio", BASE, "", False, False, ""),
        ("twilio", "", "https://hooks.example.com/x", False, False, ""),  # STATUS_CALLBACK
        ("vonage", "", "", True, True, NO_URL),
        ("vonage", BASE, "", True, False, NO_SECRET),
        ("vonage", "", "https://hooks.example.com/v", True, False, NO_SECRET),
        ("vonage", BASE, "", True, True, ""),
    ],
)
def test_setup_problem(webhook, base_url, explicit_url, needs_secret, has_secret, expected):
    assert setup_problem(webhook, base_url, explicit_url, needs_secret, has_secret) == expected


def test_setup_problems_reads_each_alias_from_the_settings(settings):
    settings.SMS_PROVIDERS = {
        "locmem": {"BACKEND": "sms_gateway.providers.locmem.LocmemProvider"},
        "twilio": {
            "BACKEND": "sms_gateway.providers.twilio.TwilioProvider",
            "OPTIONS": {
                "ACCOUNT_SID": TWILIO_SID, "AUTH_TOKEN": TWILIO_TOKEN, "FROM": "+15005550006",
            },
        },
        "twilio-eu": {
            "BACKEND": "sms_gateway.providers.twilio.TwilioProvider",
            "OPTIONS": {
                "ACCOUNT_SID": TWILIO_SID, "AUTH_TOKEN": TWILIO_TOKEN, "FROM": "+15005550006",
                "STATUS_CALLBACK": "https://hooks.example.com/twilio",
            },
        },
        "vonage": {
            "BACKEND": "sms_gateway.providers.vonage.VonageProvider",
            "OPTIONS": {"API_KEY": VONAGE_KEY, "API_SECRET": VONAGE_SECRET},
        },
        "broken": {"BACKEND": "sms_gateway.providers.nowhere.Provider"},
    }  # fmt: skip
    settings.SMS_PUBLIC_BASE_URL = ""
    settings.SMS_VONAGE_SIGNATURES = {}
    assert receipts.setup_problems() == {
        "locmem": NO_WEBHOOK,
        "twilio": NO_URL,
        "twilio-eu": "",
        "vonage": NO_URL,
        "broken": receipts.MISCONFIGURED,
    }
    settings.SMS_PUBLIC_BASE_URL = BASE
    problems = receipts.setup_problems()
    assert (problems["twilio"], problems["vonage"]) == ("", NO_SECRET)
    settings.SMS_VONAGE_SIGNATURES = {"vonage": {"SECRET": "s", "METHOD": "sha256"}}
    assert receipts.setup_problems()["vonage"] == ""


# --- decide: the settings and the range's data, pure ----------------------------------


def test_a_provider_with_a_receipt_in_the_range_is_measured_whatever_its_settings_say():
    found = decide({"vonage": 10}, {"vonage": 1}, {"vonage": NO_URL})  # the account's setting
    assert found.measured == {"vonage"} and found.missing == {}


def test_a_provider_that_sent_without_any_receipt_is_left_out_with_its_reason():
    found = decide(
        {"twilio": 20, "vonage": 5, "console": 3, "gone": 2, "idle": 0},
        {"twilio": 19},
        {"twilio": "", "vonage": NO_SECRET, "console": NO_WEBHOOK, "idle": NO_URL},
    )
    assert found.measured == {"twilio"}
    assert found.missing == {
        "vonage": NO_SECRET,
        "console": NO_WEBHOOK,
        "gone": NONE_RECEIVED,  # no longer configured: the data alone
    }
    assert found.reason("vonage") == NO_SECRET and found.reason("twilio") == ""


def test_configured_as_it_should_be_but_no_receipt_arrived():
    assert decide({"twilio": 4}, {}, {"twilio": ""}).missing == {"twilio": NONE_RECEIVED}


def test_nothing_sent_nothing_missing():
    found = decide({"twilio": 0, "": 0}, {}, {"twilio": NO_URL})
    assert found.measured == frozenset() and found.missing == {}


# --- the rates over the records ----------------------------------------------------------


def message(country="FR", provider="twilio", status="sent", delivery="", ms=None, at=None):
    m = Message.objects.create(
        to="+33612345678", country=country, type="SignIn", provider=provider, status=status,
        delivery_status=delivery, delivery_ms=ms, segments=1,
    )  # fmt: skip
    Message.objects.filter(pk=m.pk).update(created_at=at or NOW - timedelta(hours=1))
    return m


def mixed_traffic(at=None):
    """twilio: 4 sent, 3 delivered, 1 undelivered; vonage: 6 sent, no receipt; FR and GB."""
    for delivery in ("delivered", "delivered", "undelivered"):
        message(delivery=delivery, ms=1000 if delivery == "delivered" else None, at=at)
    message(country="GB", delivery="delivered", ms=2000, at=at)
    for country in ("FR", "FR", "GB", "GB", "GB", "GB"):
        message(country=country, provider="vonage", at=at)
    message(provider="", status="failed", at=at)


@pytest.mark.django_db
def test_rates_count_only_the_providers_with_receipts():
    mixed_traffic()
    view = queries.overview(queries.Filters(days=7, now=NOW), problems={"vonage": NO_SECRET})
    assert view.receipts.measured == {"twilio"} and view.receipts.missing == {"vonage": NO_SECRET}
    assert view.total.sent == 10
    assert view.total.delivery_rate == pytest.approx(3 / 4)  # not 3 / 10
    providers = {r.key: r for r in view.providers}
    assert providers["twilio"].delivery_rate == pytest.approx(3 / 4)
    assert providers["vonage"].delivery_rate is None and providers["vonage"].unmeasured
    assert not providers[""].unmeasured  # it sent nothing: no rate, nothing to explain
    countries = {r.key: r for r in view.countries}
    assert countries["FR"].delivery_rate == pytest.approx(2 / 3)  # twilio's 3 of FR's 5
    assert countries["GB"].delivery_rate == pytest.approx(1 / 1)  # twilio's 1 of GB's 5
    today = view.days[-1]
    assert (
        today.delivery_rate == pytest.approx(3 / 4) and [d.sent for d in view.days[:-1]] == [0] * 6
    )


@pytest.mark.django_db
def test_no_provider_with_receipts_no_rate_anywhere():
    message(provider="console")
    message(country="GB", provider="console")
    view = queries.overview(queries.Filters(days=7, now=NOW), problems={"console": NO_WEBHOOK})
    assert view.total.unmeasured and view.total.delivery_rate is None
    assert all(r.delivery_rate is None for r in [*view.days, *view.countries, *view.providers])
    assert view.receipts.missing == {"console": NO_WEBHOOK}


@pytest.mark.django_db
def test_rolled_up_days_are_measured_the_same_way():
    now = datetime.now(UTC)
    mixed_traffic(at=now - timedelta(days=10))
    call_command("rollup_deliveries", stdout=StringIO())
    mixed_traffic(at=now - timedelta(hours=1))  # and the same again today, grouped live
    for _ in range(2):  # the rolled-up sums computed, then from the cache
        view = queries.overview(queries.Filters(days=30), problems={})
        assert view.total.sent == 20 and view.total.delivery_rate == pytest.approx(6 / 8)
        assert view.receipts.missing == {"vonage": NONE_RECEIVED}
        countries = {r.key: r for r in view.countries}
        assert countries["FR"].delivery_rate == pytest.approx(4 / 6)
        rolled = next(d for d in view.days if d.sent)
        assert rolled.delivery_rate == pytest.approx(3 / 4)


# --- the page ------------------------------------------------------------------------------


@pytest.fixture
def operator(db, client):
    user = User.objects.create_user("operator", password="pw", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_message"))
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_the_page_says_no_receipts_instead_of_a_rate(operator, settings):
    # locmem, the tests' provider, has no receipt webhook.
    # Today (the 1-day window starts at midnight UTC), up to 5 minutes ago: in the first
    # minutes after midnight, 5 minutes ago is yesterday, outside the window.
    now = datetime.now(UTC)
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    message(provider="locmem", at=now - min(timedelta(minutes=5), (now - midnight) / 2))
    page = operator.get(URL, {"days": 1})
    html = page.content.decode()
    assert page.context["total"]["no_receipts"] and page.context["total"]["delivered"] == "–"
    assert "No delivery receipts in this range." in html
    assert "locmem</span> (1 SMS sent): this provider sends no receipts" in html
    numbers = html.split('id="content-main"')[1].split("Provider health")[0]
    assert " %" not in numbers  # no rate, no rate axis: the tiles, charts and tables
    assert "delivery rate</text>" not in html  # neither the rate's line nor its legend


@pytest.mark.django_db(transaction=True)
def test_twilio_with_receipts_vonage_without_end_to_end(
    api, settings, providers, live_server, client
):
    """SMS through the fakes over HTTP, a signed receipt back from Twilio; the Vonage
    alias has no signature secret, so its receipts would be refused: left out."""
    settings.SMS_PUBLIC_BASE_URL = live_server.url
    settings.SMS_VONAGE_SIGNATURES = {}
    twilio, _ = providers
    route_to("twilio")
    Route.objects.create(prefix="49").hops.create(provider="vonage", position=0)
    sent = [send_one(api), send_one(api), send_one(api, to="4915123456789")]
    assert [m.provider for m in sent] == ["twilio", "twilio", "vonage"]
    caller = Caller()
    try:
        url = twilio.received[0].form["StatusCallback"]
        assert signed_post(caller, url, callback_fields(sent[0], "delivered")).status_code == 200
    finally:
        caller.close()

    user = User.objects.create_user("operator", password="pw", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_message"))
    client.force_login(user)
    page = client.get(URL, {"days": 1})
    html = page.content.decode()
    assert page.context["total"]["delivery_rate"] == "50.0 %"  # 1 of twilio's 2, not 1 of 3
    assert "delivery rate of twilio" in html
    assert "No delivery receipts from vonage." in html
    assert f"vonage</span> (1 SMS sent): {NO_SECRET}" in html
    by_provider = {r["label"]: r for r in page.context["tables"][2][2]}
    assert by_provider["twilio"]["delivery_rate"] == "50.0 %"
    assert by_provider["vonage"]["no_receipts_reason"] == NO_SECRET
    by_country = {r["label"]: r for r in page.context["tables"][1][2]}
    assert by_country["DE"]["no_receipts"] and by_country["FR"]["delivery_rate"] == "50.0 %"
