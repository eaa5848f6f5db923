"""Which sender an SMS goes out with, per destination country and provider, and why.

A route names one sender per provider; countries have rules of their own
(providers.md): carriers in the US and Canada drop alphanumeric senders, so
they never get one whatever an operator configures; other countries take only
sender IDs registered with their regulator (India's DLT, Spain, Australia, Saudi
Arabia, the UAE, Turkey...). Operators describe those with sender rules per
country (optionally per provider alias): alphanumeric allowed or not, the sender
IDs registered there, the number to use instead of an alphanumeric sender, and
India's DLT entity and template IDs. ``decide`` applies them to one SMS; pure.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

# Carriers drop alphanumeric senders: never sent one, whatever a rule says.
NEVER_ALPHANUMERIC = frozenset({"US", "CA"})
# No alphanumeric sender either (providers.md; Puerto Rico is on US carriers); a rule
# may add countries, never remove these.
NO_ALPHANUMERIC = NEVER_ALPHANUMERIC | frozenset({"AR", "PR"})
# Sender IDs must be registered there before use (providers.md): a route's
# alphanumeric sender to one of these deserves a rule listing the registered IDs.
REGISTRATION_REQUIRED = frozenset({"IN", "ES", "AU", "SA", "AE", "TR"})

_MESSAGING_SERVICE = re.compile(r"^MG[0-9a-fA-F]{32}$")

EMPTY, NUMBER, SHORT_CODE, SERVICE, ALPHANUMERIC = (
    "empty",
    "number",
    "short_code",
    "messaging_service",
    "alphanumeric",
)


def kind(sender: str) -> str:
    """What a sender is: a number (E.164, or 9+ digits), a short code (up to 8 digits),
    a Twilio Messaging Service (MG...), or alphanumeric (anything with a letter)."""
    if not sender:
        return EMPTY
    if _MESSAGING_SERVICE.match(sender):
        return SERVICE
    digits = sender[1:] if sender.startswith("+") else sender
    if digits.isdigit():
        return NUMBER if sender.startswith("+") or len(digits) > 8 else SHORT_CODE
    return ALPHANUMERIC


@dataclass(frozen=True)
class SenderRule:
    """What one country allows, for one provider alias ('' = every alias)."""

    country: str
    provider: str = ""
    alphanumeric: bool = True  # False: no alphanumeric sender to this country
    registered: tuple[str, ...] = ()  # sender IDs registered for this country
    number: str = ""  # sent instead of an alphanumeric sender where one is not allowed
    dlt_entity_id: str = ""  # India (DLT): the principal entity ID
    # India (DLT): template ID per "Type:locale", "Type" or "*", best match first
    dlt_template_ids: Mapping[str, str] = field(default_factory=dict)

    def dlt_template_id(self, message_type: str, locale: str) -> str:
        ids = self.dlt_template_ids
        for key in (f"{message_type}:{locale}", message_type, "*"):
            if ids.get(key):
                return ids[key]
        return ""


@dataclass(frozen=True)
class SenderChoice:
    """The sender to send with ('' = the provider's default) and why it differs from
    the configured one ('' when it does not). ``usable`` False: this provider has no
    sender this country accepts; the SMS must not go through it."""

    sender: str
    reason: str = ""
    usable: bool = True
    dlt_entity_id: str = ""
    dlt_template_id: str = ""


def rule_for(rules: Iterable[SenderRule], country: str, provider: str) -> SenderRule | None:
    """The rule of this provider alias in this country, else the country's general one."""
    general = None
    for rule in rules:
        if rule.country != country:
            continue
        if rule.provider == provider:
            return rule
        if not rule.provider:
            general = rule
    return general


def alphanumeric_allowed(country: str, rule: SenderRule | None) -> bool:
    return country not in NO_ALPHANUMERIC and (rule is None or rule.alphanumeric)


def decide(
    country: str,
    provider: str,
    sender: str,
    default: str,
    rules: Iterable[SenderRule] = (),
    message_type: str = "",
    locale: str = "",
) -> SenderChoice:
    """The sender for one SMS to ``country`` through ``provider``.

    ``sender``: the route's for this provider ('' = none); ``default``: what the
    provider sends with when the route gives none (its FROM, or a Messaging Service).
    """
    rule = rule_for(rules, country, provider)
    dlt = {}
    if rule is not None:
        dlt = {
            "dlt_entity_id": rule.dlt_entity_id,
            "dlt_template_id": rule.dlt_template_id(message_type, locale),
        }
    effective = sender or default
    if kind(effective) != ALPHANUMERIC:
        return SenderChoice(sender, **dlt)
    if not alphanumeric_allowed(country, rule):
        why = f"{country} takes no alphanumeric sender"
        if rule is not None and rule.number and kind(rule.number) != ALPHANUMERIC:
            return SenderChoice(rule.number, f"{why}: the sender rule's {rule.number}", **dlt)
        if kind(default) in (NUMBER, SHORT_CODE, SERVICE):
            return SenderChoice(default, f"{why}: the provider's default {default}", **dlt)
        return SenderChoice(
            sender,
            f"{why} and {provider} has no number for it: add a sender rule with a number",
            usable=False,
            **dlt,
        )
    if rule is not None and rule.registered:
        registered = {r.casefold(): r for r in rule.registered}
        if effective.casefold() not in registered:
            chosen = rule.registered[0]
            return SenderChoice(
                chosen, f"{effective} is not registered in {country}: registered {chosen}", **dlt
            )
    return SenderChoice(sender, **dlt)


def destination_countries(prefix: str, country: str) -> frozenset[str] | None:
    """The countries a route reaches: its country, or those of its prefix's calling
    code (``1`` is all of North America; with an area code, ``1604``, the one country
    it belongs to); None for the default route and a prefix of no calling code."""
    import phonenumbers

    if country:
        return frozenset({country})
    for size in (1, 2, 3):
        if len(prefix) < size:
            return None
        regions = phonenumbers.region_codes_for_country_code(int(prefix[:size]))
        if regions and regions != ("ZZ",):
            break
    else:
        return None
    national = prefix[size:]
    if len(regions) > 1 and len(national) >= 3:
        # A shared calling code: three more digits (an area code) name one country.
        number = phonenumbers.parse("+" + prefix[:size] + (national + "5550123")[:10], None)
        region = phonenumbers.region_code_for_number(number)
        if region:
            return frozenset({region})
    return frozenset(regions)


@dataclass(frozen=True)
class Problem:
    level: str  # "error": refused in the route editor, an error at startup; or "warning"
    message: str


def route_problems(
    prefix: str,
    country: str,
    provider: str,
    sender: str,
    default: str,
    rules: Iterable[SenderRule] = (),
) -> list[Problem]:
    """What is wrong with sending from ``sender`` (else the provider's ``default``)
    through ``provider`` on the route of ``prefix``/``country``, and why."""
    rules = tuple(rules)
    reached = destination_countries(prefix, country)
    effective = sender or default
    if kind(effective) != ALPHANUMERIC:
        return []
    found = []
    no_alpha = sorted(
        c
        for c in (reached if reached is not None else NO_ALPHANUMERIC)
        if not alphanumeric_allowed(c, rule_for(rules, c, provider))
    )
    if sender and reached and set(reached) <= set(no_alpha):
        names = ", ".join(no_alpha)
        found.append(
            Problem(
                "error",
                f"{names} take{'s' if len(no_alpha) == 1 else ''} no alphanumeric sender "
                f"(carriers drop it): give a number, a short code or a Messaging Service SID.",
            )
        )
    else:
        stuck = [c for c in no_alpha if not decide(c, provider, sender, default, rules).usable]
        if stuck:
            found.append(
                Problem(
                    "warning",
                    f"{', '.join(stuck)} take no alphanumeric sender and {provider} has no "
                    f"number for {'it' if len(stuck) == 1 else 'them'}: SMS there fail over to "
                    f"the next provider; add a sender rule with a number.",
                )
            )
    if reached is not None and len(reached) == 1:
        (place,) = reached
        rule = rule_for(rules, place, provider)
        registered = {r.casefold() for r in rule.registered} if rule is not None else set()
        if registered and place not in no_alpha and effective.casefold() not in registered:
            found.append(
                Problem(
                    "error",
                    f"{effective} is not a sender ID registered for {place} "
                    f"(registered: {', '.join(rule.registered)}).",
                )
            )
    unregistered = sorted(
        c
        for c in (reached if reached is not None else REGISTRATION_REQUIRED)
        if c in REGISTRATION_REQUIRED
        and c not in no_alpha
        and not getattr(rule_for(rules, c, provider), "registered", ())
    )
    if unregistered:
        found.append(
            Problem(
                "warning",
                f"{', '.join(unregistered)} take only registered sender IDs: add a sender rule "
                f"listing those registered for {provider}, or carriers may drop {effective}.",
            )
        )
    return found
