"""The dashboard's numbers, from cells of (day, country, provider): see ``rollup``.

One ``rollup.read()`` call gives every cell of the range (rolled-up days from
the rollup table, the last days grouped live from ``message_stats_idx``;
nothing is built here, see ``refresh.py``); the
totals, the per-day, per-country and per-provider rows and their percentiles
are folded from those cells in Python, the rolled-up days' sums cached until
the rollup changes. Provider health unnests the attempts (JSON) of the last 24
hours, live.

Every figure is of ``Filters.tenants`` (None: every tenant, the whole gateway): the
admin screen decides whose (``admin/dashboard.py``), the queries only obey.
"""

from __future__ import annotations

import contextlib
import math
import operator
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from ..models import DeliveryStatsDay, Message
from . import receipts, rollup

HEALTH_WINDOW = timedelta(hours=24)


@dataclass(frozen=True)
class Filters:
    days: int = 7
    country: str = ""
    provider: str = ""
    now: datetime | None = None
    tenants: rollup.Tenants = None  # whose records; None: every tenant's

    @property
    def tenant_key(self) -> str:
        """The tenants in a cache key: "all", or their ids."""
        return "all" if self.tenants is None else ",".join(map(str, sorted(self.tenants)))

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
    undelivered: int = 0  # its receipt says undelivered or dropped
    failed: int = 0  # no provider took it
    rejected: int = 0  # refused: the fraud guard, a blocked destination or the recipient
    segments: int = 0
    converted: int = 0
    p50_ms: float | None = None
    p95_ms: float | None = None
    # Sent through a provider whose receipts count (``receipts``); None: every one.
    measured_sent: int | None = None

    @property
    def delivery_rate(self) -> float | None:
        """Delivered / sent, of the SMS whose provider's receipts reach the gateway."""
        sent = self.sent if self.measured_sent is None else self.measured_sent
        return self.delivered / sent if sent else None

    @property
    def unmeasured(self) -> bool:
        """SMS were sent, none through a provider whose receipts reach the gateway."""
        return bool(self.sent) and self.measured_sent == 0

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
    if filters.tenants is not None:
        qs = qs.filter(tenant_id__in=filters.tenants)
    return qs.order_by()


def postgres() -> bool:
    return connection.vendor == "postgresql"


KEYS = {
    "day": lambda c: c.day,
    "country": lambda c: c.country,
    "provider": lambda c: c.provider,
    # What each provider sent per day and country: the rates' denominators (``_measure``).
    "day+provider": lambda c: (c.day, c.provider),
    "country+provider": lambda c: (c.country, c.provider),
    None: lambda c: None,
}


def fold(cells: list[rollup.Cell], by: str | None) -> dict[object, Row]:
    """Add cells up per day, country or provider (or all of them: ``by=None``)."""
    return fold_many(cells, (by,))[by]


def fold_many(
    cells: list[rollup.Cell], bys: tuple[str | None, ...]
) -> dict[str | None, dict[object, Row]]:
    """``fold`` for several groupings in one pass."""
    return _rows(_vectors(cells, bys))


def _vectors(
    cells: list[rollup.Cell], bys: tuple[str | None, ...]
) -> dict[str | None, dict[object, list[int]]]:
    """Per grouping and key, the counts then the histogram as one vector, added with
    ``map`` (90 days of 47 countries and 3 providers are some 16,000 cells)."""
    sums: dict[str | None, dict[object, list[int]]] = {by: {} for by in bys}
    keys = [(KEYS[by], sums[by], bool(by and "+" in by)) for by in bys]
    for cell in cells:
        vector = [*(getattr(cell, name) for name in rollup.COUNTS), *cell.latency]
        sent = [cell.sent]  # all the per provider groupings need (``_measure``)
        for key_of, into, sent_only in keys:
            key = key_of(cell)
            value = sent if sent_only else vector
            current = into.get(key)
            into[key] = value if current is None else list(map(operator.add, current, value))
    return sums


def _merged(a: dict, b: dict) -> dict:
    merged = {}
    for by in a.keys() | b.keys():
        into = dict(a.get(by, {}))
        for key, vector in b.get(by, {}).items():
            current = into.get(key)
            into[key] = vector if current is None else list(map(operator.add, current, vector))
        merged[by] = into
    return merged


