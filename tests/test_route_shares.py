"""Route modes as pure functions, and simulations minute by minute with synthetic
receipts, conversions, errors and prices (the figures are in README, Routing modes)."""

import random
import uuid
from decimal import Decimal

import pytest

from sms_gateway.core import least_cost
from sms_gateway.core.least_cost import Floor, Price
from sms_gateway.core.shares import (
    AdaptiveParams,
    Health,
    adaptive,
    bound,
    draw_of,
    ordered_after,
    pick,
    score,
    weighted,
)

# --- pieces -------------------------------------------------------------------------


def test_pick_follows_cumulative_shares():
    assert pick((0.25, 0.75), 0.0) == 0
    assert pick((0.25, 0.75), 0.2499) == 0
    assert pick((0.25, 0.75), 0.25) == 1
    assert pick((0.25, 0.75), 0.9999) == 1
    assert pick((0.0, 1.0), 0.0) == 1  # a zero share is never drawn
    assert pick((0.5, 0.5, 0.0), 0.99999999) == 1  # rounding never picks a zero share


def test_draw_of_a_uuid4_is_uniform_enough_and_reproducible():
    rng = random.Random(1)
    draws = [draw_of(uuid.UUID(int=rng.getrandbits(128), version=4).int) for _ in range(20000)]
    assert all(0 <= d < 1 for d in draws)
    share = sum(pick((0.3, 0.7), d) == 0 for d in draws) / len(draws)
    assert 0.28 < share < 0.32
    one = uuid.uuid4()
    assert draw_of(one.int) == draw_of(one.int)


def test_failover_after_the_chosen_keeps_the_route_order():
    assert ordered_after(3, 0) == (0, 1, 2)
    assert ordered_after(3, 2) == (2, 0, 1)
    assert ordered_after(3, 1) == (1, 0, 2)


def test_weighted_normalizes_the_operators_weights():
    assert weighted([1, 3]) == (0.25, 0.75)
    assert weighted([0, 0]) == (0.5, 0.5)


def test_bound_keeps_each_share_in_bounds_and_the_sum_at_one():
    shares = bound([0.99, 0.01, 0.0], 0.05, 1.0)
    assert shares[1] == shares[2] == 0.05 and abs(sum(shares) - 1) < 1e-6
    assert bound([1, 1], 0.05, 0.6) == (0.5, 0.5)
    capped = bound([0.9, 0.1], 0.0, 0.7)
    assert capped == (0.7, 0.3)


def test_score_multiplies_delivery_conversion_latency_and_errors():
    params = AdaptiveParams(min_samples=10, p95_target_ms=60_000)
    good = Health(delivered=95, undelivered=5, p95_delivery_ms=30_000, attempts=100)
    assert score(good, None, params) == pytest.approx(0.95)
    slow = Health(delivered=95, undelivered=5, p95_delivery_ms=120_000, attempts=100)
    assert score(slow, None, params) == pytest.approx(0.475)
    erring = Health(delivered=95, undelivered=5, attempts=100, errors=20)
    assert score(erring, None, params) == pytest.approx(0.76)
    converting = Health(delivered=90, undelivered=10, convertible=100, converted=40)
    assert score(converting, 0.8, params) == pytest.approx(0.45)
    assert score(Health(delivered=3), None, params) is None  # too few samples


def test_unknown_scores_keep_their_share():
    step = adaptive([1, 1], [0.7, 0.3], [Health(), Health()])
    assert step.shares == (0.7, 0.3) and not step.changed


def test_a_step_moves_at_most_max_step():
    bad = Health(delivered=50, undelivered=50, attempts=100)
    good = Health(delivered=99, undelivered=1, attempts=100)
    step = adaptive([1, 1], [0.5, 0.5], [bad, good], AdaptiveParams(max_step=0.2))
    assert step.shares == pytest.approx((0.3, 0.7))
    assert "score 0.50" in step.reason


# --- simulations --------------------------------------------------------------------

VOLUME = 400  # SMS per minute to DE
WINDOW = AdaptiveParams().window_minutes


