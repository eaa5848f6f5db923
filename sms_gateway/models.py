from __future__ import annotations

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from .core import sealed
from .core.delivery_status import LABELS as DELIVERY_LABELS
from .core.message_types import MessageType
from .core.tenants import DEFAULT_TENANT_ID

# --- Tenants: one per Logto instance (connector) this gateway serves -------------------

# DEFAULT_TENANT_ID (core/tenants.py): the tenant every install has. An upgrade puts
# every row in it (migration 0012), and SMS_GATEWAY_TOKENS and SMS_LOGTO_WEBHOOK_KEYS
# are its values. Rows created without a tenant belong to it, so a single-tenant
# install reads and writes as it always did.


class Tenant(models.Model):
    """What one Logto connector's ``Authorization`` value opens: its own templates,
    routes, senders, limits, guard policies, safe list, budgets and records."""

    slug = models.SlugField(max_length=40, unique=True, help_text=_("Short name, e.g. staging."))
    name = models.CharField(max_length=100)
    operators = models.OneToOneField(
        "auth.Group",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tenant",
        help_text=_(
            "Staff users in this group see and change only this tenant's objects (their "
            "permissions say which). Staff in no tenant's group work on the default tenant."
        ),
    )
    # Encrypted (core/sealed.py): read with webhook_keys, written with set_webhook_keys.
    logto_webhook_keys = models.TextField(
        _("Logto webhook signing keys"),
        blank=True,
        editable=False,
        help_text=_(
            "Encrypted with a key derived from SECRET_KEY; empty: none. The default tenant "
            "also accepts SMS_LOGTO_WEBHOOK_KEYS."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_default(self) -> bool:
        return self.pk == DEFAULT_TENANT_ID

    @property
    def webhook_keys(self) -> tuple[str, ...]:
        """Its Logto webhook signing keys in clear; sealed.Unreadable when neither
        SECRET_KEY nor a fallback opens them."""
        return sealed.unseal(self.logto_webhook_keys, secret_keys())

    def set_webhook_keys(self, keys: tuple[str, ...] | list[str]) -> None:
        """Its keys from now on (none: no key), encrypted under SECRET_KEY; not saved."""
        self.logto_webhook_keys = sealed.seal(keys, settings.SECRET_KEY)


def secret_keys() -> list[str]:
    """What opens sealed values: SECRET_KEY, then SECRET_KEY_FALLBACKS in order."""
    return [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]


class TenantToken(models.Model):
    """One accepted ``Authorization`` value of a tenant (several while one is rotated),
    kept as its SHA-256 only: the value itself is shown to nobody after it is typed."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="tokens")
    label = models.CharField(max_length=100, blank=True)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["tenant", "created_at"]

    def __str__(self) -> str:
        return self.label or f"token …{self.digest[-6:]}"


def tenant_field(**kwargs: object) -> models.ForeignKey:
    """The owner of a row: the default tenant unless said otherwise."""
    options = {"on_delete": models.PROTECT, "default": DEFAULT_TENANT_ID, "related_name": "+"}
    return models.ForeignKey(Tenant, **{**options, **kwargs})


class Template(models.Model):
    """The text of one message type in one language, as operators edit it."""

    tenant = tenant_field()

    type = models.CharField(max_length=64, choices=MessageType.choices)
    locale = models.CharField(
        max_length=35,
        help_text=_("BCP-47 tag, e.g. en, fr, pt-BR, zh-TW."),
        validators=[RegexValidator(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$", _("Not a BCP-47 tag."))],
    )
    text = models.TextField(
        help_text=_(
            "Placeholders: {{code}}, {{validity}}, {{validityMinutes}} in messages with a code; "
            "{{link}} in OrganizationInvitation; {{locale}}, {{uiLocales}}, "
            "{{application.name}}, {{organization.name}}, {{user.name}}, {{inviter.name}}."
        )
    )
    is_customized = models.BooleanField(
        default=False,
        help_text=_("Edited by an operator: loading the shipped defaults leaves it alone."),
    )
    # The shipped text when an operator last saved this template: the editor says the
    # shipped text changed only when a release changed it after that edit.
    shipped_version = models.TextField(blank=True, default="")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["type", "locale"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "type", "locale"], name="unique_template_type_locale"
            )
        ]

    def __str__(self) -> str:
        return f"{self.type} / {self.locale}"


class RouteMode(models.TextChoices):
    ORDERED = "ordered", _("ordered: providers in order (failover only)")
    WEIGHTED = "weighted", _("weighted: the operator's shares")
    ADAPTIVE = "adaptive", _("adaptive: shares follow measured delivery")
    LEAST_COST = "least_cost", _("least cost above a quality floor")


class Route(models.Model):
    """Which providers, in order, send to numbers under a prefix or in a country."""

    tenant = tenant_field()

    prefix = models.CharField(
        max_length=15,
        blank=True,
        validators=[RegexValidator(r"^\d{1,15}$", _("Digits of the E.164 number, without '+'."))],
        help_text=_("E.164 digits without '+', e.g. 33 or 1604. Longest match wins."),
    )
    country = models.CharField(
        max_length=2,
        blank=True,
        validators=[RegexValidator(r"^[A-Z]{2}$", _("Two-letter ISO country code, e.g. CA."))],
        help_text=_(
            "ISO 3166 country, e.g. CA: for calling codes shared by countries (+1, +7, +44)."
        ),
    )
    description = models.CharField(max_length=200, blank=True)
    mode = models.CharField(
        max_length=12,
        choices=RouteMode.choices,
        default=RouteMode.ORDERED,
        help_text=_("How the first provider is chosen; failover follows in the route's order."),
    )
    floor_delivery = models.FloatField(
        default=0.9,
        help_text=_("Least cost: the minimum delivery rate (0–1) a provider must hold."),
    )
    floor_conversion = models.FloatField(
        default=0.0,
        help_text=_("Least cost: the minimum conversion rate (0–1); 0: not checked."),
    )
    # What the periodic computation decided last (routing/plans.py): shares, order, inputs.
    plan = models.JSONField(default=dict, blank=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["prefix", "country"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "prefix", "country"], name="unique_route_prefix_country"
            )
        ]

    def __str__(self) -> str:
        if self.country:
            return f"country {self.country}"
        return f"+{self.prefix}" if self.prefix else "default route"

    def clean(self) -> None:
        import phonenumbers

        if self.prefix and self.country:
            raise ValidationError(_("Give a prefix or a country, not both."))
        if self.country and not phonenumbers.country_code_for_region(self.country):
            raise ValidationError({"country": _("No phone numbers belong to this country code.")})


class RouteProvider(models.Model):
    route = models.ForeignKey(Route, on_delete=models.CASCADE, related_name="hops")
    position = models.PositiveSmallIntegerField(default=0)
    provider = models.CharField(max_length=64, help_text=_("A provider alias from SMS_PROVIDERS."))
    sender = models.CharField(
        max_length=64,
        blank=True,
        help_text=_(
            "Sender at this provider on this route: a number, an alphanumeric ID or a "
            "Twilio Messaging Service SID (MG...). Empty: the provider's default."
        ),
    )
    weight = models.PositiveIntegerField(
        default=1,
        help_text=_("Weighted: this provider's share of the route; adaptive: its resting point."),
    )

    class Meta:
        ordering = ["route", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["route", "provider"], name="unique_route_provider")
        ]

    def __str__(self) -> str:
        return self.provider

    def clean(self) -> None:
        from .providers import provider_aliases

        if self.provider and self.provider not in provider_aliases():
            raise ValidationError(
                {
                    "provider": _("Unknown provider alias; configured: %s")
                    % ", ".join(provider_aliases())
                }
            )


# What the dashboard and the conversion rate read (see Message.Meta.indexes).
STATS_COLUMNS = [
    *("country", "provider", "status", "delivery_status"),
    *("delivery_ms", "converted_at", "segments", "type"),
    "tenant",  # a tenant's dashboard (and the rollup, per tenant) from the index alone
]


class Message(models.Model):
    """One accepted request from Logto and what became of it. Never holds the code."""

    # No foreign key constraint in the database: PostgreSQL would check it with one more
    # statement per SMS (SELECT ... FOR KEY SHARE on the tenant's row, a MultiXact under
    # concurrency). Tenants are never deleted (PROTECT) and the send path writes only
    # tenants from the snapshot.
    tenant = tenant_field(db_index=False, db_constraint=False)

    class Status(models.TextChoices):
        ACCEPTED = "accepted", _("accepted")  # recorded, not sent yet
        SENT = "sent", _("sent")  # a provider took it
        REJECTED = "rejected", _("rejected")  # the recipient cannot receive it
        FAILED = "failed", _("failed")  # no provider could take it
        # Still "accepted" past its deadline: the process stopped before recording
        # the outcome (see sending/reconcile.py). The provider may have sent it.
        UNKNOWN = "unknown", _("outcome unknown")

    class Refusal(models.TextChoices):
        """The guard step (or send-path check) that refused it: the first word of its reason."""

        NUMBER_TYPE = "number_type", _("number type")
        COUNTRY = "country", _("country policy")
        PREFIX_BLOCKED = "prefix_blocked", _("blocked prefix")
        RATE_LIMITED = "rate_limited", _("rate limit")
        PUMPING = "pumping", _("pumping detector")
        BUDGET = "budget", _("budget")
        ROUTE = "route", _("route blocks the country")
        NO_TEMPLATE = "no_template", _("no template")
        OTHER = "other", _("other")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    to = models.CharField(max_length=16, help_text=_("E.164"))
    country = models.CharField(max_length=3, blank=True)
    type = models.CharField(max_length=64, help_text=_("Type as Logto sent it."))
    template_type = models.CharField(max_length=64, blank=True)
    requested_locale = models.CharField(max_length=100, blank=True)
    ui_locales = models.CharField(max_length=200, blank=True)
    locale = models.CharField(max_length=35, blank=True, help_text=_("Resolved locale."))
    body = models.TextField(blank=True, help_text=_("Rendered text with the code masked."))
    encoding = models.CharField(max_length=8, blank=True)
    segments = models.PositiveSmallIntegerField(default=0)
    route = models.CharField(max_length=40, blank=True, help_text=_("The route chosen."))
    provider = models.CharField(max_length=64, blank=True)
    # Indexed in Meta: receipts look it up by equality only (no pattern-ops twin).
    provider_message_id = models.CharField(max_length=100, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACCEPTED)
    error = models.CharField(max_length=300, blank=True)
    # Why the gateway did not send it, as a word the admin filters on (the error field
    # holds the end user's text): written in the record's one INSERT (sending/finalize.py).
    refusal = models.CharField(max_length=16, blank=True, choices=Refusal.choices)
    ip = models.GenericIPAddressField(null=True, blank=True)
    # Set by the guard for a message it let through but wants seen ("monitored_country").
    flags = models.CharField(max_length=100, blank=True)
    # One entry per provider tried, in order: written with the outcome in the
    # same statement (see sending.attempts.AttemptRecord for the keys).
    attempts = models.JSONField(default=list, blank=True)
    # Why its provider was chosen (mode, shares, draw, scores, price): {} on ordered routes.
    route_reason = models.JSONField(default=dict, blank=True)
    # Indexed by message_stats_idx (created_at first): a plain index of it would be one
    # more index that every INSERT and UPDATE writes and no query needs (0015).
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Delivery receipts and conversion (delivery/ and webhooks/): what became of
    # the SMS after a provider took it. Written only by receipts and Logto's webhooks.
    # Its own words (core/delivery_status.py), none shared with ``status``: a record
    # "sent" reads "at_carrier", then "delivered" or "undelivered".
    delivery_status = models.CharField(
        max_length=12,
        blank=True,
        choices=list(DELIVERY_LABELS.items()),
        help_text=_("Normalized, from the provider's receipts."),
    )
    provider_status = models.CharField(max_length=32, blank=True)
    delivery_error_code = models.CharField(max_length=32, blank=True)
    delivery_updated_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    delivery_ms = models.PositiveIntegerField(
        null=True, blank=True, help_text=_("From the record to the delivered receipt.")
    )
    converted_at = models.DateTimeField(
        null=True, blank=True, help_text=_("Logto reported the sign-in this code was for.")
    )
    # A test SMS sent from the admin, and by whom (admin/test_sms.py); Logto's have neither.
    is_test = models.BooleanField(_("test SMS"), default=False)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The operator who sent this test SMS."),
        db_index=False,  # message_sent_by_idx: test SMS only, not every record
    )

    class Meta:
        ordering = ["-created_at"]
        permissions = [("send_test_sms", "Can send a test SMS (spends money)")]
        # Every index is written by each SMS's INSERT and again by its UPDATE (which
        # changes indexed columns, so it is never HOT): each must serve a query.
        indexes = [
            models.Index(fields=["to", "created_at"]),
            # Receipts find their record (delivery/tracking.py), the admin's search.
            models.Index(fields=["provider_message_id"], name="message_provider_id_idx"),
            # Deleting an operator (SET_NULL): only test SMS have one.
            models.Index(
                fields=["sent_by"],
                condition=models.Q(sent_by__isnull=False),
                name="message_sent_by_idx",
            ),
            # One tenant's records, newest first (its operators' lists and dashboard).
            models.Index(fields=["tenant", "created_at"], name="message_tenant_idx"),
            # The dashboard and the conversion rate read these columns only: on
            # PostgreSQL they are answered from the index (an index-only scan).
            models.Index(
                fields=["created_at"],
                include=STATS_COLUMNS,
                name="message_stats_idx",
            ),
            # The fraud guard's conversion rate for one country.
            models.Index(
                fields=["country", "created_at"],
                include=["provider", "status", "converted_at", "type"],
                name="message_country_idx",
            ),
            # The reconciler's rows (sending/reconcile.py): only those still
            # "accepted", a handful at any time, so its query is an index scan.
            models.Index(
                fields=["created_at"],
                condition=models.Q(status="accepted"),
                name="message_accepted_idx",
            ),
            # The admin's list filters (admin/message_list.py): the newest rows of one
            # value, and their capped count, are a range of one of these.
            *(
                models.Index(fields=[column, "created_at"], name=f"message_{column}_idx")
                for column in ("status", "delivery_status", "type", "provider", "locale")
            ),
            # Refusals only (a small share of the rows): the Messages filter and the
            # guard overview (admin/guard_overview.py) read a range of this index.
            models.Index(
                fields=["refusal", "created_at"],
                condition=~models.Q(refusal=""),
                include=["country", "to"],
                name="message_refusal_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.type} to {self.to} ({self.status})"


class DeliveryDashboard(Message):
    """Not data: the admin entry of the delivery dashboard (admin/dashboard.py)."""

    class Meta:
        proxy = True
        verbose_name = _("delivery dashboard")
        verbose_name_plural = _("delivery dashboard")


class DeliveryStatsDay(models.Model):
    """One closed day of records, per tenant, country and provider: what the dashboard
    reads for days whose receipts and conversions are all in (see dashboard/rollup.py).
    Outlives the records themselves when retention deletes them."""

    day = models.DateField()
    tenant = tenant_field()
    country = models.CharField(max_length=3, blank=True)
    provider = models.CharField(max_length=64, blank=True)
    total = models.PositiveIntegerField(default=0)
    sent = models.PositiveIntegerField(default=0)
    delivered = models.PositiveIntegerField(default=0)
    undelivered = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    segments = models.PositiveIntegerField(default=0)
    converted = models.PositiveIntegerField(default=0)
    # Delivered messages per time-to-delivery bucket (dashboard.rollup.LATENCY_EDGES_MS).
    latency = models.JSONField(default=list, blank=True)
    computed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["day", "tenant", "country", "provider"],
                name="unique_stats_day_tenant_country_provider",
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.country or '?'} {self.provider or '-'}"


# --- Fraud guard (fraud/): what operators tune in the admin, cached per process ----


class RateLimit(models.Model):
    """At most ``limit`` SMS per ``window_seconds`` for each key of a scope."""

    tenant = tenant_field()

    class Scope(models.TextChoices):
        RECIPIENT = "recipient", _("per recipient number")
        IP = "ip", _("per end-user IP (payload ip)")
        PREFIX = "prefix", _("per destination prefix")
        COUNTRY = "country", _("per destination country")
        GLOBAL = "global", _("for the whole gateway")

    scope = models.CharField(max_length=16, choices=Scope.choices)
    limit = models.PositiveIntegerField()
    window_seconds = models.PositiveIntegerField(help_text=_("e.g. 600 for 10 minutes"))
    enabled = models.BooleanField(default=True)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["scope", "window_seconds"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "scope", "window_seconds"], name="unique_rate_limit_scope_window"
            )
        ]

    def __str__(self) -> str:
        return f"{self.limit} per {self.window_seconds} s {self.get_scope_display()}"


class CountryPolicy(models.Model):
    tenant = tenant_field()

    class Action(models.TextChoices):
        ALLOW = "allow", _("allow")
        BLOCK = "block", _("block")
        MONITOR = "monitor", _("monitor (send and flag)")

    country = models.CharField(
        max_length=2,
        validators=[RegexValidator(r"^[A-Z]{2}$", _("Two-letter ISO country code, e.g. FR."))],
    )
    action = models.CharField(
        max_length=8,
        choices=Action.choices,
        help_text=_(
            "Block: every SMS to this country is refused and Logto gets 403 (the user "
            "reads that SMS to their number is not available). Monitor: sent, and the "
            "record flagged monitored_country. A route with no provider also refuses a "
            "country (Routes): it is checked first, and Logto gets 400."
        ),
    )
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["country"]
        verbose_name_plural = _("country policies")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "country"], name="unique_policy_country")
        ]

    def __str__(self) -> str:
        return f"{self.country}: {self.action}"


class BlockedPrefix(models.Model):
    """A destination prefix the pumping guard (or an operator) stopped, until a time."""

    prefix = models.CharField(max_length=15, validators=[RegexValidator(r"^\d{1,15}$")])
    reason = models.CharField(max_length=200)
    evidence = models.JSONField(default=dict, blank=True)
    automatic = models.BooleanField(default=True)
    blocked_at = models.DateTimeField(auto_now_add=True)
    until = models.DateTimeField()
    unblocked_at = models.DateTimeField(null=True, blank=True)
    # Unblocking trusts the prefix until then: the pumping detector does not block it
    # again on the evidence still in its window (the rate limits still apply).
    trusted_until = models.DateTimeField(
        null=True,
        blank=True,
        help_text=_("The pumping detector leaves this prefix alone until then."),
    )
    # False: the detector in monitor mode (SMS_GUARD_PUMPING_MODE=monitor) would have
    # blocked it; recorded to tune the thresholds, nothing is refused.
    enforced = models.BooleanField(default=True)

    class Meta:
        ordering = ["-blocked_at"]
        verbose_name_plural = _("blocked prefixes")

    def __str__(self) -> str:
        return f"+{self.prefix}"


class SafeNumber(models.Model):
    """Testers and uptime monitors: never rate-limited nor stopped by the pumping guard."""

    tenant = tenant_field()

    number = models.CharField(max_length=16, help_text=_("E.164, e.g. +33612345678"))
    note = models.CharField(max_length=200, blank=True)
    bypass_policies = models.BooleanField(
        default=False,
        help_text=_("Also bypass the country and number-type policies."),
    )

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "number"], name="unique_safe_number")
        ]

    def __str__(self) -> str:
        return self.number


# --- Budgets and sender rules (budgets/, core/budgets.py, core/senders.py) ----------


class Budget(models.Model):
    """A spend cap per day or month, for one country or the whole gateway."""

    tenant = tenant_field()

    class Period(models.TextChoices):
        DAY = "day", _("per day (UTC)")
        MONTH = "month", _("per month (UTC)")

    class Action(models.TextChoices):
        ALERT = "alert", _("alert only")
        ESSENTIAL = "essential", _("refuse all but sign-in and MFA codes")
        REFUSE = "refuse", _("refuse all")

    country = models.CharField(
        max_length=2,
        blank=True,
        validators=[RegexValidator(r"^[A-Z]{2}$", _("Two-letter ISO country code, e.g. DE."))],
        help_text=_("ISO 3166 country, e.g. DE; empty: every country together."),
    )
    period = models.CharField(max_length=8, choices=Period.choices)
    cap = models.DecimalField(
        max_digits=14,
        decimal_places=4,
        help_text=_("The most to spend in the period, in SMS_PRICE_CURRENCY."),
    )
    alert_at_percent = models.PositiveSmallIntegerField(
        default=80, help_text=_("The metric alerts past this share of the cap (1–100).")
    )
    action = models.CharField(
        max_length=12,
        choices=Action.choices,
        default=Action.ALERT,
        help_text=_("What happens to an SMS that would take the spend over the cap."),
    )
    enabled = models.BooleanField(default=True)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["country", "period"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "country", "period"], name="unique_budget_country_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self.country or 'all countries'} per {self.period}: {self.cap}"

    def clean(self) -> None:
        if self.cap is not None and self.cap < 0:
            raise ValidationError({"cap": _("A cap is 0 or more.")})
        if not 1 <= (self.alert_at_percent or 0) <= 100:
            raise ValidationError({"alert_at_percent": _("Between 1 and 100.")})


class SenderRule(models.Model):
    """What senders one country takes, for one provider alias or all of them."""

    tenant = tenant_field()

    country = models.CharField(
        max_length=2,
        validators=[RegexValidator(r"^[A-Z]{2}$", _("Two-letter ISO country code, e.g. IN."))],
    )
    provider = models.CharField(
        max_length=64, blank=True, help_text=_("A provider alias; empty: every provider.")
    )
    alphanumeric = models.BooleanField(
        _("alphanumeric senders allowed"),
        default=True,
        help_text=_("Never for the US, Canada, Argentina and Puerto Rico, whatever is ticked."),
    )
    registered_senders = models.CharField(
        max_length=300,
        blank=True,
        help_text=_(
            "Sender IDs registered for this country, comma-separated: an alphanumeric "
            "sender not listed is replaced by the first."
        ),
    )
    number_sender = models.CharField(
        max_length=64,
        blank=True,
        help_text=_("A number or short code of this provider, sent where alphanumeric is not."),
    )
    dlt_entity_id = models.CharField(
        _("DLT entity ID"), max_length=32, blank=True, help_text=_("India: principal entity ID.")
    )
    dlt_template_ids = models.JSONField(
        _("DLT template IDs"),
        default=dict,
        blank=True,
        help_text=_('India: {"SignIn": "1107…", "SignIn:hi": "1107…", "*": "1107…"}.'),
    )
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["country", "provider"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "country", "provider"], name="unique_sender_rule_country_provider"
            )
        ]

    def __str__(self) -> str:
        return f"{self.country} via {self.provider or 'every provider'}"

    @property
    def registered(self) -> tuple[str, ...]:
        return tuple(s.strip() for s in self.registered_senders.split(",") if s.strip())


# --- Routing modes (core/shares.py, core/least_cost.py, routing/plans.py) ------------


class Price(models.Model):
    """What one provider charges per SMS segment to one country (optionally one network)."""

    provider = models.CharField(max_length=64, help_text=_("A provider alias from SMS_PROVIDERS."))
    country = models.CharField(max_length=2)
    network = models.CharField(
        max_length=10, blank=True, help_text=_("MCC+MNC, e.g. 26201; empty: the country's price.")
    )
    amount = models.DecimalField(max_digits=10, decimal_places=5)
    currency = models.CharField(max_length=3)
    source = models.CharField(max_length=16, help_text=_("twilio, vonage or csv"))
    fetched_at = models.DateTimeField()

    class Meta:
        ordering = ["country", "provider", "network"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "country", "network"], name="unique_price_provider_country"
            )
        ]

    def __str__(self) -> str:
        where = f"{self.country}/{self.network}" if self.network else self.country
        return f"{self.provider} {where}: {self.amount} {self.currency}"


class RouteShareChange(models.Model):
    """One change of an adaptive or least-cost route's shares, with why and on what."""

    route = models.ForeignKey(Route, on_delete=models.CASCADE, related_name="share_changes")
    at = models.DateTimeField(db_index=True)
    mode = models.CharField(max_length=12)
    shares = models.JSONField(default=dict)  # alias -> share, after
    previous = models.JSONField(default=dict)  # alias -> share, before
    reason = models.CharField(max_length=300)
    inputs = models.JSONField(default=dict)  # alias -> health, score, price

    class Meta:
        ordering = ["-at"]
        verbose_name = _("route share change")

    def __str__(self) -> str:
        return f"{self.route} at {self.at:%Y-%m-%d %H:%M}"
