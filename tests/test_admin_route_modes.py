"""The route editor in each mode: the mode and floors, a weight per provider, and what
the route does now (shares, scores, prices, estimated cost, why); the history of share
changes; the prices with stale ones flagged."""

import html
from datetime import timedelta

import pytest
from django.utils import timezone

from sms_gateway.models import Message, Price, Route, RouteShareChange
from sms_gateway.routing import plans

from .admin_forms import form_data

pytestmark = pytest.mark.django_db

ADD = "/admin/sms_gateway/route/add/"


@pytest.fixture(autouse=True)
def two_aliases(settings):
    settings.SMS_PROVIDERS = {
        "alpha": {"BACKEND": "sms_gateway.providers.locmem.LocmemProvider"},
        "beta": {"BACKEND": "sms_gateway.providers.locmem.LocmemProvider"},
    }
    settings.SMS_DEFAULT_PROVIDERS = ["alpha"]
    settings.SMS_PRICE_CURRENCY = "USD"
    settings.SMS_CURRENCY_RATES = {"EUR": 1.1}


def change(route: Route) -> str:
    return f"/admin/sms_gateway/route/{route.pk}/change/"


def submit(client, url, **changes):
    page = client.get(url).content.decode()
    return client.post(url, {**form_data(page), **changes}, follow=True)


def page_of(client, route):
    return html.unescape(client.get(change(route)).content.decode())


def test_a_weighted_route_is_saved_with_its_mode_and_weights(admin_client):
    page = admin_client.get(ADD).content.decode()
    for value in ("ordered", "weighted", "adaptive", "least_cost"):
        assert f'<option value="{value}"' in page
    assert 'name="hops-0-weight"' in page
    submit(
        admin_client,
        ADD,
        country="DE",
        mode="weighted",
        **{"hops-0-provider": "alpha", "hops-0-weight": "1"},
        **{"hops-1-provider": "beta", "hops-1-weight": "3", "hops-1-position": "1"},
        **{"hops-TOTAL_FORMS": "2"},
    )
    route = Route.objects.get(country="DE")
    assert route.mode == "weighted"
    assert [(h.provider, h.weight) for h in route.hops.order_by("position")] == [
        ("alpha", 1),
        ("beta", 3),
    ]
    shown = page_of(admin_client, route)
    assert "<td>alpha</td><td>25%</td>" in shown and "<td>beta</td><td>75%</td>" in shown
    assert "Why: as set by the operator" in shown


def test_floors_are_rates(admin_client):
    page = submit(
        admin_client,
        ADD,
        country="DE",
        mode="least_cost",
        floor_delivery="90",
        **{"hops-0-provider": "alpha"},
    )
    assert "A rate between 0 and 1, e.g. 0.9 for 90 %." in html.unescape(page.content.decode())
    assert not Route.objects.filter(country="DE").exists()


def test_a_least_cost_route_shows_prices_cost_and_why(admin_client):
    route = Route.objects.create(country="DE", mode="least_cost")
    route.hops.create(provider="alpha", position=0)
    route.hops.create(provider="beta", position=1)
    now = timezone.now()
    Price.objects.create(
        provider="alpha",
        country="DE",
        amount="0.0700",
        currency="USD",
        source="csv",
        fetched_at=now - timedelta(days=90),
    )
    Price.objects.create(
        provider="beta",
        country="DE",
        amount="0.0800",
        currency="EUR",
        source="vonage",
        fetched_at=now,
    )
    Message.objects.bulk_create(
        [Message(to="+4915112345678", country="DE", type="SignIn", segments=2) for _ in range(10)]
    )
    shown = page_of(admin_client, route)
    assert "Why: no plan yet: computed within a minute" in shown
    assert "STALE since" in shown and "0.08000 EUR" in shown
    # Before the first plan: everything on the first provider, 0.07 × 2 segments.
    assert "0.1400 USD per SMS (2.0 segments), 1.40 USD per month at 10 SMS in 30 days" in shown

    plans.compute()
    shown = page_of(admin_client, route)
    assert "Why: no provider measured yet: alpha, first in the route; stale prices: alpha" in shown
    assert "History of share changes" in shown


def test_an_adaptive_route_shows_its_scores_and_history(admin_client):
    route = Route.objects.create(country="DE", mode="adaptive")
    route.hops.create(provider="alpha", position=0)
    route.hops.create(provider="beta", position=1)
    rows = [
        Message(
            to="+4915112345678",
            country="DE",
            type="SignIn",
            provider=alias,
            status="sent",
            delivery_status="delivered" if i < ok else "undelivered",
            attempts=[{"provider": alias, "outcome": "sent"}],
        )
        for alias, ok in (("alpha", 60), ("beta", 95))
        for i in range(100)
    ]
    Message.objects.bulk_create(rows)
    plans.compute()
    shown = page_of(admin_client, route)
    assert "<td>alpha</td><td>30%</td><td>0.60</td><td>60% of 100</td>" in shown
    assert "Why: first plan: alpha 50%→30% (score 0.60); beta 50%→70% (score 0.95)" in shown
    history = html.unescape(
        admin_client.get(
            f"/admin/sms_gateway/routesharechange/?route__id__exact={route.pk}"
        ).content.decode()
    )
    assert "alpha 30%, beta 70%" in history and "alpha 50%→30% (score 0.60)" in history
    assert RouteShareChange.objects.count() == 1


def test_prices_list_flags_stale_ones(admin_client):
    Price.objects.create(
        provider="alpha",
        country="DE",
        amount="0.07",
        currency="USD",
        source="csv",
        fetched_at=timezone.now() - timedelta(days=90),
    )
    listing = admin_client.get("/admin/sms_gateway/price/").content.decode()
    assert '<strong class="sms-blocked">STALE: ' in listing
