"""The admin home page's data (admin/index.py computes it; the template asks here)."""

from __future__ import annotations

from django import template

from ..admin import index

register = template.Library()


@register.simple_tag(takes_context=True)
def today_status(context: template.Context) -> dict | None:
    """None for an operator who may not read the records."""
    user = context["request"].user
    return index.today_status() if user.has_perm("sms_gateway.view_message") else None


@register.simple_tag
def screen_groups(app_list: list[dict]) -> list:
    return index.screen_groups(app_list)
