"""The Messages list at millions of rows: filters, dates and counts that never scan.

Django's defaults read the whole table on every view: a ``SELECT DISTINCT`` per
field filter, the date hierarchy's ``MIN``/``MAX`` and ``DISTINCT DATE_TRUNC``,
and two ``COUNT(*)``. Here every filter's choices are known without a query
(the closed status sets, Logto's types, the configured provider aliases, the
locales of the templates, the countries of the phone-number metadata), the
date filter offers fixed ranges, and the paginator counts at most ``COUNT_CAP``
rows. Each filter reads an index on (its column, ``created_at``), so the newest
50 of any choice are an index range (migration 0007).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

import phonenumbers
from django.contrib import admin
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.functional import cached_property

from ..catalog import snapshot as catalog
from ..core.message_types import MessageType
from ..models import Message
from ..providers import provider_aliases
from .tenants import tenants_of

COUNT_CAP = 10_000  # "more than 10,000 messages": narrow the list to see an exact count


class CappedPaginator(Paginator):
    """Counts the rows up to ``COUNT_CAP`` + 1 (``SELECT count(*) FROM (… LIMIT 10001)``),
    so a count costs at most that many index entries, never the whole table."""

    @cached_property
    def count(self) -> int:
        return self.object_list.order_by()[: COUNT_CAP + 1].count()

    cap = COUNT_CAP

    @property
    def capped(self) -> bool:
        return self.count > COUNT_CAP


class StaticFilter(admin.SimpleListFilter):
    """A filter whose choices come from configuration, not from the table; a value
    given in the URL that is not among them (an old provider alias) is still offered."""

    def static_choices(self) -> Iterable[tuple[str, str]]:
        raise NotImplementedError

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list:
        choices = list(self.static_choices())
        if self.value() and self.value() not in {value for value, _ in choices}:
            choices.append((self.value(), self.value()))
        return choices

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() is None:
            return queryset
        return queryset.filter(**{self.parameter_name: self.value()})


class TypeFilter(StaticFilter):
    title = "type"
    parameter_name = "type"

    def static_choices(self) -> Iterable[tuple[str, str]]:
        return MessageType.choices


class RefusalFilter(StaticFilter):
    """Why it was not sent: the guard step or send-path check (``Message.refusal``,
    read through the refusals' own index)."""

    title = "refusal"
    parameter_name = "refusal"

    def static_choices(self) -> Iterable[tuple[str, str]]:
        return Message.Refusal.choices


class ProviderFilter(StaticFilter):
    title = "provider"
    parameter_name = "provider"

    def static_choices(self) -> Iterable[tuple[str, str]]:
        return [*((alias, alias) for alias in provider_aliases()), ("", "(none)")]


class SelectFilter(StaticFilter):
    """A long list of choices as a drop-down, its form keeping the list's other parameters."""

    template = "admin/sms_gateway/message/select_filter.html"

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        return super().queryset(request, queryset) if self.value() else queryset  # "": all

    def choices(self, changelist) -> Iterable[dict]:  # noqa: ANN001
        self.hidden = [(k, v) for k, v in changelist.params.items() if k != self.parameter_name]
        yield from super().choices(changelist)


class LocaleFilter(SelectFilter):
    """The locales templates exist for: a record's resolved locale is always one. Those
    of the viewer's tenants (a superuser's: every tenant's), from the snapshot."""

    title = "locale"
    parameter_name = "locale"

    def __init__(self, request: HttpRequest, *args: object) -> None:
        self.tenants = tenants_of(request)
        super().__init__(request, *args)

    def static_choices(self) -> Iterable[tuple[str, str]]:
        catalogs = catalog.snapshot().catalogs
        shown = catalogs if self.tenants is None else self.tenants
        locales = sorted(
            {locale for tenant in shown for _, locale in catalog.current(tenant).templates}
        )
        return [(locale, locale) for locale in locales]


class CountryFilter(SelectFilter):
    """Every country of the phone-number metadata (there are 245)."""

    title = "country"
    parameter_name = "country"

    def static_choices(self) -> Iterable[tuple[str, str]]:
        return [(code, code) for code in sorted(phonenumbers.SUPPORTED_REGIONS)] + [
            ("001", "001 (non-geographic)")
        ]


class RecentFilter(admin.DateFieldListFilter):
    """Fixed ranges instead of the date hierarchy, which asks the table for its first
    and last day and for every month with records (``MIN``/``MAX``, ``DISTINCT``)."""

    def __init__(self, field, request, params, model, model_admin, field_path) -> None:  # noqa: ANN001
        super().__init__(field, request, params, model, model_admin, field_path)
        self.title = "time"
        today = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
        tomorrow = today + datetime.timedelta(days=1)
        month = today.replace(day=1)
        last_month = (month - datetime.timedelta(days=1)).replace(day=1)
        since, until = self.lookup_kwarg_since, self.lookup_kwarg_until
        self.links = (
            ("Any date", {}),
            ("Today", {since: today, until: tomorrow}),
            *(
                (f"Past {n} days", {since: today - datetime.timedelta(days=n - 1), until: tomorrow})
                for n in (7, 30, 90)
            ),
            ("This month", {since: month, until: tomorrow}),
            ("Last month", {since: last_month, until: month}),
        )
