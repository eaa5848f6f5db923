"""The two-tenant bench's verdicts (bench/tenants.py, bench/report.py), without a run:
what it says when the second tenant's traffic did not go its own way, or was slower."""

from __future__ import annotations

from collections import Counter

from bench.load import LoadResult
from bench.measure import ROUND_TRIPS
from bench.report import TargetResult, render_tenants
from bench.tenants import ALIAS, records


def run(requests: int, p50_ms: float = 5.0, errors: int = 0) -> LoadResult:
    return LoadResult(16, requests, 10.0, errors, 0, p50_ms, 9.0, 20.0, 30.0, "")


def target(name: str, rps: int, sms: int) -> TargetResult:
    result = TargetResult(name, c1=run(200), c16=run(rps * 10), cpu_ms=3.0, sms=sms)
    result.sql = Counter({"INSERT": sms, "UPDATE": sms})
    result.redis = Counter({"evalsha": 2 * sms, ROUND_TRIPS: 2 * sms})
    return result


def rows(default_sent: int, second_sent: int, second_alias: str = ALIAS) -> list[tuple]:
    """What tenants.RECORDS returns: tenant, provider, status, count, with its text."""
    return [
        (1, "twilio", "sent", default_sent, 0),
        (2, second_alias, "sent", second_sent, second_sent if second_alias == ALIAS else 0),
    ]


def verdicts(report: str) -> dict[str, str]:
    """Each target's text (before its value) and its mark, ok or MISS."""
    found = {}
    for line in report.splitlines():
        if line.startswith("- **"):
            mark, text = line[4:].split("** ", 1)
            found[text.rsplit(": ", 1)[0]] = mark
    return found


NO_REGRESSION = (
    "two tenants: no regression beyond noise, ≥ 0.9× the single-tenant project at 16 connections"
)
BOTH_SENT = "both tenants sent, each with its own text, route and counters, no errors"


def test_records_counts_each_tenants_records_alias_and_text():
    seen = records([*rows(10, 7), (2, ALIAS, "rejected", 1, 1)])
    assert seen[1] == {"records": 10, "sent": 10, "own alias": 0, "own text": 0}
    assert seen[2] == {"records": 8, "sent": 7, "own alias": 8, "own text": 8}


def test_both_tenants_sending_their_own_way_at_the_same_speed_is_ok():
    report = render_tenants(
        target("one", 100, 1000), target("two", 98, 980), records(rows(490, 490)), 2, (5, 9)
    )
    assert len(verdicts(report)) == 4, report
    assert set(verdicts(report).values()) == {"ok"}, report
    assert "| req/s, 16 connections | 100 | 98 | 0.98× |" in report
    assert "- tenant 2 (id 2): 490 records, 490 sent, 490 through" in report


def test_a_slower_two_tenant_project_or_traffic_not_split_is_a_miss():
    slower = render_tenants(
        target("one", 100, 1000), target("two", 80, 800), records(rows(400, 400)), 2, (5, 9)
    )
    assert verdicts(slower)[NO_REGRESSION] == "MISS", slower
    # The second tenant's SMS went through the default's route, or it had none at all.
    for sent in (records(rows(400, 400, second_alias="twilio")), records(rows(800, 0)[:1])):
        report = render_tenants(target("one", 100, 1000), target("two", 100, 800), sent, 2, (5, 9))
        assert verdicts(report)[BOTH_SENT] == "MISS", report
    # No Redis counter of its own: its rate limits were not counted apart.
    report = render_tenants(
        target("one", 100, 1000), target("two", 100, 800), records(rows(400, 400)), 2, (0, 9)
    )
    assert verdicts(report)[BOTH_SENT] == "MISS", report