def _rows(sums: dict[str | None, dict[object, list[int]]]) -> dict[str | None, dict[object, Row]]:
    width = len(rollup.COUNTS)
    folded: dict[str | None, dict[object, Row]] = {}
    for by, vectors in sums.items():
        rows = folded[by] = {}
        for key, vector in vectors.items():
            if by and "+" in by:
                rows[key] = Row(key, sent=vector[0])  # only ``sent`` (``_vectors``)
                continue
            row = rows[key] = Row(key, *vector[:width])
            row.p50_ms = rollup.percentile_from_histogram(vector[width:], 0.5)
            row.p95_ms = rollup.percentile_from_histogram(vector[width:], 0.95)
    return folded


def range_cells(filters: Filters) -> list[rollup.Cell]:
    return rollup.read(
        filters.start,
        filters.end,
        filters.country,
        filters.provider,
        filters.now,
        tenants=filters.tenants,
    ).cells


def summary(filters: Filters, by: str | None = None) -> list[Row]:
    """One row per day, country or provider (``by``), or one row for the whole range."""
    rows = list(fold(range_cells(filters), by).values())
    return rows or ([Row()] if by is None else [])


def _days(filters: Filters, rows: dict[object, Row]) -> list[Row]:
    return [rows.get(day) or Row(key=day) for day in filters.dates()]


def _ranked(rows: dict[object, Row], limit: int) -> list[Row]:
    return sorted(rows.values(), key=lambda r: (-r.total, str(r.key)))[:limit]


def by_day(filters: Filters) -> list[Row]:
    """Every day of the range, in order, days without SMS included."""
    return _days(filters, fold(range_cells(filters), "day"))


def by_volume(filters: Filters, by: str, limit: int = 25) -> list[Row]:
    return _ranked(fold(range_cells(filters), by), limit)


def percentile(sorted_values: list[float], fraction: float) -> float | None:
    """Linear interpolation between closest ranks, as PostgreSQL's percentile_cont."""
    if not sorted_values:
        return None
    position = (len(sorted_values) - 1) * fraction
    low, high = math.floor(position), math.ceil(position)
    return sorted_values[low] + (sorted_values[high] - sorted_values[low]) * (position - low)


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


def health_start(filters: Filters) -> datetime:
    """Provider health covers the last 24 hours of the range: the state of the providers now."""
    return max(filters.start, filters.end - HEALTH_WINDOW)


def provider_health(filters: Filters) -> list[ProviderHealth]:
    """Per provider attempted: attempts, failures by category, duration percentiles."""
    if postgres():
        where, params = "", [health_start(filters), filters.end]
        if filters.country:
            where += " AND m.country = %s"
            params.append(filters.country)
        if filters.provider:
            where += " AND a.value ->> 'provider' = %s"
            params.append(filters.provider)
        if filters.tenants is not None:
            where += " AND m.tenant_id = ANY(%s)"
            params.append(list(filters.tenants))
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
    qs = Message.objects.filter(created_at__gte=health_start(filters), created_at__lt=filters.end)
    if filters.country:
        qs = qs.filter(country=filters.country)
    if filters.tenants is not None:
        qs = qs.filter(tenant_id__in=filters.tenants)
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


def choices(filters: Filters, seen: Iterable[str] = ()) -> tuple[list[str], list[str]]:
    """Countries ever recorded and providers configured or seen, for the filter menus.

    Of some tenants only: the countries of their rollup and ``seen`` (those of the
    range shown), never another tenant's (the whole table's would be a skip scan
    reading every tenant's records)."""
    from ..providers import provider_aliases

    if filters.tenants is not None:
        rolled = (
            DeliveryStatsDay.objects.filter(tenant_id__in=filters.tenants)
            .values_list("country", flat=True)
            .distinct()
            .order_by()
        )
        found = {*rolled, *seen, filters.country}
        countries = sorted(c for c in found if c)
    elif postgres():
        # A skip scan of message_country_idx: one index probe per country.
        with connection.cursor() as cursor:
            cursor.execute(COUNTRIES_SQL)
            countries = [row[0] for row in cursor.fetchall() if row[0]]
    else:
        countries = sorted(
            c for c in Message.objects.values_list("country", flat=True).distinct() if c
        )
    providers = set(provider_aliases())
    if filters.provider:
        providers.add(filters.provider)
    return countries, sorted(providers)


