"""Each tenant its own figures (README, "Tenants"): the delivery dashboard and the home
page show an operator their tenant's records only, whatever parameter they pass; a
superuser sees every tenant and filters by tenant; the rollup is kept per tenant; the
upgrade (0013) keeps the rollup a single-tenant install had; the Messages list offers
the locales of the viewer's tenant."""

from __future__ import annotations

import html
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from sms_gateway.budgets import spend
from sms_gateway.core.tenants import DEFAULT_TENANT_ID
from sms_gateway.dashboard import queries, refresh, rollup
from sms_gateway.models import Budget, DeliveryStatsDay, Message, Template, Tenant

from .test_tenants_admin import operator

URL = "/admin/sms_gateway/deliverydashboard/"
B_PROVIDER = "b-only-route"  # the provider alias only tenant B's records name
B_COUNTRY = "JP"  # the country only tenant B sends to

pytestmark = pytest.mark.django_db


def record(tenant: int, at, country="FR", provider="locmem", delivery="", **fields) -> Message:
    attempts = [
        {"provider": provider, "outcome": "sent", "duration_ms": 120, "category": ""}
    ] + fields.pop("failed_attempts", [])
    m = Message.objects.create(
        tenant_id=tenant, to="+33612345678", type="SignIn", country=country, provider=provider,
        status=fields.pop("status", "sent"), delivery_status=delivery,
        delivery_ms=900 if delivery == "delivered" else None, segments=1, attempts=attempts,
        **fields,
    )  # fmt: skip
    Message.objects.filter(pk=m.pk).update(created_at=at)
    return m


@pytest.fixture
def world(django_user_model):
    """Tenant A (the default one): 3 SMS today, 2 on a rolled-up day; tenant B: 7 today
    (through its own provider, to its own country), 4 on the same rolled-up day and 1 on
    a closed day not rolled up (counted as nothing, named as missing), and a budget of
    its own, half spent."""
    now = timezone.now()
    group = Group.objects.create(name="b operators")
    b = Tenant.objects.create(slug="b", name="Tenant B", operators=group)
    old = now - timedelta(days=10)
    for _ in range(2):
        record(DEFAULT_TENANT_ID, old, delivery="delivered")
    for _ in range(4):
        record(b.pk, old, country=B_COUNTRY, provider=B_PROVIDER)
    assert refresh.refresh(now=now) >= 1  # the day ten days ago is rolled up, per tenant
    record(b.pk, now - timedelta(days=12), country=B_COUNTRY, provider=B_PROVIDER)  # missing
    for _ in range(3):
        record(DEFAULT_TENANT_ID, now - timedelta(minutes=5), delivery="delivered")
    failure = {"provider": B_PROVIDER, "outcome": "failed", "duration_ms": 80, "category": "x"}
    for _ in range(7):
        record(
            b.pk, now - timedelta(minutes=5), country=B_COUNTRY, provider=B_PROVIDER,
            failed_attempts=[failure], status="sent",
        )  # fmt: skip
    Budget.objects.create(tenant=b, country=B_COUNTRY, period="day", cap=Decimal("10"))
    spend.reset()
    spend.charge(B_COUNTRY, 5_000_000, now, [], "SignIn", frozenset(), tenant=b.pk)
    yield {
        "b": b,
        "a_operator": operator(django_user_model, "a-ops"),
        "b_operator": operator(django_user_model, "b-ops", group),
        "superuser": django_user_model.objects.create_superuser("root", "", "a-long-password-1"),
    }
    spend.reset()


def figures(client, **params) -> dict:
    answer = client.get(URL, {"days": 30, **params})
    assert answer.status_code == 200
    page = html.unescape(answer.content.decode())
    return {
        "sent": answer.context["total"]["sent"],
        "countries": {row["label"] for row in answer.context["tables"][1][2]},
        "providers": {row["label"] for row in answer.context["tables"][2][2]},
        "health": {h["provider"] for h in answer.context["health"]},
        "budgets": [(t, b.scope, b.spent) for t, b in answer.context["budgets"]],
        "country_choices": answer.context["country_choices"],
        "missing": answer.context["missing"],
        "page": page,
    }


# Every dashboard parameter an operator of A could try to reach B's figures with.
PROBES = [
    {},
    {"tenant": "B"},
    {"tenant": "B", "country": B_COUNTRY},
    {"tenant": "B", "provider": B_PROVIDER},
    {"country": B_COUNTRY},
    {"provider": B_PROVIDER},
    {"tenant": "B", "days": 1},
    {"tenant": "B", "days": 90},
    {"tenant": ""},
    {"tenant": "all"},
    {"tenant": "-1"},
    {"tenant": "1,B"},
]


