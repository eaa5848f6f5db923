"""``{% budget_panel %}``: the budgets' spend now, on the delivery dashboard."""

from __future__ import annotations

from django import template

from ..dashboard import budgets as panel

register = template.Library()


@register.inclusion_tag("admin/sms_gateway/dashboard/budgets.html")
def budget_panel() -> dict:
    return {"budgets": panel.panel()}