def simulate_adaptive(rates_at, minutes, params=AdaptiveParams(), seed=7, names=("a", "b")):  # noqa: B008
    """Each minute: VOLUME SMS split by the current shares, each delivered with its
    provider's rate at that minute; then the shares are computed from the last
    ``window_minutes`` of receipts. Returns the shares after each minute."""
    rng = random.Random(seed)
    buckets: list[list[tuple[int, int]]] = []
    shares: tuple[float, ...] = tuple(1 / len(names) for _ in names)
    history = []
    for minute in range(minutes):
        rates = rates_at(minute)
        minute_counts = []
        for i, share in enumerate(shares):
            sent = round(VOLUME * share)
            delivered = sum(rng.random() < rates[i] for _ in range(sent))
            minute_counts.append((delivered, sent - delivered))
        buckets.append(minute_counts)
        window = buckets[-params.window_minutes :]
        health = [
            Health(
                delivered=sum(m[i][0] for m in window),
                undelivered=sum(m[i][1] for m in window),
                attempts=sum(m[i][0] + m[i][1] for m in window),
            )
            for i in range(len(names))
        ]
        step = adaptive([1] * len(names), shares, health, params, names)
        shares = step.shares
        history.append(shares)
    return history


def test_a_provider_whose_delivery_drops_loses_its_share_and_regains_it():
    # a delivers 95 % to DE, drops to 60 % at minute 30, recovers at minute 90.
    def rates(minute):
        return (0.60 if 30 <= minute < 90 else 0.95, 0.95)

    history = simulate_adaptive(rates, 150)
    assert all(s[0] == 0.5 for s in history[:30])  # steady before
    first = next(m for m in range(30, 90) if history[m][0] < 0.5)
    assert first - 30 <= 3  # measured: 2 minutes (README)
    fell = next(m for m in range(30, 90) if history[m][0] <= 0.2)
    assert fell - 30 <= 15  # measured: 14 minutes, to 15 % (README)
    assert min(s[0] for s in history[30:90]) >= 0.05  # the exploration share remains
    recovered = next(m for m in range(90, 150) if history[m][0] == 0.5)
    assert recovered - 90 <= 15  # measured: 13 minutes (README)
    assert all(s[0] == 0.5 for s in history[recovered:])


def test_two_equal_providers_keep_a_stable_split_without_flapping():
    history = simulate_adaptive(lambda minute: (0.95, 0.95), 240, seed=11)
    changes = sum(1 for a, b in zip(history, history[1:], strict=False) if a != b)
    assert changes == 0
    assert history[-1] == (0.5, 0.5)


def test_a_bad_provider_never_rises_above_the_exploration_share():
    history = simulate_adaptive(lambda minute: (0.4, 0.97), 120)
    assert all(s[0] <= 0.5 for s in history)
    assert all(s[0] == 0.05 for s in history[2:])  # measured: from the 3rd minute (README)


def test_any_number_of_providers():
    history = simulate_adaptive(lambda minute: (0.95, 0.95, 0.5), 60, names=("a", "b", "c"), seed=3)
    last = history[-1]
    assert last[2] == 0.05 and abs(last[0] - last[1]) < 0.1 and abs(sum(last) - 1) < 1e-6


# --- least cost ---------------------------------------------------------------------


def measured(rate, n=200):
    delivered = round(n * rate)
    return Health(delivered=delivered, undelivered=n - delivered, attempts=n)


def test_cheapest_holding_the_floor_is_chosen_and_the_next_cheapest_otherwise():
    names = ("cheap", "mid", "dear")
    prices = (0.03, 0.05, 0.08)
    good = [measured(0.97)] * 3
    choice = least_cost.choose(names, prices, good, Floor())
    assert choice.order == (0, 1, 2) and choice.shares == (1.0, 0.0, 0.0)
    bad_cheap = [measured(0.6), measured(0.97), measured(0.97)]
    choice = least_cost.choose(names, prices, bad_cheap, Floor(), {"cheap": True})
    assert choice.order == (1, 0, 2)
    assert choice.shares == (0.05, 0.95, 0.0)  # the cheaper one is explored
    assert "cheaper but below the floor or unproven: cheap" in choice.reason


def test_a_price_change_switches_the_choice():
    names = ("twilio", "vonage")
    health = [measured(0.97), measured(0.96)]
    before = least_cost.choose(names, (0.07, 0.08), health, Floor())
    after = least_cost.choose(
        names, (0.09, 0.08), health, Floor(), {"twilio": True, "vonage": True}
    )
    assert before.order[0] == 0 and after.order[0] == 1


