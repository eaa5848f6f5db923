"""Closed days, rolled up: what keeps the dashboard fast on millions of records.

A day is *closed* ``CLOSE_AFTER`` after it ends: its receipts (carriers report
within hours; Vonage expires undeliverable SMS after 72 h at most) and its
conversions are in, so its numbers no longer change. Its rows are grouped once
by country and provider into ``DeliveryStatsDay`` (counts, and a histogram of
time to delivery) by ``manage.py rollup_deliveries`` (at deploy), each worker's
hourly pass and ``purge_messages`` (see ``refresh.py``), never by a page view:
the dashboard reads what is there (``read``), groups the open days live, and
says how fresh the rollup is and which closed days it lacks.

Cells are per tenant in the rollup (a day is built for every tenant at once); a
reader gives the tenants it may see (``tenants``; None: every tenant, the whole
gateway) and gets only theirs, read from the same indexes. Either way the same
cells come out, so everything above them (totals, per day, per country, per
provider, percentiles from the histograms) is one code path.

Percentiles from a histogram are approximate: exact at the buckets' edges,
linear between them (LATENCY_EDGES_MS: 250 ms steps to 3 s, then coarser).
"""

from __future__ import annotations

import bisect
import itertools
import math
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Q, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from ..core.delivery_status import DeliveryStatus
from ..core.tenants import DEFAULT_TENANT_ID
from ..models import DeliveryStatsDay, Message

CLOSE_AFTER = timedelta(days=3)
# A day closed less than this ago and not rolled up yet is grouped live meanwhile: the
# workers' pass runs every SMS_ROLLUP_INTERVAL (an hour), so it is there by then.
LIVE_GRACE = timedelta(days=1)
# Upper edges of the time-to-delivery buckets, in ms; the last bucket is open-ended.
LATENCY_EDGES_MS = (
    *range(250, 3001, 250),  # 250 ms steps to 3 s: where most codes arrive
    4000, 5000, 6000, 8000, 10_000, 12_500, 15_000, 20_000, 25_000, 30_000, 45_000,
    60_000, 90_000, 120_000, 180_000, 300_000, 600_000, 1_800_000, 3_600_000,
)  # fmt: skip
BUCKETS = len(LATENCY_EDGES_MS) + 1


@dataclass
class Cell:
    """One day, country and provider."""

    day: date
    country: str
    provider: str
    total: int = 0
    sent: int = 0
    delivered: int = 0
    undelivered: int = 0
    failed: int = 0
    rejected: int = 0
    segments: int = 0
    converted: int = 0
    latency: list[int] = field(default_factory=lambda: [0] * BUCKETS)
    tenant: int = DEFAULT_TENANT_ID  # only live cells grouped per tenant (``build_day``) say


# Whose records a reader sees: None, every tenant's; else these tenants' only.
Tenants = tuple[int, ...] | None

COUNTS = (
    "total",
    "sent",
    "delivered",
    "undelivered",
    "failed",
    "rejected",
    "segments",
    "converted",
)


def bucket_of(ms: int) -> int:
    return bisect.bisect_left(LATENCY_EDGES_MS, ms)


def percentile_from_histogram(counts: list[int], fraction: float) -> float | None:
    """``percentile_cont`` over the values the histogram counted, each bucket's values
    taken as spread evenly across it (so within one bucket's width of the exact one)."""
    cumulative = list(itertools.accumulate(counts))
    n = cumulative[-1] if cumulative else 0
    if not n:
        return None

    def value_at(k: int) -> float:  # the k-th smallest value (0-based), spread evenly
        index = bisect.bisect_right(cumulative, k)
        low = LATENCY_EDGES_MS[index - 1] if index else 0
        high = LATENCY_EDGES_MS[index] if index < len(LATENCY_EDGES_MS) else 2 * low
        before = cumulative[index - 1] if index else 0
        return low + (high - low) * (k - before + 0.5) / counts[index]

    rank = fraction * (n - 1)
    below, above = math.floor(rank), math.ceil(rank)
    return value_at(below) + (value_at(above) - value_at(below)) * (rank - below)


def _bucket_counts() -> dict[str, Count]:
    """One count per time-to-delivery bucket: ``lo < delivery_ms <= hi``."""
    lows = (None, *LATENCY_EDGES_MS)
    highs = (*LATENCY_EDGES_MS, None)
    counts = {}
    for i, (low, high) in enumerate(zip(lows, highs, strict=True)):
        within = Q()  # NULL (no receipt yet) is in no bucket
        if low is not None:
            within &= Q(delivery_ms__gt=low)
        if high is not None:
            within &= Q(delivery_ms__lte=high)
        counts[f"b{i}"] = Count("created_at", filter=within)
    return counts


