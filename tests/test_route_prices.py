"""Prices per provider × country: imported from Twilio's and Vonage's price lists through
their SDKs (fake servers on 127.0.0.1), or from a CSV; currency kept; stale flagged."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from sms_gateway.models import Price
from sms_gateway.routing import prices

from .conftest import (
    TWILIO_SID,
    TWILIO_TOKEN,
    VONAGE_KEY,
    VONAGE_SECRET,
    twilio_config,
    vonage_config,
)
from .pricing_fakes import FakeTwilioPricing, FakeVonagePricing

pytestmark = pytest.mark.django_db


@pytest.fixture
def twilio_pricing(settings):
    fake = FakeTwilioPricing(TWILIO_SID, TWILIO_TOKEN)
    fake.countries["DE"] = fake.country(
        "DE",
        "Germany",
        "USD",
        [
            ("Telekom", "262", "01", 0.0905),
            ("Vodafone", "262", "02", "0.0905"),  # a string in some answers
            ("O2", "262", "03", 0.0750),
        ],
    )
    fake.countries["FR"] = fake.country("FR", "France", "USD", [("Orange", "208", "01", 0.0800)])
    settings.SMS_PROVIDERS = {**settings.SMS_PROVIDERS, "twilio": twilio_config(fake)}
    yield fake
    fake.stop()


@pytest.fixture
def vonage_pricing(settings, tls):
    context, ca_file = tls
    fake = FakeVonagePricing(VONAGE_KEY, VONAGE_SECRET, context)
    fake.countries["DE"] = fake.country(
        "DE", "Germany", "49", "0.0820", [("Telekom Deutschland GmbH", "262", "01", "0.0820")]
    )
    fake.countries["FR"] = fake.country("FR", "France", "33", "0.0700", [])
    settings.SMS_PROVIDERS = {
        **settings.SMS_PROVIDERS,
        "vonage": {
            **vonage_config(fake, ca_file),
            "OPTIONS": {**vonage_config(fake, ca_file)["OPTIONS"], "REST_HOST": fake.netloc},
        },
    }
    yield fake
    fake.stop()


def table():
    return {
        (p.provider, p.country, p.network): (p.amount, p.currency, p.source)
        for p in Price.objects.all()
    }


def test_twilio_prices_through_the_sdk(twilio_pricing):
    call_command("import_prices", "twilio", "--country", "de")
    rows = table()
    # The country's estimate: the price most of its mobile networks charge.
    assert rows[("twilio", "DE", "")] == (Decimal("0.09050"), "USD", "twilio")
    assert rows[("twilio", "DE", "26203")] == (Decimal("0.07500"), "USD", "twilio")
    assert len(rows) == 4
    assert twilio_pricing.paths == ["/v1/Messaging/Countries/DE"]


def test_twilio_all_countries_through_the_list(twilio_pricing):
    call_command("import_prices", "twilio")
    assert {c for _, c, _ in table()} == {"DE", "FR"}
    assert twilio_pricing.paths[0].split("?")[0] == "/v1/Messaging/Countries"


def test_vonage_prices_through_the_sdk(vonage_pricing):
    call_command("import_prices", "vonage", "--country", "DE")
    rows = table()
    assert rows[("vonage", "DE", "")] == (Decimal("0.08200"), "EUR", "vonage")
    assert rows[("vonage", "DE", "26201")] == (Decimal("0.08200"), "EUR", "vonage")
    assert vonage_pricing.paths == ["/account/get-pricing/outbound/sms?country=DE"]


def test_vonage_all_countries(vonage_pricing):
    call_command("import_prices", "vonage")
    assert table()[("vonage", "FR", "")] == (Decimal("0.07000"), "EUR", "vonage")


def test_a_refused_price_list_changes_nothing(twilio_pricing, settings):
    Price.objects.create(
        provider="twilio",
        country="DE",
        amount="0.05",
        currency="USD",
        source="csv",
        fetched_at=timezone.now(),
    )
    config = twilio_config(twilio_pricing, AUTH_TOKEN="wrong")
    settings.SMS_PROVIDERS = {**settings.SMS_PROVIDERS, "twilio": config}
    with pytest.raises(CommandError, match="price list not read"):
        call_command("import_prices", "twilio", "--country", "DE")
    assert table() == {("twilio", "DE", ""): (Decimal("0.05000"), "USD", "csv")}


def test_csv_import_and_its_errors(tmp_path):
    good = tmp_path / "prices.csv"
    good.write_text(
        "provider,country,network,amount,currency\n"
        "twilio,de,,0.0905,usd\n"
        "vonage,DE,26201,0.0820,EUR\n"
    )
    call_command("import_prices", "--csv", str(good))
    assert table() == {
        ("twilio", "DE", ""): (Decimal("0.09050"), "USD", "csv"),
        ("vonage", "DE", "26201"): (Decimal("0.08200"), "EUR", "csv"),
    }
    bad = tmp_path / "bad.csv"
    bad.write_text("provider,country,network,amount,currency\ntwilio,DE,,cheap,USD\n")
    with pytest.raises(CommandError, match="line 2: not a price"):
        call_command("import_prices", "--csv", str(bad))
    missing = tmp_path / "missing.csv"
    missing.write_text("provider,country,amount\ntwilio,DE,0.1\n")
    with pytest.raises(CommandError, match="the CSV needs the columns"):
        call_command("import_prices", "--csv", str(missing))


def test_a_provider_without_a_price_list_is_told_to_use_a_csv():
    with pytest.raises(CommandError, match="use --csv"):
        call_command("import_prices", "locmem")
    with pytest.raises(CommandError, match="Give a provider alias"):
        call_command("import_prices", "nobody")


def test_stale_prices_and_the_country_of_a_route(settings):
    settings.SMS_PRICE_STALE_DAYS = 30
    now = timezone.now()
    assert prices.is_stale(now - timedelta(days=31), now)
    assert not prices.is_stale(now - timedelta(days=29), now)
    assert prices.country_of("49", "") == "DE"
    assert prices.country_of("1604", "") == "US"
    assert prices.country_of("", "CA") == "CA"
    assert prices.country_of("", "") == ""


def test_vonage_countries_one_request_a_second(vonage_pricing, monkeypatch):
    import time

    monkeypatch.setattr(prices, "VONAGE_PAUSE", 0.3)
    started = time.monotonic()
    call_command("import_prices", "vonage", "--country", "DE", "--country", "FR")
    assert time.monotonic() - started >= 0.3
    assert len(vonage_pricing.paths) == 2 and {c for _, c, _ in table()} == {"DE", "FR"}
