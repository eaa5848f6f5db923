"""The dashboard's numbers: a few grouped queries over one date range.

Every query reads ``Message`` rows of the range through ``message_stats_idx``
(``created_at`` with the counted columns included): on PostgreSQL an index-only
scan, no table access, once autovacuum has visited the table. Percentiles are
PostgreSQL's ``percentile_cont``; other databases (SQLite in development) get
the same numbers computed in Python. Provider health unnests ``attempts``
(JSON), so it reads the table: it is one query for the whole range.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from django.db import connection
from django.db.models import Aggregate, Count, F, FloatField, Q, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from ..delivery.status import DeliveryStatus
from ..models import Message

GROUPS = {"day": TruncDate("created_at"), "country": F("country"), "provider": F("provider")}
FAILED_DELIVERY = [DeliveryStatus.UNDELIVERED, DeliveryStatus.FAILED]


class Percentile(Aggregate):
    """PostgreSQL's ``percentile_cont(f) WITHIN GROUP (ORDER BY expr)``; NULLs are skipped."""

    function = "PERCENTILE_CONT"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()

    def __init__(self, expression: str, fraction: float, **extra: object) -> None:
        super().__init__(expression, fraction=float(fraction), **extra)


@dataclass(frozen=True)
class Filters:
    days: int = 7
    country: str = ""
    provider: str = ""
    now: datetime | None = None

    @property
    def end(self) -> datetime:
        return self.now or timezone.now()

    @property
    def start(self) -> datetime:
        """Midnight UTC, ``days - 1`` days before today: ``days`` whole calendar days."""
        today = self.end.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
        return today - timedelta(days=self.days - 1)

    def dates(self) -> list[date]:
        first = self.start.date()
        return [first + timedelta(days=i) for i in range(self.days)]


@dataclass
class Row:
    key: object = ""
    total: int = 0  # every record: sent, failed, rejected, still accepted
    sent: int = 0  # a provider took it
    delivered: int = 0  # its receipt says delivered
    undelivered: int = 0  # its receipt says undelivered or failed
    failed: int = 0  # no provider took it
    rejected: int = 0  # refused: the fraud guard, a blocked destination or the recipient
    segments: int = 0
    converted: int = 0
    p50_ms: float | None = None
    p95_ms: float | None = None

    @property
    def delivery_rate(self) -> float | None:
        return self.delivered / self.sent if self.sent else None

    @property
    def conversion_rate(self) -> float | None:
        return self.converted / self.sent if self.sent else None


@dataclass
class ProviderHealth:
    provider: str
    attempts: int = 0
    failed: int = 0
    p50_ms: float | None = None
    p95_ms: float | None = None
    categories: dict[str, int] = field(default_factory=dict)  # failures by category

    @property
    def error_rate(self) -> float | None:
        return self.failed / self.attempts if self.attempts else None


def messages(filters: Filters) -> QuerySet[Message]:
    qs = Message.objects.filter(created_at__gte=filters.start, created_at__lt=filters.end)
    if filters.country:
        qs = qs.filter(country=filters.country)
    if filters.provider:
        qs = qs.filter(provider=filters.provider)
    return qs.order_by()


def postgres() -> bool:
    return connection.vendor == "postgresql"


def summary(filters: Filters, by: str | None = None) -> list[Row]:
    """One row per day, country or provider (``by``), or one row for the whole range."""
    qs = messages(filters)
    if by is not None:
        qs = qs.annotate(key=GROUPS[by]).values("key")
    counts = {
        "total": Count("created_at"),
        "sent": Count("created_at", filter=Q(status=Message.Status.SENT)),
        "delivered": Count("created_at", filter=Q(delivery_status=DeliveryStatus.DELIVERED)),
        "undelivered": Count("created_at", filter=Q(delivery_status__in=FAILED_DELIVERY)),
        "failed": Count("created_at", filter=Q(status=Message.Status.FAILED)),
        "rejected": Count("created_at", filter=Q(status=Message.Status.REJECTED)),
        "segments": Sum("segments", filter=Q(status=Message.Status.SENT)),
        "converted": Count("created_at", filter=Q(converted_at__isnull=False)),
    }
    if postgres():
        counts["p50_ms"] = Percentile("delivery_ms", 0.5)
        counts["p95_ms"] = Percentile("delivery_ms", 0.95)
    if by is None:
        rows = [_row(qs.aggregate(**counts))]
    else:
        rows = [_row(values) for values in qs.annotate(**counts)]
    if not postgres():
        _percentiles_in_python(qs if by is None else messages(filters), by, rows)
    return rows


def _row(values: dict) -> Row:
    """A Row from one result; counts of nothing are 0, percentiles of nothing None."""
    kept = ("key", "p50_ms", "p95_ms")
    return Row(**{k: (v if k in kept else v or 0) for k, v in values.items()})


