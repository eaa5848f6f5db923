"""Startup checks: a misconfigured gateway refuses to start rather than misbehave."""

from __future__ import annotations

import ipaddress
import os
import sys
from pathlib import Path

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register
from django.core.exceptions import ImproperlyConfigured

# Checks read django.conf.settings only: importing the settings module itself would
# parse the environment again, whatever DJANGO_SETTINGS_MODULE says.


@register(Tags.security, deploy=False)
def check_tokens(app_configs: object = None, **kwargs: object) -> list:
    if settings.SMS_GATEWAY_TOKENS or settings.DEBUG:
        return []
    return [
        Error(
            "SMS_GATEWAY_TOKENS is empty: the SMS endpoint would be open to anyone.",
            hint="Set SMS_GATEWAY_TOKENS to the Authorization value typed in Logto "
            "(e.g. 'Bearer <random>'); several, comma-separated, while rotating.",
            id="sms_gateway.E001",
        )
    ]


@register(deploy=False)
def check_providers(app_configs: object = None, **kwargs: object) -> list:
    from .providers import build_provider

    errors = []
    for alias in settings.SMS_PROVIDERS:
        try:
            build_provider(alias).close()
        except ImproperlyConfigured as err:
            errors.append(Error(str(err), id="sms_gateway.E002"))
    # A receipt URL a provider would refuse for every SMS (Vonage: 100 characters at most).
    from .sending.deliver import receipt_url_problems

    errors += [Error(problem, id="sms_gateway.E002") for problem in receipt_url_problems()]
    for alias in settings.SMS_DEFAULT_PROVIDERS:
        if alias not in settings.SMS_PROVIDERS:
            errors.append(Error(_undefined_alias(alias), id="sms_gateway.E003"))
    if settings.SMS_ATTEMPT_TIMEOUT <= 0 or settings.SMS_DEADLINE < settings.SMS_ATTEMPT_TIMEOUT:
        errors.append(
            Error(
                "SMS_ATTEMPT_TIMEOUT must be > 0 and SMS_DEADLINE at least as long.",
                id="sms_gateway.E004",
            )
        )
    return errors


# The aliases settings.py builds from the environment when SMS_PROVIDERS is not set.
ENV_ALIASES = {"twilio": "TWILIO_ACCOUNT_SID", "vonage": "VONAGE_API_KEY"}


def _undefined_alias(alias: str) -> str:
    """Why an alias is missing, in the terms the operator set: most often not a typo in
    SMS_DEFAULT_PROVIDERS but the variable that creates the alias."""
    defined = ", ".join(sorted(settings.SMS_PROVIDERS)) or "none"
    if os.environ.get("SMS_PROVIDERS"):
        return (
            f"SMS_DEFAULT_PROVIDERS names {alias!r}, which SMS_PROVIDERS does not define "
            f"(defined: {defined})."
        )
    if alias in ENV_ALIASES:
        variable = ENV_ALIASES[alias]
        prefix = variable.split("_")[0] + "_"
        others = sorted(k for k in os.environ if k.startswith(prefix) and os.environ[k])
        also = f" ({', '.join(others)} {'is' if len(others) == 1 else 'are'} set)" if others else ""
        return (
            f"SMS_DEFAULT_PROVIDERS names {alias!r}, but {variable} is not set{also}: "
            f"the {alias!r} alias exists only when {variable} is set."
        )
    return (
        f"SMS_DEFAULT_PROVIDERS names {alias!r}, which is not an alias: without SMS_PROVIDERS "
        f"the aliases are console, twilio (TWILIO_ACCOUNT_SID) and vonage (VONAGE_API_KEY); "
        f"defined now: {defined}."
    )