def live_queryset(
    start: datetime,
    end: datetime,
    country: str = "",
    provider: str = "",
    tenants: Tenants = None,
    per_tenant: bool = False,
) -> QuerySet:
    """The records of ``[start, end)`` grouped by day, country and provider (and tenant
    with ``per_tenant``), with their histogram as one count per bucket: one row per
    cell (a few hundred a day, where a row per bucket was thousands to convert in
    Python), read from ``message_stats_idx`` (an index-only scan on PostgreSQL; its
    INCLUDE list has the tenant, so ``tenants`` filters the index's own entries)."""
    qs = Message.objects.filter(created_at__gte=start, created_at__lt=end).order_by()
    if tenants is not None:
        qs = qs.filter(tenant_id__in=tenants)
    if country:
        qs = qs.filter(country=country)
    if provider:
        qs = qs.filter(provider=provider)
    failed_delivery = [DeliveryStatus.UNDELIVERED, DeliveryStatus.DROPPED]
    return (
        qs.annotate(day=TruncDate("created_at"))
        .values("day", "country", "provider", *(["tenant_id"] if per_tenant else []))
        .annotate(
            total=Count("created_at"),
            sent=Count("created_at", filter=Q(status=Message.Status.SENT)),
            delivered=Count("created_at", filter=Q(delivery_status=DeliveryStatus.DELIVERED)),
            undelivered=Count("created_at", filter=Q(delivery_status__in=failed_delivery)),
            failed=Count("created_at", filter=Q(status=Message.Status.FAILED)),
            rejected=Count("created_at", filter=Q(status=Message.Status.REJECTED)),
            segments=Sum("segments", filter=Q(status=Message.Status.SENT)),
            converted=Count("converted_at"),
            **_bucket_counts(),
        )
    )


def live_cells(
    start: datetime,
    end: datetime,
    country: str = "",
    provider: str = "",
    tenants: Tenants = None,
    per_tenant: bool = False,
) -> list[Cell]:
    """Group the records of ``[start, end)`` into cells, in one query."""
    buckets = [f"b{i}" for i in range(BUCKETS)]
    return [
        Cell(
            row["day"],
            row["country"],
            row["provider"],
            *(row[name] or 0 for name in COUNTS),
            latency=[row[name] for name in buckets],
            tenant=row.get("tenant_id", DEFAULT_TENANT_ID),
        )
        for row in live_queryset(start, end, country, provider, tenants, per_tenant)
    ]


def day_bounds(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time.min, tzinfo=UTC)
    return start, start + timedelta(days=1)


def is_closed(day: date, now: datetime) -> bool:
    return day_bounds(day)[1] + CLOSE_AFTER <= now


def build_day(day: date, now: datetime | None = None) -> int:
    """(Re)write the rolled-up cells of one closed day, every tenant's; returns how many."""
    now = now or timezone.now()
    cells = live_cells(*day_bounds(day), per_tenant=True)
    rows = [
        DeliveryStatsDay(
            day=day,
            tenant_id=c.tenant,
            country=c.country,
            provider=c.provider,
            computed_at=now,
            latency=c.latency,
            **{name: getattr(c, name) for name in COUNTS},
        )
        for c in cells
    ]
    try:
        with transaction.atomic():
            DeliveryStatsDay.objects.filter(day=day).delete()
            DeliveryStatsDay.objects.bulk_create(rows)
    except IntegrityError:  # another worker built it at the same moment
        pass
    return len(rows)


def ensure_days(first: date, last: date, now: datetime | None = None) -> int:
    """Build the closed days of ``[first, last]`` missing or built before they closed."""
    now = now or timezone.now()
    built = {
        d: computed
        for d, computed in DeliveryStatsDay.objects.filter(day__gte=first, day__lte=last)
        .values_list("day", "computed_at")
        .order_by("day", "computed_at")
    }
    count = 0
    day = first
    while day <= last and is_closed(day, now):
        begin, finish = day_bounds(day)
        computed = built.get(day)
        stale = computed is not None and computed < finish + CLOSE_AFTER
        # A closed day without records has no cells: only an index probe each time.
        missing = computed is None and (
            Message.objects.filter(created_at__gte=begin, created_at__lt=finish).exists()
        )
        if stale or missing:
            build_day(day, now)
            count += 1
        day += timedelta(days=1)
    return count


