"""Whose delivery receipts the dashboard can count: a rate only where one is measured.

A delivery rate is delivered receipts / SMS sent. For a provider whose receipts
never reach the gateway that reads 0 %, and mixed with another provider's SMS
it drags their rate down: 4.8 % where the one provider with receipts delivered
93 %. So a provider's SMS count in a rate only when its
receipts reach the gateway: it sent at least one final receipt (delivered,
undelivered, dropped) in the range shown. One that did not is left out, with
the reason its settings give (``setup_problem``: no receipt webhook, no
``SMS_PUBLIC_BASE_URL`` nor STATUS_CALLBACK / CALLBACK, a Vonage alias without
its secret in ``SMS_VONAGE_SIGNATURES``) or, configured as it should be, "none
received in this range".

``setup_problem`` and ``decide`` are pure; ``setup_problems`` reads the settings.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

# In the operator's words (no setting names on the screens): README, "Delivery receipts
# and conversion", names the settings behind each.
NO_WEBHOOK = "this provider sends no receipts"
NO_URL = "the gateway's public address is not set: no SMS says where to send receipts"
NO_SECRET = "its signature secret is not set: its receipts are refused"
MISCONFIGURED = "its settings are invalid (the startup checks say why)"
NONE_RECEIVED = "none received in this range"

# The option that names an alias's receipt URL explicitly, per provider backend.
CALLBACK_OPTIONS = ("STATUS_CALLBACK", "CALLBACK")


def setup_problem(
    webhook: str, base_url: str, explicit_url: str, needs_secret: bool, has_secret: bool
) -> str:
    """Why an alias's receipts cannot reach the gateway, '' when they can.

    ``webhook``: the provider's receipt webhook ('' = none, as the console's);
    ``explicit_url``: its STATUS_CALLBACK / CALLBACK option; ``needs_secret``: its
    receipts are refused without a signature secret (Vonage), ``has_secret``: one is set.
    """
    if not webhook:
        return NO_WEBHOOK
    if not (base_url or explicit_url):
        return NO_URL
    if needs_secret and not has_secret:
        return NO_SECRET
    return ""


def setup_problems() -> dict[str, str]:
    """Every configured alias: why its receipts cannot reach the gateway ('' when they can)."""
    from ..providers import get_provider

    problems = {}
    for alias in settings.SMS_PROVIDERS:
        try:
            provider = get_provider(alias)  # built once per process, as the send path's
        except ImproperlyConfigured:
            problems[alias] = MISCONFIGURED
            continue
        config = getattr(provider, "config", {})
        signing = settings.SMS_VONAGE_SIGNATURES.get(alias)
        problems[alias] = setup_problem(
            webhook=provider.receipts,
            base_url=settings.SMS_PUBLIC_BASE_URL,
            explicit_url=next((config[o] for o in CALLBACK_OPTIONS if config.get(o)), ""),
            needs_secret=provider.receipts == "vonage",
            has_secret=isinstance(signing, dict) and bool(signing.get("SECRET")),
        )
    return problems


@dataclass(frozen=True)
class Receipts:
    """Whose SMS count in the delivery rates of a range."""

    measured: frozenset[str] = frozenset()  # providers with receipts in the range
    missing: dict[str, str] = field(default_factory=dict)  # provider -> why none; sent some

    def reason(self, provider: str) -> str:
        return self.missing.get(provider, "")


def decide(
    sent: Mapping[str, int], receipted: Mapping[str, int], problems: Mapping[str, str]
) -> Receipts:
    """From each provider's SMS sent and final receipts in the range, and the settings'
    ``problems`` (alias -> ``setup_problem``; an alias no longer configured has none):
    a provider with a receipt is measured, whatever its settings say now (receipts can
    also come through an account-wide setting); one that sent SMS without any is not."""
    measured, missing = set(), {}
    for provider, count in sorted(sent.items()):
        if receipted.get(provider):
            measured.add(provider)
        elif count:
            missing[provider] = problems.get(provider) or NONE_RECEIVED
    return Receipts(frozenset(measured), missing)
