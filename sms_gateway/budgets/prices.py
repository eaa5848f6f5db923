"""The price of one SMS segment per provider alias and country, in budget currency.

The one place spend asks for a price: ``price_of(provider, country)``. It reads
``SMS_PRICES`` (``{"twilio": {"US": "0.0083 USD", "*": "0.05 USD"}}``); the
imported price lists of route modes can stand behind the same function.
"""

from __future__ import annotations

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


def price_of(provider: str, country: str) -> tuple[Decimal, str] | None:
    """The price of one segment to ``country`` through ``provider``, with its currency."""
    table = settings.SMS_PRICES.get(provider)
    if not isinstance(table, dict):
        return None
    text = table.get(country) or table.get("*")
    if not text:
        return None
    try:
        return parse(text)
    except PriceError:
        return None  # check E050 names it at startup


def in_budget_currency(amount: Decimal, currency: str) -> Decimal | None:
    """``amount`` converted with ``SMS_BUDGET_RATES``; None without a rate."""
    if currency == settings.SMS_BUDGET_CURRENCY:
        return amount
    rate = settings.SMS_BUDGET_RATES.get(currency)
    if rate is None:
        return None
    try:
        return amount * Decimal(str(rate))
    except InvalidOperation:
        return None


def cost(provider: str, country: str, segments: int) -> Decimal | None:
    """What an SMS of ``segments`` costs in budget currency; None when unknown."""
    price = price_of(provider, country)
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
                    f"SMS_PRICES[{alias!r}][{country!r}] is in {currency}: set SMS_BUDGET_RATES "
                    f"{currency}=<its value in {settings.SMS_BUDGET_CURRENCY}>."
                )
    for currency, rate in settings.SMS_BUDGET_RATES.items():
        try:
            ok = Decimal(str(rate)) > 0
        except InvalidOperation:
            ok = False
        if not ok:
            found.append(f"SMS_BUDGET_RATES {currency}={rate} is not a positive number.")
    return found
