"""Budgets and sender rules in the admin, and the sender check the route editor runs.

*Budgets*: one cap per country (or all) and period, with its spend now. *Sender
rules*: what one country takes (core/senders.py). The route editor refuses a
sender the country never takes or one not registered there, with the reason.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin
from django.utils.html import format_html

from ..core import budgets, senders
from ..dashboard import budgets as panel
from ..models import Budget, Route, SenderRule
from ..providers import provider_aliases
from .tenants import TenantScoped


def _rules() -> list[senders.SenderRule]:
    return [
        senders.SenderRule(r.country, r.provider, r.alphanumeric, r.registered, r.number_sender)
        for r in SenderRule.objects.all()
    ]


def _default_sender(alias: str) -> str:
    config = settings.SMS_PROVIDERS.get(alias) or {}
    options = config.get("OPTIONS") or {}
    return str(options.get("MESSAGING_SERVICE_SID") or options.get("FROM") or "")


def route_sender_error(route: Route, hop: dict[str, Any]) -> str:
    """Why the route editor refuses this provider row's sender ('' = it does not)."""
    alias, sender = hop.get("provider") or "", hop.get("sender") or ""
    if not alias or not sender:
        return ""
    problems = senders.route_problems(
        route.prefix, route.country, alias, sender, _default_sender(alias), _rules()
    )
    return " ".join(p.message for p in problems if p.level == "error")


class BudgetForm(forms.ModelForm):
    class Meta:
        model = Budget
        fields = ["country", "period", "cap", "alert_at_percent", "action", "enabled", "note"]

    def clean_country(self) -> str:
        return (self.cleaned_data.get("country") or "").strip().upper()


@admin.register(Budget)
class BudgetAdmin(TenantScoped, admin.ModelAdmin):
    form = BudgetForm
    list_display = ["scope", "period", "cap_display", "spent_now", "action", "enabled"]
    list_filter = ["period", "action", "enabled"]

    @admin.display(description="scope", ordering="country")
    def scope(self, budget: Budget) -> str:
        return budget.country or "all countries"

    @admin.display(description="cap", ordering="cap")
    def cap_display(self, budget: Budget) -> str:
        return f"{budget.cap} {settings.SMS_PRICE_CURRENCY}"

    @admin.display(description="spent this period")
    def spent_now(self, budget: Budget) -> str:
        cap = budgets.Cap(
            budget.country or budgets.ALL,
            budget.period,
            budgets.to_micros(budget.cap),
            budget.alert_at_percent / 100,
            budget.action,
        )
        (status,) = panel.statuses([cap], budget.tenant_id)
        return format_html(
            '<span class="sms-budget-{}">{} {} ({} %)</span>',
            status.state,
            status.spent.quantize(Decimal("0.01")),
            status.currency,
            f"{status.used * 100:.0f}",
        )


class SenderRuleForm(forms.ModelForm):
    provider = forms.ChoiceField(choices=(), required=False)

    class Meta:
        model = SenderRule
        fields = [
            *("country", "provider", "alphanumeric", "registered_senders"),
            *("number_sender", "dlt_entity_id", "dlt_template_ids", "note"),
        ]

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", "every provider")] + [(a, a) for a in provider_aliases()]
        stored = self.instance.provider if self.instance.pk else ""
        if stored and stored not in provider_aliases():
            choices.append((stored, f"{stored} (not configured)"))
        self.fields["provider"].choices = choices

    def clean_country(self) -> str:
        return (self.cleaned_data.get("country") or "").strip().upper()

    def clean_number_sender(self) -> str:
        number = (self.cleaned_data.get("number_sender") or "").strip()
        if number and senders.kind(number) == senders.ALPHANUMERIC:
            raise forms.ValidationError(
                "A number (+15551230000), a short code or a Messaging Service SID: it is sent "
                "where alphanumeric senders are not."
            )
        return number

    def clean_registered_senders(self) -> str:
        names = [s.strip() for s in self.cleaned_data.get("registered_senders", "").split(",")]
        names = [n for n in names if n]
        too_long = [n for n in names if len(n) > 11]
        if too_long:
            raise forms.ValidationError(
                f"A sender ID has at most 11 characters: {', '.join(too_long)}."
            )
        return ", ".join(names)

    def clean_dlt_template_ids(self) -> dict:
        ids = self.cleaned_data.get("dlt_template_ids") or {}
        if not isinstance(ids, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in ids.items()
        ):
            raise forms.ValidationError(
                'An object of "Type", "Type:locale" or "*" to a template ID (a string).'
            )
        return ids

    def clean(self) -> dict:
        data = super().clean()
        alias, number = data.get("provider"), data.get("number_sender")
        if alias and number:
            from .routes import sender_problem

            problem = sender_problem(alias, number)
            if problem:
                self.add_error("number_sender", problem)
        if data.get("country") in senders.NEVER_ALPHANUMERIC and data.get("alphanumeric"):
            data["alphanumeric"] = False  # never, whatever is ticked: say it as it is
        return data


@admin.register(SenderRule)
class SenderRuleAdmin(TenantScoped, admin.ModelAdmin):
    form = SenderRuleForm
    list_display = [
        *("country", "provider_display", "alphanumeric", "registered_senders"),
        *("number_sender", "dlt_entity_id"),
    ]
    list_filter = ["alphanumeric"]
    search_fields = ["country", "provider", "registered_senders", "number_sender"]

    @admin.display(description="provider", ordering="provider")
    def provider_display(self, rule: SenderRule) -> str:
        return rule.provider or "every provider"
