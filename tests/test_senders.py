"""Sender rules per country: the pure decision, then the SMS as providers receive it."""

import pytest

from sms_gateway.core import senders
from sms_gateway.core.senders import SenderRule, decide, destination_countries, kind
from sms_gateway.models import Message, Route
from sms_gateway.models import SenderRule as SenderRuleRow

from .conftest import logto_body

US_NUMBER = "12025550143"  # Washington, DC
CA_NUMBER = "16045550123"  # Vancouver
IN_NUMBER = "919876543210"
DE_NUMBER = "4915123456789"


# --- kind -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sender", "expected"),
    [
        ("", senders.EMPTY),
        ("+15551230000", senders.NUMBER),
        ("15551230000", senders.NUMBER),
        ("12345", senders.SHORT_CODE),
        ("MG" + "a" * 32, senders.SERVICE),
        ("Acme", senders.ALPHANUMERIC),
        ("ACME1", senders.ALPHANUMERIC),
        ("+Acme", senders.ALPHANUMERIC),
    ],
)
def test_kind_of_sender(sender, expected):
    assert kind(sender) == expected


# --- decide: the US and Canada never get an alphanumeric sender -----------------------


@pytest.mark.parametrize("country", ["US", "CA"])
def test_alphanumeric_to_us_or_canada_goes_with_the_rules_number(country):
    rules = [SenderRule(country, number="+15551230000")]
    choice = decide(country, "twilio", "Acme", "", rules)
    assert choice.sender == "+15551230000"
    assert choice.usable
    assert (
        choice.reason == f"{country} takes no alphanumeric sender: the sender rule's +15551230000"
    )


def test_a_rule_cannot_allow_alphanumeric_to_the_us():
    rules = [SenderRule("US", alphanumeric=True, number="+15551230000")]
    assert decide("US", "twilio", "Acme", "", rules).sender == "+15551230000"


def test_alphanumeric_to_the_us_falls_back_to_the_providers_number():
    choice = decide("US", "twilio", "Acme", "+15005550006")
    assert choice.sender == "+15005550006"
    assert "the provider's default +15005550006" in choice.reason


def test_the_providers_messaging_service_is_a_fallback_too():
    service = "MG" + "0" * 32
    assert decide("US", "twilio", "Acme", service).sender == service


def test_an_alphanumeric_default_to_the_us_is_replaced_too():
    rules = [SenderRule("US", number="+15551230000")]
    assert decide("US", "vonage", "", "Acme", rules).sender == "+15551230000"


def test_no_number_for_the_us_makes_the_provider_unusable():
    choice = decide("US", "vonage", "Acme", "AcmeToo")
    assert not choice.usable
    assert choice.reason == (
        "US takes no alphanumeric sender and vonage has no number for it: "
        "add a sender rule with a number"
    )


def test_a_rules_alphanumeric_number_is_not_a_number():
    choice = decide("US", "vonage", "Acme", "", [SenderRule("US", number="AcmeUS")])
    assert not choice.usable


def test_the_provider_specific_rule_wins_over_the_countrys():
    rules = [
        SenderRule("US", number="+15550000001"),
        SenderRule("US", provider="twilio", number="+15550000002"),
    ]
    assert decide("US", "twilio", "Acme", "", rules).sender == "+15550000002"
    assert decide("US", "vonage", "Acme", "", rules).sender == "+15550000001"


def test_a_rule_of_another_country_does_not_apply():
    rules = [SenderRule("CA", number="+15550000001")]
    assert not decide("US", "vonage", "Acme", "", rules).usable


@pytest.mark.parametrize("sender", ["+15551230000", "12345", "MG" + "b" * 32, ""])
def test_numbers_short_codes_and_services_go_as_they_are(sender):
    choice = decide("US", "twilio", sender, "")
    assert (choice.sender, choice.reason, choice.usable) == (sender, "", True)


def test_argentina_takes_no_alphanumeric_either():
    assert not decide("AR", "twilio", "Acme", "").usable


def test_a_rule_can_refuse_alphanumeric_in_another_country():
    rules = [SenderRule("BR", alphanumeric=False, number="+5511999990000")]
    assert decide("BR", "twilio", "Acme", "", rules).sender == "+5511999990000"


def test_alphanumeric_where_allowed_is_unchanged():
    choice = decide("DE", "vonage", "Acme", "")
    assert (choice.sender, choice.reason, choice.usable) == ("Acme", "", True)


def test_the_route_sender_stays_empty_when_the_default_is_fine():
    assert decide("DE", "vonage", "", "Acme").sender == ""


# --- registered sender IDs and India's DLT ----------------------------------------


def test_an_unregistered_sender_is_replaced_by_the_first_registered():
    rules = [SenderRule("IN", registered=("ACMEIN", "ACMEOT"))]
    choice = decide("IN", "vonage", "Acme", "", rules)
    assert choice.sender == "ACMEIN"
    assert choice.reason == "Acme is not registered in IN: registered ACMEIN"


def test_a_registered_sender_is_kept_whatever_its_case():
    rules = [SenderRule("IN", registered=("ACMEIN", "ACMEOT"))]
    assert decide("IN", "vonage", "acmeot", "", rules) == senders.SenderChoice("acmeot")