@register(Tags.security, deploy=False)
def check_production(app_configs: object = None, **kwargs: object) -> list:
    if settings.DEBUG:
        return []
    errors = []
    dev_key = getattr(settings, "INSECURE_DEV_SECRET_KEY", None)
    if dev_key == settings.SECRET_KEY or len(settings.SECRET_KEY) < 50:
        errors.append(
            Error(
                "SECRET_KEY is not set (or too short) while DEBUG is off.",
                hint="Set SECRET_KEY to 50+ random characters, e.g. from "
                "python -c 'import secrets; print(secrets.token_urlsafe(50))'.",
                id="sms_gateway.E010",
            )
        )
    if not settings.ALLOWED_HOSTS:
        errors.append(
            Error(
                "ALLOWED_HOSTS is empty while DEBUG is off: every request would be refused.",
                hint="Set ALLOWED_HOSTS to the gateway's host names, comma-separated.",
                id="sms_gateway.E011",
            )
        )
    if "console" in settings.SMS_DEFAULT_PROVIDERS:
        errors.append(
            Warning(
                "SMS_DEFAULT_PROVIDERS uses the console provider while DEBUG is off: "
                "messages are printed, not sent.",
                id="sms_gateway.W010",
            )
        )
    if (
        "Manifest" in settings.STORAGES["staticfiles"]["BACKEND"]
        and not (Path(settings.STATIC_ROOT) / "staticfiles.json").exists()
    ):
        errors.append(
            Warning(
                f"No collected static files in {settings.STATIC_ROOT}: admin pages will fail.",
                hint="Run setup (sms-gateway setup, or manage.py setup in a checkout) on every "
                "deploy.",
                id="sms_gateway.W012",
            )
        )
    if settings.CACHES["default"]["BACKEND"].endswith("LocMemCache"):
        errors.append(
            Warning(
                "CACHE_URL is local memory while DEBUG is off: template and route edits "
                "reach other worker processes only through a shared cache.",
                hint="Set CACHE_URL=redis://host:6379/0.",
                id="sms_gateway.W011",
            )
        )
    return errors


@register(Tags.security, deploy=False)
def check_webhook_secrets(app_configs: object = None, **kwargs: object) -> list:
    """Receipts and Logto's webhooks are refused without their secret: say so at startup."""
    from urllib.parse import urlsplit

    from django.utils.module_loading import import_string

    problems: list = []
    base = settings.SMS_PUBLIC_BASE_URL
    if base:
        parts = urlsplit(base)
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.query:
            problems.append(
                Error(
                    f"SMS_PUBLIC_BASE_URL = {base!r} is not an absolute URL.",
                    hint="e.g. https://sms.example.com (the providers call receipts under it).",
                    id="sms_gateway.E020",
                )
            )
        elif parts.scheme == "http" and not settings.DEBUG:
            problems.append(
                Warning(
                    "SMS_PUBLIC_BASE_URL is http: receipts would travel in clear.",
                    id="sms_gateway.W021",
                )
            )
    methods = ("md5", "sha1", "sha256", "sha512")
    for alias, signing in settings.SMS_VONAGE_SIGNATURES.items():
        if not isinstance(signing, dict) or (signing.get("METHOD") or "sha256") not in methods:
            problems.append(
                Error(
                    f"SMS_VONAGE_SIGNATURES[{alias!r}] must be "
                    f'{{"SECRET": "...", "METHOD": one of {", ".join(methods)}}}.',
                    id="sms_gateway.E021",
                )
            )
    if not base:
        return problems
    for alias, config in settings.SMS_PROVIDERS.items():
        try:
            backend = import_string(config.get("BACKEND", ""))
        except ImportError:
            continue  # E002 says so
        vonage = is_vonage_backend(backend)
        signing = settings.SMS_VONAGE_SIGNATURES.get(alias)
        if vonage and not (isinstance(signing, dict) and signing.get("SECRET")):
            problems.append(
                Warning(
                    f"Vonage alias {alias!r} has no signature secret: its delivery receipts "
                    "will be refused (403).",
                    hint="Enable signed webhooks in Vonage's dashboard and set "
                    "SMS_VONAGE_SIGNATURES (or VONAGE_SIGNATURE_SECRET for the 'vonage' alias).",
                    id="sms_gateway.W020",
                )
            )
    return problems


# --- Operator controls (issue 10) -------------------------------------------------
@register(Tags.security, deploy=False)
def check_metrics_access(app_configs: object = None, **kwargs: object) -> list:
    """A mistyped network is a startup error, not a 500 on every scrape; loopback behind
    a TLS proxy would let every client through (they all arrive from 127.0.0.1)."""
    problems: list = []
    networks = []
    for entry in settings.METRICS_ALLOWED_NETWORKS:
        try:
            networks.append(ipaddress.ip_network(entry))
        except ValueError as err:
            problems.append(
                Error(
                    f"METRICS_ALLOWED_NETWORKS has {entry!r}: {err}.",
                    hint="Networks as address/prefix with no host bits set, e.g. 10.0.0.0/8, "
                    "or single addresses, comma-separated.",
                    id="sms_gateway.E030",
                )
            )
    behind_proxy = getattr(settings, "SECURE_PROXY_SSL_HEADER", None) is not None
    loopback = [str(n) for n in networks if n.is_loopback]
    if behind_proxy and loopback:
        problems.append(
            Warning(
                f"METRICS_ALLOWED_NETWORKS allows loopback ({', '.join(loopback)}) while "
                "USE_X_FORWARDED_PROTO is on: behind a proxy on the same host every client "
                "arrives from 127.0.0.1, so /metrics would be public.",
                hint="Allow the scraper's own network (e.g. the pod network), or set "
                "METRICS_TOKEN and leave METRICS_ALLOWED_NETWORKS empty.",
                id="sms_gateway.W030",
            )
        )
    return problems


