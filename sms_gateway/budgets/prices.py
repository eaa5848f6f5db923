"""The price of one SMS segment per provider alias and country, in budget currency.

The one place spend asks for a price: ``price_of(provider, country, imported)``.
``SMS_PRICES`` (``{"twilio": {"US": "0.0083 USD", "*": "0.05 USD"}}``) comes first,
an operator's override; then the price lists ``import_prices`` brought in (Twilio's
and Vonage's, or a CSV: the ``Price`` table, in the per-process snapshot).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation

from django.conf import settings


class PriceError(ValueError):
    pass


def parse(text: str) -> tuple[Decimal, str]:
    """'0.0083 USD' -> (Decimal('0.0083'), 'USD')."""
    amount, _, currency = str(text).strip().partition(" ")
    currency = currency.strip().upper()
    try:
        value = Decimal(amount)
    except InvalidOperation as err:
        raise PriceError(f"{text!r} is not '<amount> <currency>', e.g. '0.0083 USD'") from err
    if not value.is_finite() or value < 0 or len(currency) != 3 or not currency.isalpha():
        raise PriceError(f"{text!r} is not '<amount> <currency>', e.g. '0.0083 USD'")
    return value, currency


def price_of(
    provider: str, country: str, imported: Mapping[tuple[str, str], tuple[Decimal, str]] = {}
) -> tuple[Decimal, str] | None:
    """The price of one segment to ``country`` through ``provider``, with its currency:
    ``SMS_PRICES`` first, then the imported price list."""
    table = settings.SMS_PRICES.get(provider)
    text = (table.get(country) or table.get("*")) if isinstance(table, dict) else None
    if text:
        try:
            return parse(text)
        except PriceError:
            return None  # check E050 names it at startup
    return imported.get((provider, country))


def in_budget_currency(amount: Decimal, currency: str) -> Decimal | None:
    """``amount`` converted with ``SMS_CURRENCY_RATES``; None without a rate."""
    if currency == settings.SMS_PRICE_CURRENCY:
        return amount
    rate = settings.SMS_CURRENCY_RATES.get(currency)
    if rate is None:
        return None
    try:
        return amount * Decimal(str(rate))
    except InvalidOperation:
        return None


def cost(
    provider: str,
    country: str,
    segments: int,
    imported: Mapping[tuple[str, str], tuple[Decimal, str]] = {},
) -> Decimal | None:
    """What an SMS of ``segments`` costs in budget currency; None when unknown."""
    price = price_of(provider, country, imported)
    if price is None:
        return None
    converted = in_budget_currency(*price)
    return None if converted is None else converted * max(segments, 1)


def problems() -> list[str]:
    """One line per price or rate that cannot be used (startup check E050)."""
    found = []
    if not isinstance(settings.SMS_PRICES, dict):
        return ["SMS_PRICES must be a JSON object: {alias: {country or '*': '0.0083 USD'}}."]
    for alias, table in settings.SMS_PRICES.items():
        if not isinstance(table, dict):
            found.append(f"SMS_PRICES[{alias!r}] must be an object of country -> price.")
            continue
        for country, text in table.items():
            try:
                _, currency = parse(text)
            except PriceError as err:
                found.append(f"SMS_PRICES[{alias!r}][{country!r}]: {err}.")
                continue
            if in_budget_currency(Decimal(1), currency) is None:
                found.append(
                    f"SMS_PRICES[{alias!r}][{country!r}] is in {currency}: set SMS_CURRENCY_RATES "
                    f"{currency}=<its value in {settings.SMS_PRICE_CURRENCY}>."
                )
    for currency, rate in settings.SMS_CURRENCY_RATES.items():
        try:
            ok = Decimal(str(rate)) > 0
        except InvalidOperation:
            ok = False
        if not ok:
            found.append(f"SMS_CURRENCY_RATES {currency}={rate} is not a positive number.")
    return found
