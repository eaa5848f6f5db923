"""Budgets: spend per country and overall, per day and month, and the action at the cap."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
import redis
from django.utils import timezone

from sms_gateway.budgets import prices, spend
from sms_gateway.core import budgets
from sms_gateway.core.budgets import Cap
from sms_gateway.models import Budget, Message, Route
from sms_gateway.ops import metrics

from .conftest import logto_body
from .services import require_redis

BUDGET = ["sms_gateway.fraud.steps.budget"]
ESSENTIAL = frozenset({"SignIn", "MfaVerification"})
NOW = datetime(2026, 12, 1, 15, 30, tzinfo=UTC)
DE_NUMBER = "4915123456789"
FR_NUMBER = "33612345678"


@pytest.fixture(autouse=True)
def fresh_spend():
    spend.reset()
    yield
    spend.reset()


@pytest.fixture
def priced(settings):
    settings.SMS_GUARD = BUDGET
    settings.SMS_PRICE_CURRENCY = "USD"
    settings.SMS_CURRENCY_RATES = {"EUR": "1.10"}
    settings.SMS_PRICES = {"locmem": {"DE": "0.10 EUR", "*": "0.05 USD"}}
    return settings


def cap(scope="DE", period=budgets.DAY, amount="1", action=budgets.REFUSE, alert=0.8):
    return Cap(scope, period, budgets.to_micros(Decimal(amount)), alert, action)


# --- the pure decisions --------------------------------------------------------------


def test_periods_are_utc_days_and_months():
    local = datetime(2026, 12, 1, 0, 30, tzinfo=UTC).astimezone(
        __import__("zoneinfo").ZoneInfo("Europe/Berlin")
    )
    assert budgets.period_ids(local) == {"day": "2026-12-01", "month": "2026-12"}
    assert budgets.period_end("day", NOW) == datetime(2026, 12, 2, tzinfo=UTC)
    assert budgets.period_end("month", NOW) == datetime(2027, 1, 1, tzinfo=UTC)
    assert budgets.period_end("month", datetime(2026, 1, 31, 23, tzinfo=UTC)).month == 2


def test_every_sms_counts_in_its_country_and_overall_per_day_and_month():
    counters = budgets.counters("DE", NOW, [], "SignIn", ESSENTIAL)
    assert [c.key for c in counters] == [
        "day:2026-12-01:DE",
        "day:2026-12-01:all",
        "month:2026-12:DE",
        "month:2026-12:all",
    ]
    assert not any(c.refuses for c in counters)


@pytest.mark.parametrize(
    ("action", "kind", "refuses"),
    [
        (budgets.ALERT, "Register", False),
        (budgets.ALERT, "SignIn", False),
        (budgets.REFUSE, "SignIn", True),
        (budgets.REFUSE, "Register", True),
        (budgets.ESSENTIAL, "SignIn", False),
        (budgets.ESSENTIAL, "MfaVerification", False),
        (budgets.ESSENTIAL, "Register", True),
        (budgets.ESSENTIAL, "ForgotPassword", True),
        (budgets.ESSENTIAL, "SomethingNew", True),
    ],
)
def test_which_types_a_cap_refuses(action, kind, refuses):
    assert budgets.refuses(cap(action=action), kind, ESSENTIAL) is refuses


def test_a_cap_refuses_the_sms_that_would_pass_it():
    counters = budgets.counters("DE", NOW, [cap(amount="1")], "SignIn", ESSENTIAL)
    one = budgets.to_micros(Decimal("0.25"))
    assert budgets.refusing([3 * one, 0, 0, 0], one, counters) is None  # reaches it exactly
    assert budgets.refusing([3 * one + 1, 0, 0, 0], one, counters) == 0


def test_an_alert_only_cap_never_refuses():
    counters = budgets.counters("DE", NOW, [cap(action=budgets.ALERT)], "SignIn", ESSENTIAL)
    assert budgets.refusing([10**9, 0, 0, 0], 1, counters) is None


def test_the_overall_month_cap_refuses_too():
    caps = [cap(scope=budgets.ALL, period=budgets.MONTH, amount="2")]
    counters = budgets.counters("FR", NOW, caps, "SignIn", ESSENTIAL)
    assert budgets.refusing([0, 0, 0, 2_000_000], 1, counters) == 3


def test_used_ratio():
    assert budgets.used_ratio(800_000, cap(amount="1")) == 0.8
    assert budgets.used_ratio(0, cap(amount="0")) == 0.0
    assert budgets.used_ratio(1, cap(amount="0")) == 1.0


# --- prices -------------------------------------------------------------------------


def test_price_of_reads_the_country_then_star(priced):
    assert prices.price_of("locmem", "DE") == (Decimal("0.10"), "EUR")
    assert prices.price_of("locmem", "FR") == (Decimal("0.05"), "USD")
    assert prices.price_of("twilio", "DE") is None


def test_cost_converts_and_counts_segments(priced):
    assert prices.cost("locmem", "DE", 2) == Decimal("0.2200")
    assert prices.cost("locmem", "FR", 1) == Decimal("0.05")
    priced.SMS_CURRENCY_RATES = {}
    assert prices.cost("locmem", "DE", 1) is None  # no rate: no comparison across currencies


@pytest.mark.parametrize("text", ["0.05", "abc USD", "-1 USD", "0.05 US", "NaN USD"])
def test_malformed_prices_are_named(settings, text):
    settings.SMS_PRICES = {"twilio": {"US": text}}
    assert prices.problems() == [
        f"SMS_PRICES['twilio']['US']: {text!r} is not '<amount> <currency>', e.g. '0.0083 USD'."
    ]


def test_a_price_currency_without_a_rate_is_named(settings):
    settings.SMS_PRICES = {"vonage": {"*": "0.07 EUR"}}
    settings.SMS_CURRENCY_RATES = {}
    assert prices.problems() == [
        "SMS_PRICES['vonage']['*'] is in EUR: set SMS_CURRENCY_RATES EUR=<its value in USD>."
    ]


# --- the counters, on Redis and in the process -----------------------------------------


def charge(amount="0.25", caps=(), country="DE", kind="SignIn"):
    return spend.charge(
        country, budgets.to_micros(Decimal(amount)), NOW, list(caps), kind, ESSENTIAL
    )


@pytest.mark.parametrize("where", ["redis", "process"])
def test_counted_until_the_cap_then_refused_without_counting(where, settings):
    if where == "redis":
        require_redis()
    else:
        settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    caps = [cap(amount="1")]
    results = [charge(caps=caps) for _ in range(5)]
    assert [r.refused is None for r in results] == [True, True, True, True, False]
    assert results[3].spent == (1_000_000, 1_000_000, 1_000_000, 1_000_000)
    assert results[4].spent == results[3].spent  # the refused SMS spent nothing
    assert results[4].refused.key.endswith("day:2026-12-01:DE")
    # Another country still spends, and counts in the overall counters.
    other = charge(country="FR", caps=caps)
    assert other.refused is None and other.spent == (250_000, 1_250_000, 250_000, 1_250_000)


def test_on_redis_the_counters_expire_after_their_period(settings):
    require_redis()
    charge()
    client = redis.Redis.from_url(settings.CACHES["default"]["LOCATION"])
    day = client.ttl("sms_gateway:spend:day:2026-12-01:DE")
    month = client.ttl("sms_gateway:spend:month:2026-12:DE")
    client.close()
    assert 7 * 86400 < day <= 8 * 86400
    assert 61 * 86400 < month <= 62 * 86400


def test_the_metrics_say_how_much_of_each_cap_is_used():
    caps = [cap(amount="1", alert=0.75), cap(scope="all", period="month", amount="10")]
    charge(amount="0.8", caps=caps)
    used = metrics.BUDGET_USED.labels("DE", "day")._value.get()
    assert used == pytest.approx(0.8)
    assert metrics.BUDGET_ALERT.labels("DE", "day")._value.get() == 0.75
    assert metrics.BUDGET_USED.labels("all", "month")._value.get() == pytest.approx(0.08)
    before = metrics.BUDGET_REFUSALS.labels("DE", "day")._value.get()
    charge(amount="0.8", caps=caps)
    assert metrics.BUDGET_REFUSALS.labels("DE", "day")._value.get() == before + 1


# --- through the endpoint: the action at the cap ---------------------------------------


def statuses(api, count, **body):
    return [api.post(logto_body(**body)).status_code for _ in range(count)]


@pytest.mark.django_db(transaction=True)
def test_a_refuse_all_cap_refuses_every_type_once_reached(api, priced, outbox):
    # 0.10 EUR = 0.11 USD per SMS to DE: a 0.50 USD day cap lets 4 through (0.44).
    Budget.objects.create(country="DE", period="day", cap=Decimal("0.50"), action="refuse")
    assert statuses(api, 6, to=DE_NUMBER) == [200, 200, 200, 200, 403, 403]
    mfa = logto_body(to=DE_NUMBER, type="MfaVerification")
    assert api.post(mfa).status_code == 403
    assert api.post(logto_body(to=FR_NUMBER)).status_code == 200  # another country
    assert len(outbox) == 5
    refused = Message.objects.filter(status="rejected")
    assert refused.count() == 3
    assert {m.error for m in refused} == {
        "guard: budget:DE:day: SMS cannot be sent to this number."
    }


@pytest.mark.django_db(transaction=True)
def test_an_essential_cap_still_sends_sign_in_and_mfa_codes(api, priced, outbox):
    Budget.objects.create(country="", period="month", cap=Decimal("0.30"), action="essential")
    assert statuses(api, 2, to=FR_NUMBER, type="Register") == [200, 200]  # 0.10 USD
    # Sign-in codes go on past the cap: 0.10 + 5 x 0.05 = 0.35 USD.
    assert statuses(api, 5, to=FR_NUMBER, type="SignIn") == [200] * 5
    assert statuses(api, 1, to=FR_NUMBER, type="Register") == [403]
    assert statuses(api, 1, to=DE_NUMBER, type="ForgotPassword") == [403]
    assert statuses(api, 1, to=DE_NUMBER, type="MfaVerification") == [200]
    assert len(outbox) == 8


@pytest.mark.django_db(transaction=True)
def test_an_alert_only_cap_sends_everything_and_says_so_in_the_metric(api, priced, outbox):
    Budget.objects.create(country="FR", period="day", cap=Decimal("0.10"), action="alert")
    assert statuses(api, 4, to=FR_NUMBER, type="Register") == [200] * 4
    assert metrics.BUDGET_USED.labels("FR", "day")._value.get() == pytest.approx(2.0)


@pytest.mark.django_db(transaction=True)
def test_a_refused_sms_is_not_counted_and_an_unpriced_one_passes(api, priced, outbox):
    priced.SMS_PRICES = {}
    Budget.objects.create(country="", period="day", cap=Decimal("0"), action="refuse")
    before = metrics.SPEND_UNPRICED.labels("locmem", "DE")._value.get()
    assert statuses(api, 2, to=DE_NUMBER) == [200, 200]
    assert metrics.SPEND_UNPRICED.labels("locmem", "DE")._value.get() == before + 2


@pytest.mark.django_db(transaction=True)
def test_a_blocked_route_spends_nothing(api, priced):
    Route.objects.create(prefix="49")  # no providers
    Budget.objects.create(country="DE", period="day", cap=Decimal("0.11"), action="refuse")
    assert statuses(api, 2, to=DE_NUMBER) == [400, 400]
    today = budgets.period_ids(timezone.now())["day"]
    assert spend.read([f"{spend.KEY_PREFIX}day:{today}:DE"]) == [0]
    Route.objects.filter(prefix="49").delete()
    assert statuses(api, 1, to=DE_NUMBER) == [200]
    assert spend.read([f"{spend.KEY_PREFIX}day:{today}:DE"]) == [110_000]


# --- the send path's cost ------------------------------------------------------------


def send(to=DE_NUMBER):
    from sms_gateway import sending
    from sms_gateway.core.phone import parse

    return sending.send(
        sending.SmsRequest(to=parse(to), type="SignIn", payload={"code": "123456", "locale": "en"})
    )


@pytest.mark.django_db
def test_a_budgeted_sms_still_costs_two_statements_and_one_redis_round_trip(
    priced, outbox, settings
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    require_redis()
    settings.SMS_CATALOG_CHECK_INTERVAL = 3600
    Budget.objects.create(country="DE", period="day", cap=Decimal("100"), action="refuse")
    client = redis.Redis.from_url(settings.CACHES["default"]["LOCATION"])

    def commands() -> dict[str, int]:
        stats = client.info("commandstats")
        return {k: v["calls"] for k, v in stats.items() if k != "cmdstat_info"}

    send()  # loads the snapshot and the script
    before = commands()
    with CaptureQueriesContext(connection) as ctx:
        outcome = send()
    after = commands()
    assert outcome.status == "sent"
    assert [q["sql"].split()[0].upper() for q in ctx.captured_queries] == ["INSERT", "UPDATE"]
    changed = {k: after[k] - before.get(k, 0) for k in after if after[k] != before.get(k, 0)}
    # One EVALSHA; inside it, Redis counts the script's own GET, INCRBY and EXPIRE calls.
    assert changed.pop("cmdstat_evalsha") == 1
    assert set(changed) <= {"cmdstat_get", "cmdstat_incrby", "cmdstat_expire"}
    priced.SMS_PRICES = {}
    before = commands()
    assert send().status == "sent"
    assert commands() == before  # unpriced: no round trip at all
    client.close()


@pytest.mark.parametrize("where", ["redis", "process"])
def test_concurrent_sms_never_spend_past_a_refusing_cap(where, settings):
    from concurrent.futures import ThreadPoolExecutor

    if where == "redis":
        require_redis()
    else:
        settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    caps = [cap(scope="all", period=budgets.MONTH, amount="1")]
    with ThreadPoolExecutor(max_workers=16) as pool:
        results = list(pool.map(lambda _: charge(amount="0.1", caps=caps), range(50)))
    assert sum(r.refused is None for r in results) == 10
    assert max(r.spent[3] for r in results) == 1_000_000


def test_imported_prices_stand_behind_sms_prices(priced):
    imported = {("locmem", "FR"): (Decimal("0.04"), "USD"), ("vonage", "DE"): (Decimal("1"), "EUR")}
    assert prices.price_of("locmem", "DE", imported) == (Decimal("0.10"), "EUR")  # override
    priced.SMS_PRICES = {}
    assert prices.price_of("locmem", "FR", imported) == (Decimal("0.04"), "USD")
    assert prices.price_of("locmem", "DE", imported) is None
    assert prices.cost("vonage", "DE", 2, imported) == Decimal("2.20")


@pytest.mark.django_db(transaction=True)
def test_a_cap_counts_the_price_list_import_prices_brought_in(api, settings, outbox):
    from django.utils import timezone as tz

    from sms_gateway.models import Price

    settings.SMS_GUARD = BUDGET
    settings.SMS_PRICES = {}  # no override: the imported list is the price
    Price.objects.create(
        provider="locmem", country="DE", amount=Decimal("0.20"), currency="USD",
        source="csv", fetched_at=tz.now(),
    )  # fmt: skip
    Budget.objects.create(country="DE", period="day", cap=Decimal("0.50"), action="refuse")
    assert statuses(api, 3, to=DE_NUMBER) == [200, 200, 403]  # 0.20 + 0.20, then past 0.50
    assert len(outbox) == 2