def test_an_operator_sees_their_tenants_figures_only_by_any_parameter(client, world):
    b = world["b"].pk
    client.force_login(world["superuser"])
    assert figures(client)["sent"] == 16  # the cache of every tenant's rolled-up sums is warm
    client.force_login(world["a_operator"])
    for probe in PROBES:
        params = {k: str(v).replace("B", str(b)) for k, v in probe.items()}
        seen = figures(client, **params)
        narrowed = probe.get("country") or probe.get("provider")
        expected = 0 if narrowed else (3 if probe.get("days") == 1 else 5)
        assert seen["sent"] == expected, params
        assert B_COUNTRY not in seen["countries"] | set(seen["country_choices"]) or narrowed
        assert B_PROVIDER not in seen["providers"] | seen["health"], params
        assert seen["budgets"] == [], params
        assert seen["missing"] == "", params  # B's closed day without its rollup is not A's
        assert "Tenant B" not in seen["page"] and 'name="tenant"' not in seen["page"], params
        assert "No delivery receipts" not in seen["page"], params
    page = figures(client)["page"]
    assert "Delivery dashboard: Default" in page


def test_the_other_tenants_operator_sees_theirs(client, world):
    client.force_login(world["b_operator"])
    seen = figures(client, tenant=str(DEFAULT_TENANT_ID))  # A's id: ignored
    assert seen["sent"] == 11 and seen["countries"] == {B_COUNTRY}
    assert seen["providers"] == {B_PROVIDER} and seen["health"] == {B_PROVIDER}
    assert seen["country_choices"] == [B_COUNTRY]
    assert seen["budgets"] == [("", B_COUNTRY, Decimal("5"))]
    assert "1 closed day(s) with records are not rolled up yet" in seen["missing"]
    assert "No delivery receipts in this range." in seen["page"]  # none of B's SMS has one
    assert "Delivery dashboard: Tenant B" in seen["page"]


def test_a_superuser_sees_every_tenant_and_filters_by_tenant(client, world):
    b = world["b"].pk
    client.force_login(world["superuser"])
    everything = figures(client)
    assert everything["sent"] == 16
    assert everything["countries"] == {"FR", B_COUNTRY}
    assert everything["health"] == {"locmem", B_PROVIDER}
    assert everything["budgets"] == [("Tenant B", B_COUNTRY, Decimal("5"))]
    assert (
        'name="tenant"' in everything["page"]
        and "Delivery dashboard: all tenants" in (everything["page"])
    )
    only_b = figures(client, tenant=str(b))
    assert only_b["sent"] == 11 and only_b["countries"] == {B_COUNTRY}
    assert only_b["budgets"] == [("", B_COUNTRY, Decimal("5"))]
    assert f'<option value="{b}" selected>Tenant B</option>' in only_b["page"]
    only_a = figures(client, tenant=str(DEFAULT_TENANT_ID))
    assert only_a["sent"] == 5 and only_a["countries"] == {"FR"}
    assert only_a["health"] == {"locmem"} and only_a["budgets"] == []
    assert figures(client, tenant="999")["sent"] == 0  # no such tenant: nothing
    assert figures(client, tenant="x")["sent"] == 16  # not an id: every tenant


def today(client, **params) -> dict:
    page = html.unescape(client.get("/admin/", params).content.decode())
    sent = re.search(r'id="sms-today-sent"[^>]*><span class="value">(\d+)</span>', page)
    title = re.search(r"<h2>Today(.*?)</h2>", page)
    return {"sent": int(sent.group(1)), "title": title.group(1), "page": page}


def test_the_home_pages_figures_are_the_viewers_tenants(client, world):
    client.force_login(world["a_operator"])
    for params in ({}, {"tenant": world["b"].pk}):
        mine = today(client, **params)
        assert mine["sent"] == 3 and mine["title"] == ": Default"
        assert B_PROVIDER not in mine["page"]
    client.force_login(world["b_operator"])
    theirs = today(client)
    assert theirs["sent"] == 7 and theirs["title"] == ": Tenant B"
    row = rf'<th scope="row">{B_PROVIDER}</th><td><span[^>]*>failing</span>'
    assert re.search(row, theirs["page"])
    client.force_login(world["superuser"])
    everything = today(client)
    assert everything["sent"] == 10 and everything["title"] == ": all tenants"


