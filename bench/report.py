"""The results as one markdown table, with the issue's targets marked ok or MISS."""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from . import paired
from .load import LoadResult
from .measure import ROUND_TRIPS
from .paired import Paired

NA = "–"
# "The guard adds no SQL statement per SMS": a statement per SMS would be 1.0;
# below this, only what a worker runs once in a while (its snapshot) is left.
NO_STATEMENT = 0.05


@dataclass
class TargetResult:
    name: str
    c1: LoadResult | None = None
    c16: LoadResult | None = None
    cpu_ms: float | None = None  # per request, gunicorn master + workers, 16 connections
    sms: int = 0  # messages the fake provider received during the 16-connection run
    sql: Counter | None = None  # statements run during the 16-connection run, by text
    redis: Counter | None = None  # commands run during the 16-connection run, by name
    rss_mb: float | None = None
    busy: tuple[float, float] | None = None  # machine CPU busy and stolen %, 16 connections
    split: list[float] | None = None  # each worker's share of the workers' CPU, 16 connections
    slow: LoadResult | None = None
    notes: list[str] = field(default_factory=list)

    def per_sms(self, counts: Counter | None) -> float | None:
        if counts is None or not self.sms:
            return None
        return sum(counts.values()) / self.sms

    @property
    def sql_per_sms(self) -> float | None:
        return self.per_sms(self.sql)

    @property
    def redis_per_sms(self) -> float | None:
        """Commands run, those inside scripts included."""
        if self.redis is None:
            return None
        return self.per_sms(Counter({k: v for k, v in self.redis.items() if k != ROUND_TRIPS}))

    @property
    def script_calls_per_sms(self) -> float | None:
        """Lua script calls (EVALSHA, EVAL): each one round trip, all the guard makes."""
        if self.redis is None or not self.sms:
            return None
        return (self.redis["evalsha"] + self.redis["eval"]) / self.sms

    @property
    def redis_trips_per_sms(self) -> float | None:
        """Requests the server read: a pipeline or a script call is one."""
        if self.redis is None or not self.sms:
            return None
        return self.redis[ROUND_TRIPS] / self.sms


def num(value: float | None, digits: int = 1) -> str:
    return NA if value is None else f"{value:,.{digits}f}"


def ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a is not None and b else None


def attr(result: LoadResult | None, name: str) -> float | None:
    return None if result is None else getattr(result, name)


