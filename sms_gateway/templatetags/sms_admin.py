"""The admin home page's data (admin/index.py computes it; the template asks here)."""

from __future__ import annotations

from django import template

from ..admin import index, tenants

register = template.Library()


@register.simple_tag(takes_context=True)
def today_status(context: template.Context) -> dict | None:
    """None for an operator who may not read the records, or who works on one tenant of
    several (the figures are the whole gateway's: README, "Tenants")."""
    request = context["request"]
    if not request.user.has_perm("sms_gateway.view_message"):
        return None
    if not request.user.is_superuser and tenants.several_tenants():
        return None
    return index.today_status()


@register.simple_tag
def screen_groups(app_list: list[dict]) -> list:
    return index.screen_groups(app_list)
