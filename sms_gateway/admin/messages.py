"""The record of every SMS: read-only."""

from __future__ import annotations

from django.contrib import admin
from django.utils.html import format_html, format_html_join

from ..models import Message


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "to",
        "country",
        "type",
        "locale",
        "provider",
        "status",
        "segments",
    ]
    list_filter = ["status", "type", "provider", "country", "locale"]
    search_fields = ["to", "provider_message_id", "id"]
    date_hierarchy = "created_at"

    def get_readonly_fields(self, request, obj=None):  # noqa: ANN001, ANN201
        return [f.name for f in Message._meta.fields if f.name != "attempts"] + ["attempts_table"]

    @admin.display(description="Attempts")
    def attempts_table(self, message: Message) -> str:
        columns = [
            "provider",
            "sender",
            "outcome",
            "category",
            "error_code",
            "error",
            "provider_message_id",
            "duration_ms",
            "started_at",
        ]
        return (
            format_html(
                "<table><thead><tr>{}</tr></thead><tbody>{}</tbody></table>",
                format_html_join("", "<th>{}</th>", ((c.replace("_", " "),) for c in columns)),
                format_html_join(
                    "",
                    "<tr>{}</tr>",
                    (
                        (format_html_join("", "<td>{}</td>", ((a.get(c, ""),) for c in columns)),)
                        for a in message.attempts
                    ),
                ),
            )
            if message.attempts
            else "(none)"
        )

    def has_add_permission(self, request) -> bool:  # noqa: ANN001
        return False

    def has_change_permission(self, request, obj=None) -> bool:  # noqa: ANN001
        return False