COUNTRIES_SQL = """
WITH RECURSIVE seen(country) AS (
    (SELECT country FROM sms_gateway_message ORDER BY country LIMIT 1)
    UNION ALL
    SELECT (SELECT m.country FROM sms_gateway_message m
            WHERE m.country > seen.country ORDER BY m.country LIMIT 1)
    FROM seen WHERE seen.country IS NOT NULL
)
SELECT country FROM seen WHERE country IS NOT NULL
"""


@contextmanager
def reading() -> Iterator[None]:
    """One short read transaction with settings fit for a few large aggregates.

    PostgreSQL's JIT compiler takes seconds to plan what runs in milliseconds here
    (it is misled by ``jsonb_array_elements``'s row estimate), and the default
    ``work_mem`` makes the percentiles' sorts spill to disk.
    """
    with transaction.atomic():
        if postgres():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL jit = off")
                cursor.execute("SET LOCAL work_mem = '64MB'")
        yield


@dataclass
class Overview:
    total: Row
    days: list[Row]
    countries: list[Row]
    providers: list[Row]
    coverage: rollup.Coverage | None = None
    receipts: receipts.Receipts = field(default_factory=receipts.Receipts)


def _measure(
    folded: dict[str | None, dict[object, Row]], problems: dict[str, str]
) -> receipts.Receipts:
    """Decide whose receipts count (``receipts.decide``) and give every row the SMS its
    rate is over: those of the providers with receipts in the range."""
    providers = folded["provider"]
    found = receipts.decide(
        {p: row.sent for p, row in providers.items()},
        {p: row.delivered + row.undelivered for p, row in providers.items()},
        problems,
    )
    for by in ("day", "country"):
        rows = folded[by]
        for row in rows.values():
            row.measured_sent = 0
        for (key, provider), pair in folded[f"{by}+provider"].items():
            if provider in found.measured:
                rows[key].measured_sent += pair.sent
    for provider, row in providers.items():
        row.measured_sent = row.sent if provider in found.measured else 0
    for row in folded[None].values():
        row.measured_sent = sum(providers[p].sent for p in found.measured)
    return found


def overview(filters: Filters, limit: int = 25, problems: dict[str, str] | None = None) -> Overview:
    """The whole range, per day, per country and per provider: the rolled-up days'
    sums (cached, see ``rolled_up_sums``) plus the live days' cells. ``problems``:
    why each alias's receipts cannot reach the gateway (``receipts.setup_problems``)."""
    coverage = rollup.read(
        filters.start,
        filters.end,
        filters.country,
        filters.provider,
        filters.now,
        stored=False,
        tenants=filters.tenants,
    )
    sums = _vectors(coverage.cells, OVERVIEW)
    if coverage.stored_days:
        sums = _merged(rolled_up_sums(filters, coverage), sums)
    folded = _rows(sums)
    found = _measure(folded, problems or {})
    return Overview(
        total=folded[None].get(None) or Row(measured_sent=0),
        days=_days(filters, folded["day"]),
        countries=_ranked(folded["country"], limit),
        providers=_ranked(folded["provider"], limit),
        coverage=coverage,
        receipts=found,
    )


OVERVIEW = (None, "day", "country", "provider", "day+provider", "country+provider")
ROLLED_UP_CACHE_SECONDS = 24 * 3600


def rolled_up_sums(filters: Filters, coverage: rollup.Coverage) -> dict:
    """The rolled-up days' sums, from the shared cache when nothing was rolled up since:
    closed days never change, and adding up 16,000 cells is most of a 90-day page."""
    # v2: with the per provider groupings (OVERVIEW); v3: whose (a tenant's own sums)
    key = (
        f"sms_gateway:dashboard:v3:{filters.tenant_key}:{filters.country}:{filters.provider}:"
        f"{coverage.version}"
    )
    try:
        found = cache.get(key)
    except Exception:  # the cache is down: add them up
        found = None
    if found is None:
        cells = rollup.stored_cells(
            *coverage.stored_days, filters.country, filters.provider, filters.tenants
        )
        found = _vectors(cells, OVERVIEW)
        with contextlib.suppress(Exception):  # the cache is down: the next view adds up
            cache.set(key, found, ROLLED_UP_CACHE_SECONDS)
    return found