# --- Packaging (issue 16) ----------------------------------------------------------
@register(deploy=False)
def check_shipped_templates(app_configs: object = None, **kwargs: object) -> list:
    """The shipped SMS texts come with the package: without them every SMS answers 500
    ('no template') once the database is set up from them. No database access here."""
    from .catalog.completeness import describe, missing_pairs
    from .catalog.defaults import shipped, shipped_dir

    texts = shipped()
    if not texts:
        level = Warning if settings.DEBUG else Error
        return [
            level(
                f"No shipped SMS texts in {shipped_dir()}: setup would load no template and "
                "every SMS would answer 500.",
                hint="Install the gateway from its wheel or checkout with its templates "
                "(sms_gateway/templates/sms/<locale>.json in an installed package).",
                id="sms_gateway.W040" if settings.DEBUG else "sms_gateway.E040",
            )
        ]
    missing = missing_pairs(texts)
    if missing:
        return [
            Warning(
                f"{len(missing)} shipped (type, locale) pairs have no text in {shipped_dir()}: "
                f"{describe(missing)}.",
                id="sms_gateway.W041",
            )
        ]
    return []


@register(deploy=True)
def check_templates_in_database(app_configs: object = None, **kwargs: object) -> list:
    """check --deploy: a database without any template answers 500 to every SMS. Only
    with --deploy, which an operator runs against the database: other commands never
    wait on it, and setup (which loads them) is never refused for their absence."""
    from django.db import DatabaseError, connection

    from .models import Template

    try:
        if Template._meta.db_table not in connection.introspection.table_names():
            return []  # not migrated yet: setup does it
        empty = not Template.objects.exists()
    except DatabaseError:
        return []  # unreachable: /readyz says so
    if not empty:
        return []
    return [
        Error(
            "The database has no SMS template: every SMS would answer 500 ('no template').",
            hint="Run setup (or load_templates); it loads the shipped texts.",
            id="sms_gateway.E042",
        )
    ]


def is_vonage_backend(backend: object) -> bool:
    """Whether an imported provider backend is (a subclass of) ``VonageProvider``.

    Without importing the Vonage SDK (pydantic, PyJWT, cryptography: some 18 MB per
    worker) when no backend needs it: a subclass has imported its module already.
    """
    module = sys.modules.get("sms_gateway.providers.vonage")
    vonage = getattr(module, "VonageProvider", None)
    return vonage is not None and isinstance(backend, type) and issubclass(backend, vonage)


# The private attributes of vonage-http-client's HttpClient that providers/vonage.py
# sets or reads: the SDK is pinned (pyproject.toml), this says so if a version drops one.
VONAGE_INTERNALS = ("_session", "_adapter", "_timeout", "_last_response")


def vonage_internals_missing(http: object) -> list[str]:
    """What the Vonage adapter relies on that this HttpClient lacks (pure)."""
    import requests

    missing = [name for name in VONAGE_INTERNALS if not hasattr(http, name)]
    session = getattr(http, "_session", None)
    if "_session" not in missing and not isinstance(session, requests.Session):
        missing.append("_session (a requests.Session)")
    return missing


@register(deploy=False)
def check_vonage_sdk(app_configs: object = None, **kwargs: object) -> list:
    from django.utils.module_loading import import_string

    def is_vonage(config: object) -> bool:
        if not isinstance(config, dict):
            return False  # E002 says so
        try:
            backend = import_string(config.get("BACKEND", ""))
        except (ImportError, AttributeError):
            return False  # E002 says so
        return is_vonage_backend(backend)

    if not any(is_vonage(config) for config in settings.SMS_PROVIDERS.values()):
        return []
    from vonage_http_client import Auth, HttpClient

    http = HttpClient(Auth(api_key="check", api_secret="check"))
    missing = vonage_internals_missing(http)
    if hasattr(getattr(http, "_session", None), "close"):
        http._session.close()
    if not missing:
        return []
    return [
        Error(
            "The installed vonage-http-client lacks what the Vonage provider sets on its "
            f"HttpClient: {', '.join(missing)}.",
            hint="Install the SDK versions pyproject.toml pins (pip install the gateway again).",
            id="sms_gateway.E005",
        )
    ]