def test_a_single_tenant_install_looks_as_before(admin_client, client, django_user_model):
    now = timezone.now()
    record(DEFAULT_TENANT_ID, now - timedelta(minutes=5))
    client.force_login(operator(django_user_model, "ops"))
    for viewer in (admin_client, client):
        page = viewer.get(URL).content.decode()
        assert "<title>Delivery dashboard |" in page and 'name="tenant"' not in page
        assert "<th>tenant</th>" not in page
        assert today(viewer)["title"] == ""


def test_the_rollup_is_kept_per_tenant(world):
    b = world["b"].pk
    day = (timezone.now() - timedelta(days=10)).date()
    stored = DeliveryStatsDay.objects.filter(day=day)
    rows = {(r.tenant_id, r.country, r.provider): r.sent for r in stored}
    assert rows == {(DEFAULT_TENANT_ID, "FR", "locmem"): 2, (b, B_COUNTRY, B_PROVIDER): 4}
    assert sum(c.sent for c in rollup.stored_cells(day, day, tenants=(b,))) == 4
    assert sum(c.sent for c in rollup.stored_cells(day, day)) == 6
    # Built again, a day is the same per tenant; the live cells of a tenant add up as stored.
    rollup.build_day(day)
    assert DeliveryStatsDay.objects.filter(day=day, tenant_id=b).count() == 1
    live = rollup.live_cells(*rollup.day_bounds(day), tenants=(DEFAULT_TENANT_ID,))
    assert [(c.country, c.sent) for c in live] == [("FR", 2)]
    filters = queries.Filters(days=30, tenants=(b,))
    assert queries.summary(filters)[0].sent == 11  # its day -12 is missing


def test_the_messages_locale_filter_lists_the_viewers_tenants_locales(client, world):
    Template.objects.create(tenant=world["b"], type="SignIn", locale="b-xx", text="{{code}}")
    url = "/admin/sms_gateway/message/"
    client.force_login(world["a_operator"])
    assert 'value="b-xx"' not in client.get(url).content.decode()
    assert 'value="en"' in client.get(url).content.decode()
    client.force_login(world["b_operator"])
    assert 'value="b-xx"' in client.get(url).content.decode()
    client.force_login(world["superuser"])
    assert 'value="b-xx"' in client.get(url).content.decode()


# --- the upgrade ----------------------------------------------------------------------

BEFORE = [("sms_gateway", "0012_tenants")]
AFTER = [("sms_gateway", "0013_dashboard_tenants")]


@pytest.mark.django_db(transaction=True)
def test_migration_0013_keeps_the_rollup_as_the_default_tenants():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    try:
        old = executor.loader.project_state(BEFORE).apps
        Stats = old.get_model("sms_gateway", "DeliveryStatsDay")
        OldMessage = old.get_model("sms_gateway", "Message")
        now = timezone.now()
        alone, mixed = (now - timedelta(days=20)).date(), (now - timedelta(days=10)).date()
        for day in (alone, mixed):
            Stats.objects.create(day=day, country="FR", provider="x", sent=5, computed_at=now)
        # A second tenant sent on one rolled-up day (with 0012): that day mixed tenants.
        old.get_model("sms_gateway", "Tenant").objects.create(slug="b", name="B", pk=2)
        for tenant in (DEFAULT_TENANT_ID, 2):
            m = OldMessage.objects.create(to="+33612345678", type="SignIn", tenant_id=tenant)
            OldMessage.objects.filter(pk=m.pk).update(created_at=now - timedelta(days=10))

        executor = MigrationExecutor(connection)  # a fresh graph, as `migrate` would
        executor.migrate(AFTER)
        new = executor.loader.project_state(AFTER).apps
        kept = new.get_model("sms_gateway", "DeliveryStatsDay").objects.values_list(
            "day", "tenant_id", "sent"
        )
        assert list(kept) == [(alone, DEFAULT_TENANT_ID, 5)]  # the mixed day is rebuilt

        executor = MigrationExecutor(connection)
        executor.migrate(BEFORE)  # reversible
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes("sms_gateway"))
    # The next pass builds the mixed day again, one row per tenant.
    assert refresh.refresh() >= 1
    rebuilt = DeliveryStatsDay.objects.filter(day=mixed).values_list("tenant_id", "total")
    assert sorted(rebuilt) == [(DEFAULT_TENANT_ID, 1), (2, 1)]
    assert DeliveryStatsDay.objects.get(day=alone).sent == 5
