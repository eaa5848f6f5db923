"""Budgets and sender rules in the admin, the route editor's sender check, the dashboard's
budget panel and the startup checks."""

import html
from decimal import Decimal

import pytest
from django.core.checks import run_checks
from django.utils import timezone

from sms_gateway import checks
from sms_gateway.budgets import spend
from sms_gateway.core import budgets
from sms_gateway.dashboard import budgets as panel
from sms_gateway.models import Budget, Route, SenderRule

from .admin_forms import form_data

pytestmark = pytest.mark.django_db

ROUTE_ADD = "/admin/sms_gateway/route/add/"


@pytest.fixture(autouse=True)
def fresh_spend():
    spend.reset()
    yield
    spend.reset()


@pytest.fixture
def aliases(settings):
    settings.SMS_PROVIDERS = {
        "twilio": {
            "BACKEND": "sms_gateway.providers.twilio.TwilioProvider",
            "OPTIONS": {"ACCOUNT_SID": "AC" + "0" * 32, "AUTH_TOKEN": "t", "FROM": "Acme"},
        },
        "locmem": {"BACKEND": "sms_gateway.providers.locmem.LocmemProvider"},
    }
    settings.SMS_DEFAULT_PROVIDERS = ["locmem"]


def submit(client, url, **changes):
    page = client.get(url).content.decode()
    response = client.post(url, {**form_data(page), **changes}, follow=True)
    return html.unescape(response.content.decode())


# --- the route editor ---------------------------------------------------------------


@pytest.mark.parametrize(("where", "value"), [("country", "US"), ("prefix", "1604")])
def test_the_route_editor_refuses_an_alphanumeric_sender_to_the_us_or_canada(
    admin_client, aliases, where, value
):
    page = submit(
        admin_client,
        ROUTE_ADD,
        **{where: value, "hops-0-provider": "twilio", "hops-0-sender": "Acme"},
    )
    country = "US" if value == "US" else "CA"
    assert (
        f"{country} takes no alphanumeric sender (carriers drop it): give a number, "
        "a short code or a Messaging Service SID." in page
    )
    assert not Route.objects.exists()
    submit(
        admin_client,
        ROUTE_ADD,
        **{where: value, "hops-0-provider": "twilio", "hops-0-sender": "+15551230000"},
    )
    assert Route.objects.get().hops.get().sender == "+15551230000"


def test_the_default_route_may_have_an_alphanumeric_sender(admin_client, aliases):
    submit(admin_client, ROUTE_ADD, **{"hops-0-provider": "twilio", "hops-0-sender": "Acme"})
    assert Route.objects.get().hops.get().sender == "Acme"


def test_the_route_editor_refuses_a_sender_not_registered_in_its_country(admin_client, aliases):
    SenderRule.objects.create(country="IN", registered_senders="ACMEIN, ACMEOT")
    page = submit(
        admin_client,
        ROUTE_ADD,
        prefix="91",
        **{"hops-0-provider": "twilio", "hops-0-sender": "Acme"},
    )
    assert "Acme is not a sender ID registered for IN (registered: ACMEIN, ACMEOT)." in page
    assert not Route.objects.exists()
    submit(
        admin_client,
        ROUTE_ADD,
        prefix="91",
        **{"hops-0-provider": "twilio", "hops-0-sender": "acmeot"},
    )
    assert Route.objects.get().hops.get().sender == "acmeot"


# --- sender rules and budgets in the admin --------------------------------------------


def test_a_sender_rule_number_must_be_a_number(admin_client, aliases):
    url = "/admin/sms_gateway/senderrule/add/"
    page = submit(admin_client, url, country="us", number_sender="AcmeUS")
    assert "A number (+15551230000), a short code or a Messaging Service SID" in page
    submit(admin_client, url, country="us", number_sender="+15551230000", provider="twilio")
    rule = SenderRule.objects.get()
    assert (rule.country, rule.provider, rule.number_sender) == ("US", "twilio", "+15551230000")
    assert rule.alphanumeric is False  # never to the US, whatever was ticked


def test_a_sender_rule_registered_ids_are_at_most_11_characters(admin_client, aliases):
    url = "/admin/sms_gateway/senderrule/add/"
    page = submit(admin_client, url, country="IN", registered_senders="ACMEIN, ACMEINDIA-LONG")
    assert "A sender ID has at most 11 characters: ACMEINDIA-LONG." in page
    submit(admin_client, url, country="IN", registered_senders=" ACMEIN ,ACMEOT,")
    assert SenderRule.objects.get().registered == ("ACMEIN", "ACMEOT")