def _percentiles_in_python(qs: QuerySet, by: str | None, rows: list[Row]) -> None:
    values: dict[object, list[int]] = defaultdict(list)
    source = messages_with_latency(qs, by)
    for key, ms in source:
        values[key].append(ms)
    for row in rows:
        found = sorted(values.get(row.key if by else None, []))
        row.p50_ms, row.p95_ms = percentile(found, 0.5), percentile(found, 0.95)


def messages_with_latency(qs: QuerySet, by: str | None) -> Iterable[tuple[object, int]]:
    qs = qs.filter(delivery_ms__isnull=False)
    if by is None:
        return ((None, ms) for ms in qs.values_list("delivery_ms", flat=True))
    return qs.annotate(key=GROUPS[by]).values_list("key", "delivery_ms")


def percentile(sorted_values: list[float], fraction: float) -> float | None:
    """Linear interpolation between closest ranks, as PostgreSQL's percentile_cont."""
    if not sorted_values:
        return None
    position = (len(sorted_values) - 1) * fraction
    low, high = math.floor(position), math.ceil(position)
    return sorted_values[low] + (sorted_values[high] - sorted_values[low]) * (position - low)


def by_day(filters: Filters) -> list[Row]:
    """Every day of the range, in order, days without SMS included."""
    found = {row.key: row for row in summary(filters, "day")}
    return [found.get(day) or Row(key=day) for day in filters.dates()]


def by_volume(filters: Filters, by: str, limit: int = 25) -> list[Row]:
    rows = summary(filters, by)
    rows.sort(key=lambda r: (-r.total, str(r.key)))
    return rows[:limit]


PROVIDER_HEALTH_SQL = """
SELECT a.value ->> 'provider' AS provider,
       COALESCE(NULLIF(a.value ->> 'category', ''), '-') AS category,
       count(*) AS attempts,
       count(*) FILTER (WHERE a.value ->> 'outcome' = 'failed') AS failed,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY (a.value ->> 'duration_ms')::int) AS p50,
       percentile_cont(0.95) WITHIN GROUP (ORDER BY (a.value ->> 'duration_ms')::int) AS p95
FROM sms_gateway_message m CROSS JOIN LATERAL jsonb_array_elements(m.attempts) a
WHERE m.created_at >= %s AND m.created_at < %s {where}
GROUP BY GROUPING SETS ((1), (1, 2))
"""


def provider_health(filters: Filters) -> list[ProviderHealth]:
    """Per provider attempted: attempts, failures by category, duration percentiles."""
    if postgres():
        where, params = "", [filters.start, filters.end]
        if filters.country:
            where += " AND m.country = %s"
            params.append(filters.country)
        if filters.provider:
            where += " AND a.value ->> 'provider' = %s"
            params.append(filters.provider)
        health: dict[str, ProviderHealth] = {}
        with connection.cursor() as cursor:
            cursor.execute(PROVIDER_HEALTH_SQL.format(where=where), params)
            rows = cursor.fetchall()
        for provider, category, attempts, failed, p50, p95 in rows:
            item = health.setdefault(provider or "", ProviderHealth(provider or ""))
            if category is None:  # the provider's own grouping set
                item.attempts, item.failed, item.p50_ms, item.p95_ms = attempts, failed, p50, p95
            elif failed:
                item.categories[category] = failed
    else:
        health = _provider_health_in_python(filters)
    return sorted(health.values(), key=lambda h: (-h.attempts, h.provider))


def _provider_health_in_python(filters: Filters) -> dict[str, ProviderHealth]:
    qs = Message.objects.filter(created_at__gte=filters.start, created_at__lt=filters.end)
    if filters.country:
        qs = qs.filter(country=filters.country)
    durations: dict[str, list[int]] = defaultdict(list)
    health: dict[str, ProviderHealth] = {}
    for attempts in qs.values_list("attempts", flat=True).iterator():
        for attempt in attempts or []:
            provider = attempt.get("provider", "")
            if filters.provider and provider != filters.provider:
                continue
            item = health.setdefault(provider, ProviderHealth(provider))
            item.attempts += 1
            durations[provider].append(int(attempt.get("duration_ms") or 0))
            if attempt.get("outcome") == "failed":
                item.failed += 1
                category = attempt.get("category") or "-"
                item.categories[category] = item.categories.get(category, 0) + 1
    for provider, values in durations.items():
        values.sort()
        health[provider].p50_ms = percentile(values, 0.5)
        health[provider].p95_ms = percentile(values, 0.95)
    return health


def choices(filters: Filters) -> tuple[list[str], list[str]]:
    """Countries and providers seen in the range, for the filter menus."""
    base = Filters(days=filters.days, now=filters.now)
    qs = messages(base)
    countries = sorted(c for c in qs.values_list("country", flat=True).distinct() if c)
    providers = sorted(p for p in qs.values_list("provider", flat=True).distinct() if p)
    return countries, providers