def minus(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None else a - b


def render(
    header: dict[str, str],
    a: TargetResult,
    b: TargetResult,
    c: TargetResult,
    p: TargetResult,
    g: TargetResult,
) -> str:
    """The table: floors A, B and C, the project (guard off), the project with its guard."""
    targets = (a, b, c, p, g)

    def row(label: str, values: list[str], versus: str = "") -> str:
        return f"| {label} | " + " | ".join(values) + f" | {versus} |"

    def load_row(label: str, run: str, name: str, digits: int, versus: str = "") -> str:
        return row(label, [num(attr(getattr(t, run), name), digits) for t in targets], versus)

    rps16 = [attr(t.c16, "rps") for t in targets]
    vs_a, vs_b, vs_c = (ratio(rps16[3], rps16[i]) for i in range(3))
    guarded_vs_c = ratio(rps16[4], rps16[2])
    p50_added = minus(attr(p.c1, "p50_ms"), attr(c.c1, "p50_ms"))
    cpu_added = minus(p.cpu_ms, c.cpu_ms)
    # What the guard costs: "project + guard" less the project, same run.
    guard_p50 = minus(attr(g.c1, "p50_ms"), attr(p.c1, "p50_ms"))
    guard_cpu = minus(g.cpu_ms, p.cpu_ms)
    guard_sql = minus(g.sql_per_sms, p.sql_per_sms)
    guard_redis = minus(g.redis_per_sms, p.redis_per_sms)
    # The guard's own requests are its script calls. The totals' difference also holds the
    # periodic reads (the catalog's version check, each second per worker), which come
    # more often per SMS when fewer SMS are served a second.
    guard_trips = minus(g.script_calls_per_sms, p.script_calls_per_sms)
    guard_all_trips = minus(g.redis_trips_per_sms, p.redis_trips_per_sms)
    slow_vs_b = ratio(attr(p.slow, "rps"), attr(b.slow, "rps"))
    slow_vs_c = ratio(attr(p.slow, "rps"), attr(c.slow, "rps"))
    slow_errors = sum(t.slow.errors for t in (c, p) if t.slow)
    slow_targets = (b, c, p)

    def errors(t: TargetResult) -> str:
        runs = [t.c1, t.c16]
        return " / ".join(NA if r is None else str(r.errors) for r in runs)

    def slow_row(label: str, value, versus: str = "") -> str:  # noqa: ANN001
        return row(label, [NA] + [value(t) for t in slow_targets] + [NA], versus)

    lines = [f"# SMS gateway benchmark ({header['mode']})", ""]
    lines += [f"- {k}: {v}" for k, v in header.items() if k != "mode"]
    lines += [
        "",
        "| metric | floor A: DRF, no I/O | floor B: plain Django + I/O | "
        "floor C: DRF + Twilio SDK + I/O | project | project + guard | project vs floors |",
        "|---|--:|--:|--:|--:|--:|---|",
        load_row("req/s, 1 connection", "c1", "rps", 0),
        load_row(
            "req/s, 16 connections",
            "c16",
            "rps",
            0,
            f"{num(vs_a, 2)}× A, {num(vs_b, 2)}× B, {num(vs_c, 2)}× C; "
            f"+ guard {num(guarded_vs_c, 2)}× C",
        ),
        load_row("p50 ms, 1 connection", "c1", "p50_ms", 2, f"{num(p50_added, 2)} ms over C"),
        load_row("p99 ms, 1 connection", "c1", "p99_ms", 2),
        load_row("p50 ms, 16 connections", "c16", "p50_ms", 2),
        load_row("p99 ms, 16 connections", "c16", "p99_ms", 2),
        row("errors (non-2xx + socket), 1 / 16 connections", [errors(t) for t in targets]),
        row(
            "CPU ms per request, 16 connections",
            [num(t.cpu_ms, 2) for t in targets],
            f"{num(cpu_added, 2)} ms over C",
        ),
        row(
            "machine CPU busy % (stolen %), 16 connections",
            [NA if t.busy is None else f"{t.busy[0]:.0f} ({t.busy[1]:.0f})" for t in targets],
        ),
        row(
            "workers' shares of their CPU %, 16 connections",
            [NA if not t.split else " / ".join(f"{s:.0f}" for s in t.split) for t in targets],
        ),
        row(
            "SQL statements per SMS",
            [NA] + [num(t.sql_per_sms, 3) for t in (b, c, p, g)],
        ),
        row("Redis commands per SMS", [NA, NA, NA] + [num(t.redis_per_sms, 3) for t in (p, g)]),
        row(
            "Redis round trips per SMS",
            [NA, NA, NA] + [num(t.redis_trips_per_sms, 3) for t in (p, g)],
        ),
        row("worker RSS MB (max, after the run)", [num(t.rss_mb) for t in targets]),
        slow_row("slow provider (300 ms), 200 connections: req/s",
                 lambda t: num(attr(t.slow, "rps")),
                 f"{num(slow_vs_b, 2)}× B, {num(slow_vs_c, 2)}× C"),
        slow_row(
            "slow provider: p50 / p99 ms",
            lambda t: f"{num(attr(t.slow, 'p50_ms'), 0)} / {num(attr(t.slow, 'p99_ms'), 0)}",
        ),
        slow_row(
            "slow provider: errors (non-2xx + socket)",
            lambda t: NA if t.slow is None else str(t.slow.errors),
        ),
        "",
        f"**guard adds {num(guard_p50, 2)} ms p50 at 1 connection, {num(guard_cpu, 2)} ms "
        f"CPU per SMS, {num(guard_sql, 3)} SQL statements, {num(guard_redis, 2)} Redis "
        f"commands and {num(guard_trips, 2)} Redis round trips per SMS** (its script calls; "
        f"{num(guard_all_trips, 3)} in all requests, the periodic reads included; project + "
        "guard less project, same run).",
        "",
        "project: the guard off (`SMS_GUARD=` empty), so that the floors compare the send "
        "path alone; project + guard: the default `SMS_GUARD` with limits that never "
        "refuse, every step run for every SMS. Floor C is the plainest code on the project's "
        "own stack: a DRF serializer with phonenumbers' check, the official Twilio SDK over a "
        "pooled session, a psycopg_pool INSERT before and UPDATE after. "
        "SQL: pg_stat_statements calls in the target's own database (empty-query health "
        "checks, such as psycopg_pool's, are not counted there); Redis commands: INFO "
        "commandstats (commands run inside Lua scripts count too); Redis round trips: INFO's "
        "total_reads_processed (a pipeline or a script call is one); "
        "per SMS: per message the fake provider answered. CPU: utime+stime of the gunicorn "
        "master and workers per completed request.",
        "",
        "## Targets",
        "",
    ]  # fmt: skip

    def target(met: bool | None, text: str, value: str) -> str:
        mark = "?" if met is None else ("ok" if met else "MISS")
        return f"- **{mark}** {text}: {value}"

    def at_most(value: float | None, limit: float) -> bool | None:
        return None if value is None else value <= limit

    def at_least(value: float | None, limit: float) -> bool | None:
        return None if value is None else value >= limit

    sql, redis = p.sql_per_sms, p.redis_trips_per_sms
    rss = max((t.rss_mb for t in (p, g) if t.rss_mb is not None), default=None)
    lines += [
        target(at_least(vs_c, 0.8), "project, guard off, ≥ 0.8× floor C at 16 connections",
               f"{num(vs_c, 2)}×"),
        target(at_most(p50_added, 0.5), "≤ 0.5 ms p50 over floor C at 1 connection",
               f"{num(p50_added, 2)} ms"),
        target(at_least(guarded_vs_c, 0.7), "project, guard on, ≥ 0.7× floor C at 16 connections",
               f"{num(guarded_vs_c, 2)}×"),
        target(at_most(guard_cpu, 0.3), "the guard adds ≤ 0.3 ms of CPU per SMS",
               f"{num(guard_cpu, 2)} ms"),
        target(at_most(guard_trips, 1.0), "the guard adds ≤ 1 Redis round trip per SMS",
               num(guard_trips, 3)),
        target(
            None if slow_vs_c is None else slow_vs_c >= 0.9 and slow_errors == 0,
            "slow provider: ≥ 0.9× floor C and 0 errors",
            f"{num(slow_vs_c, 2)}×, {slow_errors} errors",
        ),
        target(at_most(sql, 2 + NO_STATEMENT),
               "≤ 2 SQL statements per SMS (periodic jobs, a few per minute, aside)",
               num(sql, 3)),
        target(at_most(redis, 0.05), "guard off: ≤ 0.05 Redis round trips per SMS", num(redis, 3)),
        target(at_most(rss, 120), "worker RSS ≤ 120 MB after the slow run", f"{num(rss)} MB"),
        target(None if guard_sql is None else guard_sql < NO_STATEMENT,
               "guard adds no SQL statement per SMS", f"{num(guard_sql, 3)} "
               f"(ok below {NO_STATEMENT})"),
    ]  # fmt: skip
    if g.redis_per_sms is not None and g.redis_per_sms < 1:
        g.notes.append("project + guard made less than one Redis command per SMS: is its guard on?")
    lines += breakdown("Project's SQL statements per SMS (16 connections)", p.sql, p.sms)
    lines += breakdown("Project's Redis commands per SMS (16 connections)", p.redis, p.sms)
    if guard_sql is not None and guard_sql >= NO_STATEMENT:
        lines += breakdown("Project + guard: SQL statements per SMS (16 connections)", g.sql, g.sms)
    lines += breakdown("Project + guard: Redis commands per SMS (16 connections)", g.redis, g.sms)
    notes = [note for t in targets for note in t.notes]
    if notes:
        lines += ["", "## Notes", ""] + [f"- {note}" for note in notes]
    return "\n".join(lines) + "\n"


def breakdown(title: str, counts: Counter | None, sms: int) -> list[str]:
    if not counts or not sms:
        return []
    lines = ["", f"## {title}", "", "| per SMS | statement |", "|--:|---|"]
    for text, calls in counts.most_common(10):
        short = " ".join(text.split()).replace("|", "\\|")
        short = short if len(short) <= 90 else short[:87] + "..."
        lines.append(f"| {calls / sms:.3f} | `{short}` |")
    return lines


# "Two tenants: no regression beyond noise": throughput against the single-tenant
# project in the same run (the runs' spread on a shared machine is a few tenths).
TWO_TENANTS_FLOOR = 0.9


def render_tenants(
    one: TargetResult,
    two: TargetResult,
    sent: dict[int, dict[str, int]],
    second: int,
    keys: tuple[int, int],
) -> str:
    """``python -m bench --tenants``: the project with its guard on, one tenant and two.

    ``sent``: bench.tenants.records() of the 2-tenant project; ``second``: the second
    tenant's id; ``keys``: its own rate-limit counters in Redis, and all the keys.
    """

    def row(label: str, values: list[str], versus: str = "") -> str:
        return f"| {label} | " + " | ".join(values) + f" | {versus} |"

    def load_row(label: str, run: str, name: str, digits: int, versus: str = "") -> str:
        return row(label, [num(attr(getattr(t, run), name), digits) for t in (one, two)], versus)

    def more(a: float | None, b: float | None, digits: int, unit: str = "") -> str:
        d = minus(b, a)
        return NA if d is None else f"{d:+,.{digits}f}{unit}"

    vs = ratio(attr(two.c16, "rps"), attr(one.c16, "rps"))
    sql, trips = (
        minus(two.sql_per_sms, one.sql_per_sms),
        minus(two.redis_trips_per_sms, one.redis_trips_per_sms),
    )
    errors = [f"{t.c1.errors} / {t.c16.errors}" if t.c1 and t.c16 else NA for t in (one, two)]
    lines = [
        "",
        "## Two tenants (same run)",
        "",
        f"| metric | {one.name} | {two.name} | 2 tenants vs 1 |",
        "|---|--:|--:|---|",
        load_row("req/s, 16 connections", "c16", "rps", 0, f"{num(vs, 2)}×"),
        load_row("p50 ms, 1 connection", "c1", "p50_ms", 2,
                 more(attr(one.c1, "p50_ms"), attr(two.c1, "p50_ms"), 2, " ms")),
        load_row("p99 ms, 16 connections", "c16", "p99_ms", 2),
        row("CPU ms per request, 16 connections", [num(t.cpu_ms, 2) for t in (one, two)],
            more(one.cpu_ms, two.cpu_ms, 2, " ms")),
        row("SQL statements per SMS", [num(t.sql_per_sms, 3) for t in (one, two)],
            more(one.sql_per_sms, two.sql_per_sms, 3)),
        row("Redis round trips per SMS", [num(t.redis_trips_per_sms, 3) for t in (one, two)],
            more(one.redis_trips_per_sms, two.redis_trips_per_sms, 3)),
        row("errors (non-2xx + socket), 1 / 16 connections", errors),
        row("worker RSS MB (max, after the run)", [num(t.rss_mb) for t in (one, two)]),
        "",
        "Records of the 2-tenant project after all its runs, per tenant:",
        "",
    ]  # fmt: skip
    for tenant, seen in sorted(sent.items()):
        name = "default" if tenant == 1 else f"tenant {tenant}"
        lines.append(
            f"- {name} (id {tenant}): {seen['records']:,} records, {seen['sent']:,} sent, "
            f"{seen['own alias']:,} through the second tenant's alias, {seen['own text']:,} "
            "with its text"
        )
    lines.append(
        f"- Redis: {keys[0]:,} of the {keys[1]:,} keys are the second tenant's own "
        f"counters (`t{second}:` in the key)"
    )
    default, other = sent.get(1), sent.get(second)
    both = (
        default is not None
        and other is not None
        and default["sent"] > 0
        and default["own alias"] == default["own text"] == 0
        and other["sent"] > 0
        and other["own alias"] == other["own text"] == other["records"]
        and keys[0] > 0
    )
    no_errors = all(t.c1 and t.c16 and not (t.c1.errors or t.c16.errors) for t in (one, two))

    def target(met: bool | None, text: str, value: str) -> str:
        mark = "?" if met is None else ("ok" if met else "MISS")
        return f"- **{mark}** {text}: {value}"

    lines += [
        "",
        target(None if vs is None else vs >= TWO_TENANTS_FLOOR,
               f"two tenants: no regression beyond noise, ≥ {TWO_TENANTS_FLOOR}× the "
               "single-tenant project at 16 connections", f"{num(vs, 2)}×"),
        target(None if sql is None else sql < NO_STATEMENT,
               "two tenants: no SQL statement more per SMS", f"{num(sql, 3)} "
               f"(ok below {NO_STATEMENT})"),
        target(None if trips is None else trips < NO_STATEMENT,
               "two tenants: no Redis round trip more per SMS", f"{num(trips, 3)} "
               f"(ok below {NO_STATEMENT})"),
        target(both and no_errors,
               "both tenants sent, each with its own text, route and counters, no errors",
               f"{default['sent'] if default else 0:,} and {other['sent'] if other else 0:,} "
               "sent"),
    ]  # fmt: skip
    if sql is not None and sql >= NO_STATEMENT:
        lines += breakdown(f"{two.name}: SQL statements per SMS (16 connections)", two.sql, two.sms)
    if trips is not None and abs(trips) >= NO_STATEMENT:
        lines += breakdown(
            f"{two.name}: Redis commands per SMS (16 connections)", two.redis, two.sms
        )
    if two.notes:  # the single-tenant project's are in the first table's notes
        lines += ["", "Notes: " + "; ".join(two.notes)]
    return "\n".join(lines) + "\n"


def render_floor_d(
    c: TargetResult, d: TargetResult, p: TargetResult, g: TargetResult, dg: TargetResult
) -> str:
    """Floor D beside floor C and the project: whether the issue's ratios to floor C can be
    met by the least code that does the product's own work (bench/floors/product_views.py);
    and floor D + guard (``dg``), whether the guard's CPU target can be met by the least
    code that does the guard's work."""
    targets = (c, d, p, g, dg)

    def row(label: str, values: list[str], versus: str = "") -> str:
        return f"| {label} | " + " | ".join(values) + f" | {versus} |"

    def rps(t: TargetResult) -> float | None:
        return attr(t.c16, "rps")

    d_vs_c, p_vs_d, g_vs_d = ratio(rps(d), rps(c)), ratio(rps(p), rps(d)), ratio(rps(g), rps(d))
    slow_d_vs_c = ratio(attr(d.slow, "rps"), attr(c.slow, "rps"))
    slow_p_vs_d = ratio(attr(p.slow, "rps"), attr(d.slow, "rps"))
    p50_d = minus(attr(d.c1, "p50_ms"), attr(c.c1, "p50_ms"))
    p50_p = minus(attr(p.c1, "p50_ms"), attr(d.c1, "p50_ms"))
    least_guard_cpu, guard_cpu = minus(dg.cpu_ms, d.cpu_ms), minus(g.cpu_ms, p.cpu_ms)
    least_guard_trips = dg.redis_trips_per_sms
    notes = list(d.notes) + list(dg.notes)
    lines = [
        "",
        "## Floor D: the product's own work in the least code",
        "",
        "Floor C with, per SMS, what the product must do and nothing else: the token "
        "compared, the locale and template, the masked copy, encoding and segments, the "
        "route by prefix, every column written to the project's own table (its migrations, "
        "its indexes), the provider call under the wall-clock deadline, one JSON log line and "
        "the counters. What is left between floor D and the project is the catalog the "
        "operators edit, the guard, failover, receipts, tenants and the code's structure.",
        "",
        "| metric | floor C | floor D | project | project + guard | floor D + guard | versus |",
        "|---|--:|--:|--:|--:|--:|---|",
        row("req/s, 16 connections", [num(rps(t), 0) for t in targets],
            f"D {num(d_vs_c, 2)}× C; project {num(p_vs_d, 2)}× D, + guard {num(g_vs_d, 2)}× D"),
        row("p50 ms, 1 connection", [num(attr(t.c1, "p50_ms"), 2) for t in targets],
            f"D {num(p50_d, 2)} ms over C; project {num(p50_p, 2)} ms over D"),
        row("CPU ms per request, 16 connections", [num(t.cpu_ms, 2) for t in targets],
            f"D {num(minus(d.cpu_ms, c.cpu_ms), 2)} ms over C; project "
            f"{num(minus(p.cpu_ms, d.cpu_ms), 2)} ms over D; guard: least "
            f"{num(least_guard_cpu, 2)} ms, project's {num(guard_cpu, 2)} ms"),
        row("Redis round trips per SMS", [num(t.redis_trips_per_sms, 3) for t in targets]),
        row("SQL statements per SMS", [num(t.sql_per_sms, 3) for t in targets]),
        row("worker RSS MB (max, after the run)", [num(t.rss_mb) for t in targets]),
        row("slow provider (300 ms), 200 connections: req/s",
            [num(attr(t.slow, "rps")) for t in targets],
            f"D {num(slow_d_vs_c, 2)}× C; project {num(slow_p_vs_d, 2)}× D"),
        "",
        "Floor D + guard: floor D, each SMS first through the least code that does the "
        "guard's work: the number's type looked up, and the shipped rate limits and the "
        "pumping detector's counters checked and counted in one EVALSHA of the project's "
        "own script; no policies of country or prefix, configuration, metrics or fallbacks.",
        "",
        f"**The least guard adds {num(least_guard_cpu, 2)} ms of CPU per SMS over floor D** "
        f"in {num(least_guard_trips, 3)} Redis round trips (the issue asks ≤ 0.3 ms); the "
        f"project's guard adds {num(guard_cpu, 2)} ms over the project.",
        "",
        f"**Floor D reaches {num(d_vs_c, 2)}× floor C at 16 connections** (the issue asks the "
        f"project for 0.8×), {num(p50_d, 2)} ms p50 over C at 1 connection (asked: ≤ 0.5) and "
        f"{num(slow_d_vs_c, 2)}× C with the slow provider (asked: ≥ 0.9×).",
    ]  # fmt: skip
    if notes:
        lines += ["", "## Notes (floor D)", ""] + [f"- {note}" for note in notes]
    return "\n".join(lines) + "\n"


def render_paired(
    pairs: Paired, c: str, d: str, p: str, g: str, dg: str, ablated: Sequence[str] = ()
) -> str:
    """p50 at one connection with the targets' requests alternating (bench/paired.py): the
    issue's ≤ 0.5 ms over floor C, measured without the drift between wrk's slices;
    ``ablated``: floor D without one obligation each (``--ablate``), what each costs."""
    count = len(pairs.latencies[c])

    def row(name: str) -> str:
        ms = pairs.latencies[name]
        p90 = statistics.quantiles(ms, n=10)[-1] if len(ms) > 1 else ms[0]
        blocks = ", ".join(num(x, 2) for x in pairs.blocks_over(name, c))
        return (
            f"| {name} | {num(pairs.p50(name), 2)} | {num(p90, 2)} | "
            f"{num(pairs.over(name, c), 2)} | {blocks} | {pairs.errors[name]} |"
        )

    over = pairs.over(p, c)
    mark = "?" if any(pairs.errors.values()) else ("ok" if over <= 0.5 else "MISS")
    lines = [
        "",
        "## p50 at 1 connection, the targets alternating in bursts",
        "",
        f"One client, a keep-alive connection to each target, a burst of {paired.BURST} "
        f"requests to each in turn, the order shuffled every round; the last "
        f"{paired.BURST - paired.COLD} of each burst kept ({count:,} per target), made while "
        "the target runs hot. The client's own time is in every figure alike. Each fifth "
        "of the run gives its own difference: their spread is what noise is left.",
        "",
        "| target | p50 ms | p90 ms | p50 over floor C | over floor C, each fifth | errors |",
        "|---|--:|--:|--:|---|--:|",
        *(row(name) for name in (c, d, p, g, dg, *ablated)),
        "",
        f"- **{mark}** project, guard off, ≤ 0.5 ms p50 over floor C at 1 connection: "
        f"{num(over, 2)} ms (floor D {num(pairs.over(d, c), 2)} ms over C; the project "
        f"{num(pairs.over(p, d), 2)} ms over floor D)",
        f"- the guard adds {num(pairs.over(g, p), 2)} ms p50 (the least guard "
        f"{num(pairs.over(dg, d), 2)} ms over floor D)",
    ]
    if ablated:
        lines += ["", "What each of floor D's obligations costs at 1 connection (floor D's p50 "
                  "less that of floor D without it):", ""]  # fmt: skip
        lines += [
            f"- {name.removeprefix('floor D without ')}: {num(pairs.over(d, name), 2)} ms"
            for name in ablated
        ]
    return "\n".join(lines) + "\n"
