import pytest

from sms_gateway.core.routing import Hop, RouteRule, choose

RULES = [
    RouteRule(hops=(Hop("default"),)),
    RouteRule(prefix="1", hops=(Hop("nanp"),)),
    RouteRule(country="CA", hops=(Hop("canada"),)),
    RouteRule(prefix="1604", hops=(Hop("vancouver"),)),
    RouteRule(prefix="33", hops=(Hop("france"),)),
    RouteRule(prefix="336", hops=(Hop("france-mobile"),)),
    RouteRule(country="VA", hops=(Hop("vatican"),)),
]


@pytest.mark.parametrize(
    ("digits", "region", "expected"),
    [
        ("14155550123", "US", "nanp"),
        ("16135550123", "CA", "canada"),  # country beats its calling code
        ("16045550123", "CA", "vancouver"),  # a longer prefix beats the country
        ("33612345678", "FR", "france-mobile"),
        ("33123456789", "FR", "france"),
        ("4915123456789", "DE", "default"),
        ("390669812345", "VA", "vatican"),
        ("390612345678", "IT", "default"),
    ],
)
def test_longest_matching_rule_wins(digits, region, expected):
    assert choose(RULES, digits, region).hops[0].provider == expected


def test_no_rule_matches_without_default():
    assert choose([RouteRule(prefix="44")], "33612345678", "FR") is None


def test_labels():
    assert [r.label for r in RULES[:3]] == ["default", "+1", "country:CA"]