def stored_cells(
    first: date, last: date, country: str = "", provider: str = "", tenants: Tenants = None
) -> list[Cell]:
    """The rolled-up cells of ``tenants`` (None: every tenant's, not added up: the
    folding in ``queries`` adds the cells of one day, country and provider)."""
    qs = DeliveryStatsDay.objects.filter(day__gte=first, day__lte=last)
    if tenants is not None:
        qs = qs.filter(tenant_id__in=tenants)
    if country:
        qs = qs.filter(country=country)
    if provider:
        qs = qs.filter(provider=provider)
    # Tuples, not model instances: 90 days of 47 countries are some 16,000 rows.
    cells = []
    for day, row_country, row_provider, *counts, latency in qs.order_by().values_list(
        "day", "country", "provider", *COUNTS, "latency"
    ):
        latency = list(latency or [])
        cells.append(
            Cell(
                day,
                row_country,
                row_provider,
                *counts,
                latency=latency + [0] * (BUCKETS - len(latency)),
            )
        )
    return cells


@dataclass
class Coverage:
    """What the dashboard read for a range, and how fresh it is."""

    cells: list[Cell]  # the live ones only when read(stored=False)
    rolled_up_at: datetime | None = None  # when the newest rolled-up day of the range was built
    rolled_up_days: int = 0
    live_from: date | None = None  # days from this one on are grouped live
    missing: list[date] = field(default_factory=list)  # closed, with records, not rolled up
    stored_days: tuple[date, date] | None = None  # the first and last day read from the rollup

    @property
    def version(self) -> str:
        """Changes whenever the rolled-up part would: another day, a day built again."""
        at = self.rolled_up_at.isoformat() if self.rolled_up_at else "-"
        days = "-".join(d.isoformat() for d in self.stored_days or ())
        return f"{days}:{self.rolled_up_days}:{at}"


def read(
    start: datetime,
    end: datetime,
    country: str = "",
    provider: str = "",
    now: datetime | None = None,
    stored: bool = True,
    tenants: Tenants = None,
) -> Coverage:
    """Every cell of ``[start, end)`` (whole days from ``start``) without building
    anything: rolled-up days from the rollup, the open days (and a day closed within
    ``LIVE_GRACE``, not rolled up yet) live. A closed day older than that without its
    rollup is counted as nothing and listed in ``missing`` when it has records. With
    ``stored=False`` the rolled-up cells are left for the caller to read (or not).
    ``tenants``: whose cells (None: every tenant's); a day is rolled up for every
    tenant at once, so what is rolled up does not depend on it, what is missing does."""
    now = now or timezone.now()
    first = start.astimezone(UTC).date()
    last = (end - timedelta(microseconds=1)).astimezone(UTC).date()
    built = dict(
        DeliveryStatsDay.objects.filter(day__gte=first, day__lte=last)
        .values("day")
        .annotate(at=Max("computed_at"))
        .values_list("day", "at")
        .order_by()
    )
    live_from = last + timedelta(days=1)
    day = last
    while day >= first and (
        not is_closed(day, now)
        or (day not in built and day_bounds(day)[1] + CLOSE_AFTER + LIVE_GRACE > now)
    ):
        live_from = day
        day -= timedelta(days=1)
    rolled = {d: at for d, at in built.items() if d < live_from}
    missing = []
    day = first
    while day < live_from:
        begin, finish = day_bounds(day)
        records = Message.objects.filter(created_at__gte=begin, created_at__lt=finish)
        if tenants is not None:
            records = records.filter(tenant_id__in=tenants)
        if day not in rolled and records.exists():
            missing.append(day)
        day += timedelta(days=1)
    stored_days = (first, live_from - timedelta(days=1)) if rolled else None
    found = stored_cells(*stored_days, country, provider, tenants) if stored and rolled else []
    if live_from <= last:
        found += live_cells(max(start, day_bounds(live_from)[0]), end, country, provider, tenants)
    return Coverage(
        cells=found,
        rolled_up_at=max(rolled.values(), default=None),
        rolled_up_days=len(rolled),
        live_from=live_from if live_from <= last else None,
        missing=missing,
        stored_days=stored_days,
    )
