"""The record of every SMS: read-only, never deleted by staff (retention deletes).

The list fits 1280 px with what an operator scans for (when, to whom, status in
colour, provider, segments); the page of one message says which route and sender
were used, links its template and shows every attempt; numbers are searched as
typed (``+33 6 12…``, ``0612345678``) and found exactly (``core/search.py``); a
CSV export masks them. At millions of rows no view reads the whole table: see
``message_list.py`` for the filters, dates and counts.
"""

from __future__ import annotations

import csv
import functools
import operator
from collections.abc import Iterator
from datetime import datetime

from django.conf import settings
from django.contrib import admin, messages
from django.db.models import Q, QuerySet
from django.http import HttpRequest, StreamingHttpResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.dateparse import parse_datetime
from django.utils.html import format_html, format_html_join

from ..core import phone, search
from ..core.delivery_status import DeliveryStatus
from ..models import Message, Route, Template
from .message_list import (
    CappedPaginator,
    CountryFilter,
    LocaleFilter,
    ProviderFilter,
    RecentFilter,
    RefusalFilter,
    TypeFilter,
)
from .tenants import TenantScoped

# Each field its own map, word -> tone; each tone has its colour in
# static/sms_gateway/admin.css (.sms-tone-<tone>: text on a light background keeps
# contrast for colour-blind eyes, and the word is always there). No inline style, so
# the Content-Security-Policy allows styles from our own files only.
OK, NEUTRAL, WARN, BAD = "ok", "neutral", "warn", "bad"
STATUS_COLOURS = {  # Message.status: what the gateway did
    Message.Status.ACCEPTED: NEUTRAL,
    Message.Status.SENT: OK,
    Message.Status.REJECTED: WARN,
    Message.Status.FAILED: BAD,
    Message.Status.UNKNOWN: WARN,
}
DELIVERY_COLOURS = {  # Message.delivery_status: what the receipts say (core/delivery_status.py)
    DeliveryStatus.UNCLEAR: NEUTRAL,
    DeliveryStatus.AT_PROVIDER: NEUTRAL,
    DeliveryStatus.AT_CARRIER: NEUTRAL,
    DeliveryStatus.DELIVERED: OK,
    DeliveryStatus.UNDELIVERED: BAD,
    DeliveryStatus.DROPPED: BAD,
}


def when(moment: datetime | None) -> str:
    """'2025-11-30 14:03:27 UTC': seconds and the time zone, always."""
    if moment is None:
        return "–"
    return date_format(timezone.localtime(moment), "Y-m-d H:i:s T")


def badge(word: str, tones: dict[str, str], field: str = "status") -> str:
    """``word`` in its field's tone: classes sms-<field>-<word> and sms-tone-<tone>."""
    return format_html(
        '<span class="sms-status sms-{}-{} sms-tone-{}">{}</span>',
        field,
        word,
        tones.get(word, NEUTRAL),
        word,
    )


ATTEMPT_COLUMNS = [
    ("provider", "Provider"),
    ("sender", "Sender"),
    ("outcome", "Outcome"),
    ("category", "Category"),
    ("error_code", "Error code"),
    ("error", "Error"),
    ("provider_message_id", "Provider message ID"),
    ("duration_ms", "Duration (ms)"),
    ("started_at", "Started"),
]

CSV_COLUMNS = [
    "id",
    "created_at",
    "to",
    "country",
    "type",
    "template_type",
    "locale",
    "status",
    "delivery_status",
    "route",
    "provider",
    "provider_message_id",
    "sender",
    "attempts",
    "segments",
    "encoding",
    "error",
]


def sender_used(message: Message) -> str:
    sent = [a for a in message.attempts if a.get("outcome") == "sent"]
    chosen = sent[-1] if sent else (message.attempts[-1] if message.attempts else {})
    return chosen.get("sender", "") or ""


def refusal_reason(kind: str, error: str) -> str:
    """``pumping:33655500`` from the record's ``guard: pumping:33655500: <text>``. Pure."""
    if not kind:
        return ""
    if error.startswith("guard: "):
        return error.removeprefix("guard: ").split(": ", 1)[0]
    return kind


# A spreadsheet runs a cell starting with one of these as a formula (OWASP, CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


