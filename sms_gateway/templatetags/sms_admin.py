"""The admin home page's data (admin/index.py computes it; the template asks here)."""

from __future__ import annotations

from django import template

from ..admin import index, tenants

register = template.Library()


@register.simple_tag(takes_context=True)
def today_status(context: template.Context) -> dict | None:
    """None for an operator who may not read the records; else their tenants' figures
    (a superuser's: every tenant's; README, "Tenants")."""
    request = context["request"]
    if not request.user.has_perm("sms_gateway.view_message"):
        return None
    whose = tenants.figures_of(request)
    status = index.today_status(tenants=whose)
    if tenants.several_tenants():  # the page says whose figures these are
        names = dict(tenants.tenant_choices(request))
        status["whose"] = (
            "all tenants"
            if whose is None
            else ", ".join(names.get(t, f"tenant {t}") for t in whose)
        )
    return status


@register.simple_tag
def screen_groups(app_list: list[dict]) -> list:
    return index.screen_groups(app_list)