def test_currencies_compare_only_with_a_rate():
    eur = Price(Decimal("0.0820"), "EUR")
    assert least_cost.in_currency(eur, "USD", {}) is None
    assert least_cost.in_currency(eur, "USD", {"EUR": 1.1}) == pytest.approx(0.0902)
    assert least_cost.in_currency(eur, "EUR", {}) == pytest.approx(0.082)
    # No price: last in the order.
    choice = least_cost.choose(("a", "b"), (None, 0.09), [measured(0.97)] * 2, Floor())
    assert choice.order == (1, 0)


def test_unproven_providers_are_explored_before_being_chosen():
    names = ("new", "known")
    choice = least_cost.choose(names, (0.01, 0.05), [Health(), measured(0.97)], Floor())
    assert choice.order[0] == 1 and choice.shares == (0.05, 0.95)
    # Once measured at the floor, it is chosen.
    choice = least_cost.choose(names, (0.01, 0.05), [measured(0.95), measured(0.97)], Floor())
    assert choice.order[0] == 0


def test_the_floor_has_a_margin_against_flapping():
    names = ("cheap", "dear")
    at_edge = [measured(0.89), measured(0.97)]
    kept = least_cost.choose(names, (0.01, 0.05), at_edge, Floor(), {"cheap": True})
    assert kept.order[0] == 0  # was eligible: kept down to 0.88
    not_yet = least_cost.choose(names, (0.01, 0.05), at_edge, Floor(), {"cheap": False})
    assert not_yet.order[0] == 1


def test_no_provider_holding_the_floor_takes_the_best_measured():
    choice = least_cost.choose(("a", "b"), (0.01, 0.05), [measured(0.5), measured(0.8)], Floor())
    assert choice.order[0] == 1 and "no provider holds the floor" in choice.reason


def test_the_conversion_floor_counts_when_set():
    names = ("cheap", "dear")
    cheap = Health(delivered=190, undelivered=10, convertible=200, converted=40)
    dear = Health(delivered=190, undelivered=10, convertible=200, converted=160)
    choice = least_cost.choose(names, (0.01, 0.05), [cheap, dear], Floor(conversion=0.5))
    assert choice.order[0] == 1


def simulate_least_cost(rates_at, prices_at, minutes, seed=5):
    rng = random.Random(seed)
    names = ("cheap", "dear")
    buckets = []
    shares = (0.0, 1.0)
    previous: dict[str, bool] = {}
    history = []
    for minute in range(minutes):
        rates = rates_at(minute)
        counts = []
        for i, share in enumerate(shares):
            sent = round(VOLUME * share)
            delivered = sum(rng.random() < rates[i] for _ in range(sent))
            counts.append((delivered, sent - delivered))
        buckets.append(counts)
        window = buckets[-WINDOW:]
        health = [
            Health(
                delivered=sum(m[i][0] for m in window),
                undelivered=sum(m[i][1] for m in window),
            )
            for i in range(2)
        ]
        choice = least_cost.choose(names, prices_at(minute), health, Floor(), previous)
        previous = dict(zip(names, choice.eligible, strict=True))
        shares = choice.shares
        history.append(choice)
    return history


def test_simulated_a_cheap_provider_that_delivers_badly_stays_at_the_exploration_share():
    history = simulate_least_cost(lambda m: (0.6, 0.97), lambda m: (0.02, 0.07), 180)
    assert max(c.shares[0] for c in history) == 0.05
    assert all(c.order[0] == 1 for c in history)


def test_simulated_a_price_change_switches_the_least_cost_choice():
    # Both deliver well; the cheap one becomes dearer at minute 60.
    history = simulate_least_cost(
        lambda m: (0.97, 0.97), lambda m: (0.02, 0.07) if m < 60 else (0.09, 0.07), 120
    )
    first_cheap = next(m for m, c in enumerate(history) if c.order[0] == 0)
    assert first_cheap == 1  # explored at 5 % (20 SMS) in minute 0, chosen in minute 1
    assert all(c.order[0] == 0 for c in history[first_cheap:60])
    assert all(c.order[0] == 1 for c in history[60:])


# --- the rule the send path reads, and why ------------------------------------------


