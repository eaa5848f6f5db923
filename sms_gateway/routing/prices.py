"""Prices per provider × country (and per mobile network), imported from the providers'
price lists through their SDKs, or from a CSV; read by the least-cost plan and the
route editor.

A country's row (``network`` empty) is the estimate used per SMS: Vonage's
``defaultPrice``; for Twilio, which has none, the price most of the country's mobile
networks charge (the highest of those on a tie). Per-network rows are kept for the
record. A segment is priced, not a message.
"""

from __future__ import annotations

import csv
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

import phonenumbers
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ..core.least_cost import Price as Amount
from ..models import Price


@dataclass(frozen=True)
class Row:
    provider: str
    country: str
    network: str
    amount: Decimal
    currency: str


class PriceError(ValueError):
    """A price list or CSV that cannot be read: the import changes nothing."""


def country_of(prefix: str, country: str) -> str:
    """The country a route sends to: its own, or the main country of its prefix's
    calling code ('' for the default route or a prefix shorter than a calling code)."""
    if country:
        return country
    for digits in range(1, 4):
        if len(prefix) >= digits:
            region = phonenumbers.region_code_for_country_code(int(prefix[:digits]))
            if region and region != "ZZ":
                return "" if region == "001" else region
    return ""


def is_stale(fetched_at: datetime, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    return fetched_at < now - timedelta(days=settings.SMS_PRICE_STALE_DAYS)


def current(aliases: Iterable[str], country: str) -> dict[str, Price]:
    """Each alias's country price row, when there is one."""
    if not country:
        return {}
    rows = Price.objects.filter(provider__in=list(aliases), country=country, network="")
    return {row.provider: row for row in rows}


def amount_of(price: Price | None) -> Amount | None:
    return Amount(price.amount, price.currency) if price is not None else None


def _decimal(value: Any) -> Decimal:
    try:
        result = Decimal(str(value).strip())
    except (InvalidOperation, ValueError) as err:
        raise PriceError(f"not a price: {value!r}") from err
    if result < 0 or not result.is_finite():
        raise PriceError(f"not a price: {value!r}")
    return result


def _usual(amounts: list[Decimal]) -> Decimal:
    counts = Counter(amounts)
    top = max(counts.values())
    return max(a for a, n in counts.items() if n == top)


# --- Twilio: Pricing API v1, Messaging --------------------------------------------------


def twilio_rows(alias: str, data: dict[str, Any]) -> list[Row]:
    """Rows from one country's answer (``/v1/Messaging/Countries/{iso}``), as a dict."""
    country = str(data.get("iso_country") or "").upper()
    currency = str(data.get("price_unit") or "").upper()
    if len(country) != 2 or len(currency) != 3:
        raise PriceError(f"{alias}: an answer without a country or currency")
    rows, mobile = [], []
    for carrier in data.get("outbound_sms_prices") or []:
        prices = [p for p in carrier.get("prices") or [] if p.get("number_type") == "mobile"]
        prices = prices or list(carrier.get("prices") or [])
        if not prices:
            continue
        amount = _decimal(prices[0].get("current_price", prices[0].get("base_price")))
        mobile.append(amount)
        network = f"{carrier.get('mcc') or ''}{carrier.get('mnc') or ''}"[:10]
        if network:
            rows.append(Row(alias, country, network, amount, currency))
    if mobile:
        rows.append(Row(alias, country, "", _usual(mobile), currency))
    return rows


def fetch_twilio(alias: str, provider: Any, countries: list[str]) -> Iterator[Row]:
    pricing = provider.client.pricing.v1.messaging
    provider.http.attempt.timeout = 30.0
    if not countries:
        countries = [c.iso_country for c in pricing.countries.list()]
    for country in countries:
        answer = pricing.countries(country).fetch()
        yield from twilio_rows(
            alias,
            {
                "iso_country": answer.iso_country,
                "price_unit": answer.price_unit,
                "outbound_sms_prices": answer.outbound_sms_prices,
            },
        )


# --- Vonage: Account API, pricing ---------------------------------------------------------


VONAGE_PAUSE = 1.0  # seconds between two countries' requests


def vonage_rows(alias: str, answer: Any) -> list[Row]:
    """Rows from one country's answer (``vonage_account`` GetPricingResponse)."""
    country = str(answer.country_code or "").upper()
    currency = str(answer.currency or "").upper()
    if len(country) != 2 or len(currency) != 3:
        raise PriceError(f"{alias}: an answer without a country or currency")
    rows = []
    for network in answer.networks or []:
        if network.price is None:
            continue
        code = str(network.network_code or f"{network.mcc or ''}{network.mnc or ''}")[:10]
        if code:
            rows.append(
                Row(alias, country, code, _decimal(network.price), network.currency or currency)
            )
    if answer.default_price is not None:
        rows.append(Row(alias, country, "", _decimal(answer.default_price), currency))
    return rows


def vonage_client(config: dict[str, Any]) -> Any:
    from vonage_account import Account
    from vonage_http_client import Auth, HttpClient, HttpClientOptions

    http = HttpClient(
        Auth(api_key=config["API_KEY"], api_secret=config["API_SECRET"]),
        HttpClientOptions(rest_host=config["REST_HOST"], timeout=30, max_retries=0),
    )
    http._session.trust_env = False
    if config.get("CA_BUNDLE"):
        http._session.verify = config["CA_BUNDLE"]
    if config.get("PROXY"):
        http._session.proxies = {"http": config["PROXY"], "https": config["PROXY"]}
    return Account(http)


def fetch_vonage(alias: str, provider: Any, countries: list[str]) -> Iterator[Row]:
    from vonage_account import GetCountryPricingRequest, ServiceType

    account = vonage_client(provider.config)
    if not countries:
        for answer in account.get_all_countries_pricing(ServiceType.SMS).countries:
            yield from vonage_rows(alias, answer)
        return
    for i, country in enumerate(countries):
        if i:
            time.sleep(VONAGE_PAUSE)  # its documented limit: about 1 request per second
        answer = account.get_country_pricing(
            GetCountryPricingRequest(country_code=country, type=ServiceType.SMS)
        )
        yield from vonage_rows(alias, answer)


# --- CSV ----------------------------------------------------------------------------------

CSV_COLUMNS = ("provider", "country", "network", "amount", "currency")


def csv_rows(lines: Iterable[str]) -> list[Row]:
    """``provider,country,network,amount,currency`` with that header; network may be empty."""
    reader = csv.DictReader(lines)
    if not reader.fieldnames or any(c not in reader.fieldnames for c in CSV_COLUMNS):
        raise PriceError(f"the CSV needs the columns {', '.join(CSV_COLUMNS)}")
    rows = []
    for number, line in enumerate(reader, start=2):
        country, currency = line["country"].strip().upper(), line["currency"].strip().upper()
        provider = line["provider"].strip()
        if not provider or len(country) != 2 or len(currency) != 3:
            raise PriceError(f"line {number}: provider, country (2 letters), currency (3)")
        try:
            amount = _decimal(line["amount"])
        except PriceError as err:
            raise PriceError(f"line {number}: {err}") from err
        rows.append(Row(provider, country, (line["network"] or "").strip(), amount, currency))
    return rows


def store(rows: Iterable[Row], source: str, now: datetime | None = None) -> int:
    """Write the rows (replacing those of the same provider, country and network)."""
    now = now or timezone.now()
    count = 0
    with transaction.atomic():
        for row in rows:
            Price.objects.update_or_create(
                provider=row.provider,
                country=row.country,
                network=row.network,
                defaults={
                    "amount": row.amount,
                    "currency": row.currency,
                    "source": source,
                    "fetched_at": now,
                },
            )
            count += 1
    return count
