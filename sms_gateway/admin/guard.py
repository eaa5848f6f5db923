"""The fraud guard's screens: rate limits, country permissions, blocked prefixes, safe list.

Every change reaches every worker within ``SMS_CATALOG_CHECK_INTERVAL``
(they are part of the catalog snapshot), without a restart.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.html import format_html

from ..core import rate_limit_checks
from ..models import BlockedPrefix, CountryPolicy, RateLimit, SafeNumber
from .tenants import TenantScoped


class RateLimitForm(forms.ModelForm):
    """Limits of at least 1 per window of at least 1 s (also in the list's editable cells)."""

    class Meta:
        model = RateLimit
        fields = ["scope", "limit", "window_seconds", "enabled", "note"]

    def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        minimums = {
            "limit": rate_limit_checks.MIN_LIMIT,
            "window_seconds": rate_limit_checks.MIN_WINDOW_SECONDS,
        }
        for name, minimum in minimums.items():
            if name in self.fields:
                self.fields[name].widget.attrs["min"] = minimum

    def clean(self) -> dict:
        data = super().clean()
        for name, message in rate_limit_checks.errors(
            data.get("limit"), data.get("window_seconds")
        ).items():
            if name in self.fields:
                self.add_error(name, message)
        return data


@admin.register(RateLimit)
class RateLimitAdmin(TenantScoped, admin.ModelAdmin):
    form = RateLimitForm
    list_display = ["scope", "limit", "window", "enabled", "note"]
    list_editable = ["limit", "enabled"]
    list_filter = ["scope", "enabled"]

    def get_changelist_form(self, request: HttpRequest, **kwargs):  # noqa: ANN003, ANN201
        return super().get_changelist_form(request, form=RateLimitForm, **kwargs)

    @admin.display(description="window", ordering="window_seconds")
    def window(self, obj: RateLimit) -> str:
        return rate_limit_checks.describe_window(obj.window_seconds)

    def save_model(self, request, obj: RateLimit, form, change: bool) -> None:  # noqa: ANN001
        super().save_model(request, obj, form, change)
        for warning in rate_limit_checks.warnings(obj.scope, obj.limit, obj.window_seconds):
            messages.warning(request, warning)


@admin.register(CountryPolicy)
class CountryPolicyAdmin(TenantScoped, admin.ModelAdmin):
    list_display = ["country", "action", "note"]
    list_filter = ["action"]
    search_fields = ["country", "note"]

    def save_model(self, request, obj: CountryPolicy, form, change: bool) -> None:  # noqa: ANN001
        obj.country = obj.country.upper()
        super().save_model(request, obj, form, change)


@admin.register(BlockedPrefix)
class BlockedPrefixAdmin(admin.ModelAdmin):
    list_display = ["__str__", "state", "reason", "automatic", "blocked_at", "until"]
    list_filter = ["automatic", "unblocked_at"]
    search_fields = ["prefix", "reason"]
    readonly_fields = ["evidence_table", "blocked_at", "unblocked_at"]
    fields = ["prefix", "reason", "until", "automatic", "evidence_table", "blocked_at",
              "unblocked_at"]  # fmt: skip
    actions = ["unblock"]

    @admin.display(description="state")
    def state(self, obj: BlockedPrefix) -> str:
        if obj.unblocked_at:
            return format_html('<span class="sms-quiet">{}</span>', "unblocked")
        if obj.until <= timezone.now():
            return format_html('<span class="sms-quiet">{}</span>', "expired")
        return format_html('<strong class="sms-blocking">{}</strong>', "blocking")

    @admin.display(description="evidence")
    def evidence_table(self, obj: BlockedPrefix) -> str:
        rows = "".join(
            format_html("<tr><th>{}</th><td>{}</td></tr>", k.replace("_", " "), v)
            for k, v in (obj.evidence or {}).items()
        )
        return format_html("<table>{}</table>", format_html(rows)) if rows else "(manual)"

    # Opening a prefix the pumping detector closed spends money: it needs the change
    # permission (Django offers an action without one to whoever may view the list).
    @admin.action(description="Unblock the selected prefixes now", permissions=["change"])
    def unblock(self, request: HttpRequest, queryset: QuerySet) -> None:
        count = 0
        for block in queryset.filter(unblocked_at=None):
            block.unblocked_at = timezone.now()
            block.save()  # a save: every worker reloads its snapshot
            self.log_change(
                request,
                block,
                f"Unblocked {block.prefix} (was blocked until "
                f"{block.until:%Y-%m-%d %H:%M:%S %Z}: {block.reason or 'no reason given'}).",
            )
            count += 1
        self.message_user(request, f"{count} prefix(es) unblocked.")

    def save_model(self, request, obj: BlockedPrefix, form, change: bool) -> None:  # noqa: ANN001
        if not change:
            obj.automatic = False
        super().save_model(request, obj, form, change)


@admin.register(SafeNumber)
class SafeNumberAdmin(TenantScoped, admin.ModelAdmin):
    list_display = ["number", "bypass_policies", "note"]
    search_fields = ["number", "note"]