def test_the_budget_list_shows_the_spend_now(admin_client, settings):
    Budget.objects.create(country="DE", period="day", cap=Decimal("10"), action="refuse")
    now = timezone.now()
    spend.charge("DE", 8_500_000, now, [], "SignIn", frozenset())
    page = admin_client.get("/admin/sms_gateway/budget/").content.decode()
    assert '<span class="sms-budget-alert">8.50 USD (85 %)</span>' in page
    assert "10.0000 USD" in page


def test_the_dashboard_shows_each_budget(admin_client):
    Budget.objects.create(country="", period="month", cap=Decimal("100"), action="essential")
    Budget.objects.create(country="FR", period="day", cap=Decimal("1"), action="alert")
    now = timezone.now()
    spend.charge("FR", 1_200_000, now, [], "SignIn", frozenset())
    statuses = {(s.scope, s.period): s for s in panel.panel()}
    assert statuses["all", "month"].state == "ok"
    assert statuses["FR", "day"].state == "capped"
    assert statuses["FR", "day"].spent == Decimal("1.2000")
    page = admin_client.get("/admin/sms_gateway/deliverydashboard/").content.decode()
    assert "Budgets, this day and month (UTC)" in page
    assert "refuse all but sign-in and MFA codes" in page
    assert '<tr class="sms-budget-capped"><td>FR</td><td>day</td>' in page
    assert "1.20 USD" in page and "120 % <strong>capped</strong>" in page


def test_the_dashboard_without_budgets_says_where_to_add_them(admin_client):
    page = admin_client.get("/admin/sms_gateway/deliverydashboard/").content.decode()
    assert 'No budget: add caps in <a href="/admin/sms_gateway/budget/">Budgets</a>.' in page


# --- startup checks ---------------------------------------------------------------------


def ids(messages):
    return [m.id for m in messages]


def test_check_names_a_malformed_price(settings):
    settings.SMS_PRICES = {"twilio": {"US": "cheap"}}
    errors = checks.check_budget_prices()
    assert ids(errors) == ["sms_gateway.E050"]
    assert "SMS_PRICES['twilio']['US']: 'cheap' is not '<amount> <currency>'" in errors[0].msg


def test_check_names_unknown_essential_types(settings):
    settings.SMS_BUDGET_ESSENTIAL_TYPES = ["SignIn", "Signin"]
    assert ids(checks.check_budget_prices()) == ["sms_gateway.W050"]


def test_deploy_check_warns_of_routes_whose_sender_a_country_refuses(aliases):
    route = Route.objects.create()  # the default route
    route.hops.create(provider="twilio", sender="")  # FROM Acme
    found = checks.check_senders_and_budgets()
    assert ids(found) == ["sms_gateway.W060", "sms_gateway.W060"]
    assert found[0].msg == (
        "Route default route via twilio (sender 'Acme'): AR, CA, PR, US take no alphanumeric "
        "sender and twilio has no number for them: SMS there fail over to the next provider; "
        "add a sender rule with a number."
    )
    assert "AE, AU, ES, IN, SA, TR take only registered sender IDs" in found[1].msg
    SenderRule.objects.create(country="US", number_sender="+15551230000")
    found = checks.check_senders_and_budgets()
    assert "AR, CA, PR take no alphanumeric sender" in found[0].msg


def test_deploy_check_warns_of_budgets_without_prices(aliases, settings):
    route = Route.objects.create(prefix="49")
    route.hops.create(provider="twilio", sender="Acme")
    assert checks.check_senders_and_budgets() == []
    Budget.objects.create(country="DE", period="day", cap=Decimal("1"))
    assert ids(checks.check_senders_and_budgets()) == ["sms_gateway.W051"]
    settings.SMS_PRICES = {"twilio": {"*": "0.07 USD"}}
    assert checks.check_senders_and_budgets() == []


def test_the_shipped_configuration_passes_the_new_checks():
    assert [
        m for m in run_checks() if m.id.startswith(("sms_gateway.E05", "sms_gateway.W05"))
    ] == []


def test_budget_counters_key_matches_the_panel():
    now = timezone.now()
    (first, *_rest) = budgets.counters("DE", now, [], "SignIn", frozenset(), spend.KEY_PREFIX)
    assert first.key == panel.key("DE", "day", now)
