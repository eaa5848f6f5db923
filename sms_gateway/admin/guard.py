"""The fraud guard's screens: rate limits, country permissions, blocked prefixes, safe list.

Every change reaches every worker within ``SMS_CATALOG_CHECK_INTERVAL``
(they are part of the catalog snapshot), without a restart. Unblocking a prefix
trusts it for some hours (the pumping detector would otherwise block it again on
the evidence still in its window), from the list's action or the block's own page,
and leaves an admin log entry either way. The guard overview is guard_overview.py.
"""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from ..core import rate_limit_checks
from ..models import BlockedPrefix, CountryPolicy, RateLimit, SafeNumber
from . import guard_overview
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
    # The list and the form say where else a country is refused, and what Logto gets.
    change_list_template = "admin/sms_gateway/countrypolicy/change_list.html"
    change_form_template = "admin/sms_gateway/countrypolicy/change_form.html"

    def save_model(self, request, obj: CountryPolicy, form, change: bool) -> None:  # noqa: ANN001
        obj.country = obj.country.upper()
        super().save_model(request, obj, form, change)


class UnblockForm(forms.Form):
    hours = forms.IntegerField(
        min_value=0,
        max_value=24 * 30,
        label="Trust it for (hours)",
        help_text=(
            "The pumping detector leaves the prefix alone that long (0: not at all, it may "
            "block it again at once on the evidence in its window). The rate limits still apply."
        ),
    )


def unblock(
    admin_: admin.ModelAdmin, request: HttpRequest, block: BlockedPrefix, hours: int
) -> None:
    """Lift the block and trust the prefix for ``hours``; one admin log entry."""
    now = timezone.now()
    block.unblocked_at = now
    block.trusted_until = now + timedelta(hours=hours) if hours else None
    block.save()  # a save: every worker reloads its snapshot
    admin_.log_change(
        request,
        block,
        f"Unblocked {block.prefix} (was blocked until "
        f"{block.until:%Y-%m-%d %H:%M:%S %Z}: {block.reason or 'no reason given'}), "
        f"trusted for {hours} h.",
    )


@admin.register(BlockedPrefix)
class BlockedPrefixAdmin(admin.ModelAdmin):
    list_display = ["__str__", "state", "reason", "automatic", "blocked_at", "until"]
    list_filter = ["enforced", "automatic", "unblocked_at"]
    search_fields = ["prefix", "reason"]
    readonly_fields = ["evidence_table", "blocked_at", "unblocked_at", "trusted_until", "enforced"]
    fields = ["prefix", "reason", "until", "automatic", "enforced", "evidence_table",
              "blocked_at", "unblocked_at", "trusted_until"]  # fmt: skip
    actions = ["unblock"]
    change_form_template = "admin/sms_gateway/blockedprefix/change_form.html"
    change_list_template = "admin/sms_gateway/blockedprefix/change_list.html"

    def get_urls(self) -> list:
        view = self.admin_site.admin_view(self.unblock_view)
        overview = self.admin_site.admin_view(self.overview_view)
        return [path("<int:pk>/unblock/", view, name="sms_gateway_blockedprefix_unblock"),
                path("overview/", overview, name="sms_gateway_guard_overview"),
                *super().get_urls()]  # fmt: skip

    def overview_view(self, request: HttpRequest) -> HttpResponse:
        return guard_overview.view(request, self.admin_site)

    def get_form(self, request: HttpRequest, obj: object = None, **kwargs):  # noqa: ANN003, ANN201
        # Its date and time boxes are the one time here that does not say its zone.
        kwargs["help_texts"] = {"until": "UTC, as every time in the admin."}
        return super().get_form(request, obj, **kwargs)

    @admin.display(description="state")
    def state(self, obj: BlockedPrefix) -> str:
        now = timezone.now()
        if not obj.enforced:
            return format_html('<span class="sms-quiet">{}</span>', "would block (monitor)")
        if obj.unblocked_at:
            if obj.trusted_until and obj.trusted_until > now:
                return format_html(
                    '<span class="sms-quiet">unblocked, trusted until {}</span>',
                    f"{timezone.localtime(obj.trusted_until):%Y-%m-%d %H:%M}",
                )
            return format_html('<span class="sms-quiet">{}</span>', "unblocked")
        if obj.until <= now:
            return format_html('<span class="sms-quiet">{}</span>', "expired")
        return format_html('<strong class="sms-blocking">{}</strong>', "blocking")

    @admin.display(description="evidence")
    def evidence_table(self, obj: BlockedPrefix) -> str:
        rows = "".join(
            format_html("<tr><th>{}</th><td>{}</td></tr>", k.replace("_", " "), v)
            for k, v in (obj.evidence or {}).items()
        )
        return format_html("<table>{}</table>", mark_safe(rows)) if rows else "(manual)"  # noqa: S308

    def blocking(self, obj: BlockedPrefix | None) -> bool:
        return bool(obj and obj.enforced and not obj.unblocked_at and obj.until > timezone.now())

    # Opening a prefix the pumping detector closed spends money: it needs the change
    # permission (Django offers an action without one to whoever may view the list).
    @admin.action(
        description="Unblock the selected prefixes now and trust them for "
        f"{settings.SMS_GUARD_PUMPING_TRUST_HOURS} h",
        permissions=["change"],
    )
    def unblock(self, request: HttpRequest, queryset: QuerySet) -> None:
        count = 0
        for block in queryset.filter(unblocked_at=None, enforced=True):
            unblock(self, request, block, settings.SMS_GUARD_PUMPING_TRUST_HOURS)
            count += 1
        self.message_user(request, f"{count} prefix(es) unblocked.")

    def unblock_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """The block's own page: unblock it and trust it for N hours."""
        block = get_object_or_404(BlockedPrefix, pk=pk)
        if not self.has_change_permission(request, block):
            raise PermissionDenied
        change = reverse("admin:sms_gateway_blockedprefix_change", args=[block.pk])
        form = UnblockForm(
            request.POST or None, initial={"hours": settings.SMS_GUARD_PUMPING_TRUST_HOURS}
        )
        if request.method == "POST" and form.is_valid() and self.blocking(block):
            unblock(self, request, block, form.cleaned_data["hours"])
            self.message_user(request, f"+{block.prefix} unblocked.")
            return HttpResponseRedirect(change)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Unblock +{block.prefix}",
            "opts": self.model._meta,
            "original": block,
            "form": form,
            "blocking": self.blocking(block),
            "change_url": change,
        }
        return TemplateResponse(request, "admin/sms_gateway/blockedprefix/unblock.html", context)

    def render_change_form(self, request, context, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN201
        obj = context.get("original")
        context["can_unblock"] = self.blocking(obj) and self.has_change_permission(request, obj)
        return super().render_change_form(request, context, *args, **kwargs)

    def save_model(self, request, obj: BlockedPrefix, form, change: bool) -> None:  # noqa: ANN001
        if not change:
            obj.automatic = False
        super().save_model(request, obj, form, change)


@admin.register(SafeNumber)
class SafeNumberAdmin(TenantScoped, admin.ModelAdmin):
    list_display = ["number", "bypass_policies", "note"]
    search_fields = ["number", "note"]