@admin.register(Message)
class MessageAdmin(TenantScoped, admin.ModelAdmin):
    list_display = [
        *("created", "to", "country", "type_locale", "state", "reason", "provider", "segments")
    ]
    list_display_links = ["created"]
    # Choices known without a query, and fixed date ranges (message_list.py).
    list_filter = [
        ("created_at", RecentFilter),
        "status",
        "delivery_status",
        RefusalFilter,
        TypeFilter,
        ProviderFilter,
        CountryFilter,
        LocaleFilter,
        "is_test",  # the admin's test SMS (a boolean: two static choices)
    ]
    # Shows the search box; get_search_results replaces Django's fragment search.
    search_fields = ["to", "provider_message_id"]
    search_help_text = (
        "A whole number as you have it (+33 6 12 34 56 78, 0033…, 06 12 34 56 78), "
        "a provider message ID or a message ID."
    )
    list_per_page = 50
    # Counts that never read the whole table: at most COUNT_CAP rows, no total, no facets.
    paginator = CappedPaginator
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    sortable_by = ["created"]  # newest first by an index on created_at; sort otherwise by filter
    actions = ["export_csv"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "message_id",
                    "created",
                    "updated",
                    "state",
                    "reason",
                    "error",
                    "to",
                    "country",
                    "ip_address",
                    "test_sms",
                ]
            },
        ),
        (
            "Text",
            {
                "fields": [
                    "type",
                    "template_link",
                    "requested_locale_display",
                    "ui_locales_display",
                    "locale_display",
                    "body",
                    "encoding",
                    "segments",
                ]
            },
        ),
        (
            "Route and provider",
            {
                "fields": [
                    *("route_link", "provider", "sender"),
                    *("provider_message_id_display", "attempts_table"),
                ]
            },
        ),
        (
            "Delivery",
            {
                "fields": [
                    "delivery_status",
                    "provider_status",
                    "delivery_error_code",
                    "delivered",
                    "delivery_ms_display",
                    "converted",
                ]
            },
        ),
    ]

    # --- the list -----------------------------------------------------------------
    @admin.display(description="Time", ordering="created_at")
    def created(self, message: Message) -> str:
        return when(message.created_at)

    @admin.display(description="Updated")
    def updated(self, message: Message) -> str:
        return when(message.updated_at)

    @admin.display(description="Type · locale")
    def type_locale(self, message: Message) -> str:
        return f"{message.type} · {message.locale}" if message.locale else message.type

    @admin.display(description="Status")
    def state(self, message: Message) -> str:
        status = badge(message.status, STATUS_COLOURS)
        if message.delivery_status and message.status == Message.Status.SENT:
            delivery = badge(message.delivery_status, DELIVERY_COLOURS, field="delivery")
            return format_html("{} → {}", status, delivery)
        return status

    @admin.display(description="Reason")
    def reason(self, message: Message) -> str:
        """The machine reason of a refusal (``rate_limited:recipient``, ``pumping:33655500``);
        the error field holds the end user's text after it."""
        return refusal_reason(message.refusal, message.error)

    def get_search_results(self, request: HttpRequest, queryset: QuerySet, search_term: str):  # noqa: ANN201
        """Exact matches only, each an index probe: the number in E.164, the provider's
        message id, the message id (core/search.py)."""
        if not search_term.strip():
            return queryset, False
        found = search.lookup(search_term, settings.SMS_ADMIN_REGION)
        if found.note:
            self.message_user(request, found.note, messages.WARNING)
        matches = [
            *([Q(to=found.number)] if found.number else []),
            *(
                [Q(provider_message_id=found.provider_message_id)]
                if found.provider_message_id
                else []
            ),
            *([Q(pk=found.message_id)] if found.message_id else []),
        ]
        if not matches:
            return queryset.none(), False
        return queryset.filter(functools.reduce(operator.or_, matches)), False

    # --- one message ------------------------------------------------------------
    @admin.display(description="ID")
    def message_id(self, message: Message) -> str:
        return str(message.id)

    @admin.display(description="Provider message ID")
    def provider_message_id_display(self, message: Message) -> str:
        return message.provider_message_id or "–"

    @admin.display(description="IP")
    def ip_address(self, message: Message) -> str:
        return message.ip or "–"

    @admin.display(description="Test SMS")
    def test_sms(self, message: Message) -> str:
        if not message.is_test:
            return "no (sent for Logto)"
        return f"yes, sent from the admin by {message.sent_by or 'a deleted user'}"

    @admin.display(description="Locale requested")
    def requested_locale_display(self, message: Message) -> str:
        return message.requested_locale or "–"

    @admin.display(description="UI locales")
    def ui_locales_display(self, message: Message) -> str:
        return message.ui_locales or "–"

    @admin.display(description="Locale used")
    def locale_display(self, message: Message) -> str:
        return message.locale or "–"

    @admin.display(description="Template")
    def template_link(self, message: Message) -> str:
        kind = message.template_type or message.type
        template = Template.objects.filter(
            tenant_id=message.tenant_id, type=kind, locale=message.locale
        ).first()
        if template is None:
            return f"{kind} / {message.locale or '–'} (no such template now)"
        url = reverse("admin:sms_gateway_template_change", args=[template.pk])
        note = "" if kind == message.type else f" (used for type {message.type})"
        return format_html('<a href="{}">{}</a>{}', url, str(template), note)

    @admin.display(description="Route")
    def route_link(self, message: Message) -> str:
        label = message.route
        if not label:
            return "–"
        routes = Route.objects.filter(tenant_id=message.tenant_id)
        if label.startswith("country:"):
            route = routes.filter(country=label.split(":", 1)[1], prefix="").first()
        elif label.startswith("+"):
            route = routes.filter(prefix=label[1:], country="").first()
        else:
            route = routes.filter(prefix="", country="").first()
            if route is None:
                return f"{label} (SMS_DEFAULT_PROVIDERS: no default route in the database)"
        if route is None:
            return f"{label} (deleted since)"
        url = reverse("admin:sms_gateway_route_change", args=[route.pk])
        return format_html('<a href="{}">{}</a>', url, label)

    @admin.display(description="Sender used")
    def sender(self, message: Message) -> str:
        return sender_used(message) or "(the provider's default)"

    @admin.display(description="Delivered")
    def delivered(self, message: Message) -> str:
        return when(message.delivered_at)

    @admin.display(description="Time to delivery (ms)")
    def delivery_ms_display(self, message: Message) -> str:
        return "–" if message.delivery_ms is None else str(message.delivery_ms)

    @admin.display(description="Converted")
    def converted(self, message: Message) -> str:
        return when(message.converted_at)

    @admin.display(description="Attempts")
    def attempts_table(self, message: Message) -> str:
        if not message.attempts:
            return "(none)"
        return format_html(
            "<table><thead><tr>{}</tr></thead><tbody>{}</tbody></table>",
            format_html_join("", "<th>{}</th>", ((label,) for _, label in ATTEMPT_COLUMNS)),
            format_html_join(
                "",
                "<tr>{}</tr>",
                (
                    (
                        format_html_join(
                            "",
                            "<td>{}</td>",
                            ((_attempt_value(a, key),) for key, _ in ATTEMPT_COLUMNS),
                        ),
                    )
                    for a in message.attempts
                ),
            ),
        )

    def get_readonly_fields(self, request: HttpRequest, obj: Message | None = None) -> list[str]:
        return [name for _, options in self.fieldsets for name in options["fields"]]

    # --- an audit record: nobody adds, edits or deletes one here ---------------------
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Message | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Message | None = None) -> bool:
        return False  # only retention deletes (manage.py purge_messages)

    # --- CSV ----------------------------------------------------------------------
    @admin.action(
        description="Export selected messages as CSV (numbers masked)", permissions=["view"]
    )
    def export_csv(self, request: HttpRequest, queryset: QuerySet) -> StreamingHttpResponse:
        return csv_response(queryset)

    def get_urls(self):  # noqa: ANN201
        from .test_sms import test_sms_view

        export = self.admin_site.admin_view(self.export_view)
        test = self.admin_site.admin_view(lambda request: test_sms_view(request, self))
        return [
            path("export.csv", export, name="sms_gateway_message_export"),
            path("test-sms/", test, name="sms_gateway_message_test_sms"),
            *super().get_urls(),
        ]

    def export_view(self, request: HttpRequest) -> StreamingHttpResponse:
        """The list as filtered and searched now (same query string), as CSV."""
        from django.core.exceptions import PermissionDenied

        if not self.has_view_permission(request):
            raise PermissionDenied
        changelist = self.get_changelist_instance(request)
        return csv_response(changelist.get_queryset(request))

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None):  # noqa: ANN201
        from .test_sms import can_send

        query = request.GET.urlencode()
        context = {
            "export_url": reverse("admin:sms_gateway_message_export")
            + (f"?{query}" if query else ""),
            "test_sms_url": reverse("admin:sms_gateway_message_test_sms")
            if can_send(request)
            else "",
        }
        return super().changelist_view(request, extra_context={**(extra_context or {}), **context})


def _attempt_value(attempt: dict, key: str) -> object:
    value = attempt.get(key, "")
    if key == "started_at" and value:  # stored as ISO 8601 with microseconds
        moment = parse_datetime(value)
        return when(moment) if moment else value
    return value


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_rows(messages: QuerySet) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow(CSV_COLUMNS)
    for m in messages.order_by("-created_at").iterator(chunk_size=2000):
        yield writer.writerow(
            [
                _cell(value)
                for value in (
                    m.id,
                    timezone.localtime(m.created_at).isoformat(timespec="seconds"),
                    phone.mask(m.to),
                    m.country,
                    m.type,
                    m.template_type,
                    m.locale,
                    m.status,
                    m.delivery_status,
                    m.route,
                    m.provider,
                    m.provider_message_id,
                    sender_used(m),
                    len(m.attempts),
                    m.segments,
                    m.encoding,
                    m.error,
                )
            ]
        )


def csv_response(messages: QuerySet) -> StreamingHttpResponse:
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    response = StreamingHttpResponse(csv_rows(messages), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="sms-messages-{stamp}.csv"'
    return response