@register(deploy=False)
def check_budget_prices(app_configs: object = None, **kwargs: object) -> list:
    """Prices and rates spend is counted with (budgets/prices.py)."""
    from .budgets import prices
    from .core.message_types import KNOWN_TYPES

    errors = [Error(problem, id="sms_gateway.E050") for problem in prices.problems()]
    currency = settings.SMS_PRICE_CURRENCY
    if len(currency) != 3 or not currency.isalpha():
        errors.append(
            Error(f"SMS_PRICE_CURRENCY {currency!r} is not a code.", id="sms_gateway.E050")
        )
    unknown = sorted(set(settings.SMS_BUDGET_ESSENTIAL_TYPES) - KNOWN_TYPES)
    if unknown:
        errors.append(
            Warning(
                f"SMS_BUDGET_ESSENTIAL_TYPES names unknown type(s) {', '.join(unknown)}.",
                hint=f"Logto's types: {', '.join(sorted(KNOWN_TYPES))}.",
                id="sms_gateway.W050",
            )
        )
    return errors


@register(deploy=True)
def check_senders_and_budgets(app_configs: object = None, **kwargs: object) -> list:
    """check --deploy, against the database: every route's senders per country (sender
    rules, core/senders.py), and budgets that could never be reached (no price)."""
    from django.db import DatabaseError, connection

    from .core import senders
    from .models import Budget, Route, SenderRule

    try:
        if SenderRule._meta.db_table not in connection.introspection.table_names():
            return []  # not migrated yet
        rules = [
            senders.SenderRule(r.country, r.provider, r.alphanumeric, r.registered, r.number_sender)
            for r in SenderRule.objects.all()
        ]
        routes = list(Route.objects.prefetch_related("hops"))
        budgeted = Budget.objects.filter(enabled=True).exists()
    except DatabaseError:
        return []  # unreachable: /readyz says so
    found = []
    for route in routes:
        for hop in route.hops.all():
            default = _default_sender(hop.provider)
            for problem in senders.route_problems(
                route.prefix, route.country, hop.provider, hop.sender, default, rules
            ):
                # Warnings: the send path copes (a number instead, the registered ID, or
                # failover); the route editor refuses what it can (admin/routes.py).
                where = f"Route {route} via {hop.provider} (sender {hop.sender or default!r})"
                found.append(Warning(f"{where}: {problem.message}", id="sms_gateway.W060"))
    if budgeted:
        aliases = sorted({h.provider for r in routes for h in r.hops.all()})
        aliases = aliases or list(settings.SMS_DEFAULT_PROVIDERS)
        unpriced = [a for a in aliases if not settings.SMS_PRICES.get(a) and a in prices_needed()]
        if unpriced:
            found.append(
                Warning(
                    f"Budgets are set but {', '.join(unpriced)} have no price in SMS_PRICES: "
                    f"their SMS count as 0 (sms_gateway_spend_unpriced_total).",
                    id="sms_gateway.W051",
                )
            )
    return found


def prices_needed() -> set[str]:
    """Aliases that spend money (every one but the console and locmem test providers)."""
    free = ("providers.console.", "providers.locmem.")
    return {
        alias
        for alias, config in settings.SMS_PROVIDERS.items()
        if not any(part in str(config.get("BACKEND", "")) for part in free)
    }


def _default_sender(alias: str) -> str:
    from .providers import build_provider

    try:
        provider = build_provider(alias)
    except ImproperlyConfigured:
        return ""  # check E002 names it
    try:
        return provider.default_sender()
    finally:
        provider.close()


@register(deploy=True)
def check_webhook_keys_readable(app_configs: object = None, **kwargs: object) -> list:
    """check --deploy: a tenant's Logto webhook signing keys stored under a SECRET_KEY
    that is neither the current one nor a fallback; its webhooks would be refused. The
    running workers say so too (an ERROR line, /readyz)."""
    from django.db import DatabaseError, connection

    from .core import sealed
    from .models import Tenant

    try:
        if Tenant._meta.db_table not in connection.introspection.table_names():
            return []
        unreadable = []
        for tenant in Tenant.objects.exclude(logto_webhook_keys=""):
            try:
                tenant.webhook_keys  # noqa: B018
            except sealed.Unreadable:
                unreadable.append(tenant.slug)
    except DatabaseError:
        return []  # unreachable or not migrated: /readyz says so
    if not unreadable:
        return []
    return [
        Warning(
            f"The Logto webhook signing keys of tenant(s) {', '.join(unreadable)} cannot be "
            "decrypted with SECRET_KEY or SECRET_KEY_FALLBACKS: their webhooks are refused.",
            hint="Put the SECRET_KEY they were stored with in SECRET_KEY_FALLBACKS, or enter "
            "the keys again in the admin (Tenants).",
            id="sms_gateway.W070",
        )
    ]