def test_rules_build_each_mode():
    from sms_gateway.core import route_rules as rules
    from sms_gateway.core.routing import Hop

    hops = (Hop("a"), Hop("b", "Acme"))
    ordered = rules.build("33", "", "ordered", hops, (1, 3), {"shares": {"a": 0.1, "b": 0.9}})
    assert ordered.mode == "ordered" and ordered.shares == () and ordered.hops == hops
    weighted = rules.build("33", "", "weighted", hops, (1, 3), {})
    assert weighted.shares == (0.25, 0.75) and weighted.basis == {"weights": {"a": 1, "b": 3}}
    plan = {"shares": {"a": 0.3, "b": 0.7}, "scores": {"a": 0.6}, "inputs": {"a": {}}}
    adaptive_rule = rules.build("33", "", "adaptive", hops, (1, 1), plan)
    assert adaptive_rule.shares == (0.3, 0.7) and adaptive_rule.basis == {"scores": {"a": 0.6}}
    # Providers changed since the plan: the resting point until the next one.
    stale = rules.build("33", "", "adaptive", hops, (1, 3), {"shares": {"a": 1.0, "x": 0.0}})
    assert stale.shares == (0.25, 0.75) and "no plan yet" in stale.basis["note"]
    least = rules.build(
        "33", "", "least_cost", hops, (1, 1), {"shares": {"a": 0.0, "b": 1.0}, "order": ["b", "a"]}
    )
    assert [h.provider for h in least.hops] == ["b", "a"] and least.shares == (1.0, 0.0)
    unplanned = rules.build("33", "", "least_cost", hops, (1, 1), {})
    assert unplanned.hops == hops and unplanned.shares == (1.0, 0.0)
    single = rules.build("33", "", "adaptive", hops[:1], (1,), {})
    assert single.mode == "ordered"  # one provider: nothing to choose


def test_arrange_puts_the_drawn_provider_first_and_says_why():
    from sms_gateway.core.routing import Hop, RouteRule, arrange

    hops = (Hop("a"), Hop("b"), Hop("c"))
    ordered = RouteRule("33", "", hops)
    assert arrange(ordered, 0.99) == (ordered, {})
    rule = RouteRule("33", "", hops, "weighted", (0.2, 0.3, 0.5), {"weights": {"a": 2}})
    arranged, reason = arrange(rule, 0.6)
    assert [h.provider for h in arranged.hops] == ["c", "a", "b"]
    assert reason == {
        "mode": "weighted",
        "chosen": "c",
        "draw": 0.6,
        "shares": {"a": 0.2, "b": 0.3, "c": 0.5},
        "weights": {"a": 2},
    }
    assert arranged.label == rule.label


def test_health_from_records():
    from sms_gateway.routing.health import aggregate

    rows = [
        ("a", "sent", "delivered", 2000, None, "SignIn", [{"provider": "a", "outcome": "sent"}]),
        ("a", "sent", "delivered", 9000, "t", "SignIn", [{"provider": "a", "outcome": "sent"}]),
        (
            "a",
            "sent",
            "undelivered",
            None,
            None,
            "Register",
            [{"provider": "a", "outcome": "sent"}],
        ),
        ("a", "sent", "", None, None, "OrganizationInvitation", []),
        # b failed over to a: an error for b, an attempt for both.
        (
            "a",
            "sent",
            "dropped",
            None,
            None,
            "SignIn",
            [
                {"provider": "b", "outcome": "failed", "category": "unavailable"},
                {"provider": "a", "outcome": "sent"},
            ],
        ),
        # A recipient refusal is not the provider's fault.
        (
            "b",
            "rejected",
            "",
            None,
            None,
            "SignIn",
            [{"provider": "b", "outcome": "failed", "category": "recipient"}],
        ),
        ("x", "sent", "delivered", 1, None, "SignIn", [{"provider": "x", "outcome": "sent"}]),
    ]
    health = aggregate(rows, ["a", "b"])
    a, b = health["a"], health["b"]
    assert (a.delivered, a.undelivered, a.p95_delivery_ms) == (2, 2, 9000)
    assert (a.convertible, a.converted) == (4, 1)  # the invitation cannot convert
    assert (a.attempts, a.errors) == (4, 0)
    assert (b.attempts, b.errors, b.delivered) == (2, 1, 0)


def test_estimated_cost():
    from sms_gateway.routing.estimate import estimate

    cost = estimate({"a": 0.25, "b": 0.75}, {"a": 0.04, "b": 0.08}, 1000, 2.0)
    assert cost.per_sms == pytest.approx(0.14) and cost.per_month == pytest.approx(140)
    assert estimate({"a": 1.0, "b": 0.0}, {"a": 0.04, "b": None}, 10, 1.0).per_sms == 0.04
    assert estimate({"a": 0.5, "b": 0.5}, {"a": 0.04}, 10, 1.0).per_sms is None