def test_dlt_ids_come_from_the_rule_by_type_and_locale():
    rule = SenderRule(
        "IN",
        dlt_entity_id="1101456324675322134",
        dlt_template_ids={"SignIn:hi": "1107000000000000001", "SignIn": "2", "*": "3"},
    )
    assert decide("IN", "vonage", "ACMEIN", "", [rule], "SignIn", "hi").dlt_template_id == (
        "1107000000000000001"
    )
    choice = decide("IN", "vonage", "ACMEIN", "", [rule], "SignIn", "en")
    assert (choice.dlt_entity_id, choice.dlt_template_id) == ("1101456324675322134", "2")
    assert decide("IN", "vonage", "ACMEIN", "", [rule], "Register", "en").dlt_template_id == "3"


def test_no_rule_no_dlt():
    assert decide("IN", "vonage", "ACMEIN", "", [], "SignIn", "en").dlt_entity_id == ""


# --- the countries a route reaches -------------------------------------------------


@pytest.mark.parametrize(
    ("prefix", "country", "expected"),
    [
        ("", "US", {"US"}),
        ("1604", "", {"CA"}),
        ("1202", "", {"US"}),
        ("33", "", {"FR"}),
        ("336", "", {"FR"}),
        ("91", "", {"IN"}),
        ("7", "", {"RU", "KZ"}),
    ],
)
def test_destination_countries(prefix, country, expected):
    assert destination_countries(prefix, country) == frozenset(expected)


def test_the_default_route_and_unknown_codes_reach_anything():
    assert destination_countries("", "") is None
    assert destination_countries("999", "") is None


def test_plus_one_reaches_the_us_and_canada_and_the_caribbean():
    assert {"US", "CA", "JM", "PR"} <= destination_countries("1", "")


# --- through the endpoint -----------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_an_alphanumeric_sender_to_a_us_number_goes_out_with_the_number_sender(api, outbox):
    route = Route.objects.create()  # the default route: every country
    route.hops.create(provider="locmem", sender="Acme")
    SenderRuleRow.objects.create(country="US", number_sender="+15551230000")
    assert api.post(logto_body(to=US_NUMBER)).status_code == 200
    assert api.post(logto_body(to=DE_NUMBER)).status_code == 200
    assert [(sms.to, sms.sender) for _, sms in outbox] == [
        ("+" + US_NUMBER, "+15551230000"),
        ("+" + DE_NUMBER, "Acme"),
    ]
    us = Message.objects.get(to="+" + US_NUMBER)
    assert us.attempts[0]["sender"] == "+15551230000"  # the record says what was sent


@pytest.mark.django_db(transaction=True)
def test_without_a_number_for_the_us_the_route_fails_over_to_a_provider_that_has_one(
    api, outbox, settings
):
    settings.SMS_PROVIDERS = {
        **settings.SMS_PROVIDERS,
        "backup": {"BACKEND": "sms_gateway.providers.locmem.LocmemProvider"},
    }
    route = Route.objects.create()
    route.hops.create(provider="locmem", sender="Acme", position=0)
    route.hops.create(provider="backup", sender="Acme", position=1)
    SenderRuleRow.objects.create(country="US", provider="backup", number_sender="+15551230000")
    response = api.post(logto_body(to=US_NUMBER))
    assert response.status_code == 200
    assert response.json()["provider"] == "backup"
    assert [(alias, sms.sender) for alias, sms in outbox] == [("backup", "+15551230000")]
    attempts = Message.objects.get().attempts
    assert attempts[0]["category"] == "provider_config"
    assert "US takes no alphanumeric sender" in attempts[0]["error"]


@pytest.mark.django_db(transaction=True)
def test_twilio_gets_its_number_instead_of_the_alphanumeric_route_sender(api, providers):
    twilio, _ = providers  # FROM +15005550006
    route = Route.objects.create()
    route.hops.create(provider="twilio", sender="Acme")
    assert api.post(logto_body(to=CA_NUMBER)).status_code == 200
    assert api.post(logto_body(to=DE_NUMBER)).status_code == 200
    assert [(r.form["To"], r.form["From"]) for r in twilio.received] == [
        ("+" + CA_NUMBER, "+15005550006"),
        ("+" + DE_NUMBER, "Acme"),
    ]


@pytest.mark.django_db(transaction=True)
def test_vonage_gets_indias_dlt_entity_and_template_ids(api, providers):
    _, vonage = providers
    route = Route.objects.create()
    route.hops.create(provider="vonage", sender="Acme")
    SenderRuleRow.objects.create(
        country="IN",
        registered_senders="ACMEIN",
        dlt_entity_id="1101456324675322134",
        dlt_template_ids={"SignIn": "1107457532145798767"},
    )
    assert api.post(logto_body(to=IN_NUMBER)).status_code == 200
    assert api.post(logto_body(to=DE_NUMBER)).status_code == 200
    india, germany = vonage.received
    assert india.form["from"] == "ACMEIN"
    assert india.form["entity-id"] == "1101456324675322134"
    assert india.form["content-id"] == "1107457532145798767"
    assert germany.form["from"] == "Acme"
    assert "entity-id" not in germany.form and "content-id" not in germany.form
