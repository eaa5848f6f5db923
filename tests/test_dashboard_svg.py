"""The charts' axes: whole numbers on count axes, the rate's axis only with a rate."""

import math
import re

import pytest

from sms_gateway.dashboard import svg
from sms_gateway.dashboard.svg import tick_label, ticks


def left_axis(chart: str) -> list[str]:
    return re.findall(r'text-anchor="end">([^<]*)</text>', chart)


@pytest.mark.parametrize(
    "high, integer, expected",
    [
        (0, True, [0, 1]),  # no SMS: still an axis
        (1, True, [0, 1]),
        (3, True, [0, 1, 2, 3]),  # read 0.0 1.2 2.5 3.8 5.0
        (5, True, [0, 1, 2, 3, 4, 5]),
        (7, True, [0, 2, 4, 6, 8]),
        (11, True, [0, 5, 10, 15]),
        (375, True, [0, 100, 200, 300, 400]),
        (18771, True, [0, 5000, 10000, 15000, 20000]),
        (0.3, True, [0, 1]),
        (0.3, False, [0, 0.1, 0.2, 0.3]),
        (2.5, False, [0, 0.5, 1, 1.5, 2, 2.5]),
        (13.6, False, [0, 5, 10, 15]),
    ],
)
def test_ticks(high, integer, expected):
    assert ticks(high, integer) == expected


def test_ticks_are_nice_even_and_tight_for_any_count():
    for high in [*range(0, 3000), 9999, 10_001, 123_456, 1_000_000]:
        values = ticks(high, integer=True)
        step = values[1] - values[0]
        assert values[0] == 0 and values[-1] >= high, high
        assert all(isinstance(v, int) for v in values), (high, values)
        assert values == [step * i for i in range(len(values))], high  # evenly spaced
        assert len(values) - 1 <= 5, (high, values)
        assert high == 0 or values[-2] < high, (high, values)  # the first tick at or above
        mantissa = step / 10 ** math.floor(math.log10(step))
        assert mantissa in (1, 2, 5), (high, step)


def test_fractional_ticks_for_seconds():
    for high in (0.004, 0.3, 1.7, 4.4, 17.4, 43.9, 250.0):
        values = ticks(high, integer=False)
        assert values[-1] >= high and len(values) - 1 <= 5, (high, values)
    assert [tick_label(v, 0.5) for v in (0, 0.5, 1)] == ["0.0", "0.5", "1.0"]
    assert [tick_label(v, 5000) for v in (0, 5000, 10000)] == ["0", "5,000", "10,000"]


def test_the_volume_chart_counts_in_whole_sms():
    chart = svg.volume_chart(["11-26", "11-27"], {"sent": [1, 2], "failed": [0, 1]}, [0.5, 1.0])
    assert left_axis(chart) == ["0", "1", "2", "3"]
    assert ">100 %</text>" in chart and ">delivery rate</text>" in chart


def test_the_volume_chart_without_a_rate_has_no_rate_axis_line_or_legend():
    chart = svg.volume_chart(["11-26", "11-27"], {"sent": [1, 2]}, [None, None])
    assert " %" not in chart and ">delivery rate</text>" not in chart and "<polyline" not in chart


def test_the_time_chart_keeps_fractions_of_seconds():
    chart = svg.lines_chart(["a", "b"], {"p50": [0.8, 1.2], "p95": [2.1, 2.4]})
    assert left_axis(chart) == ["0.0 s", "0.5 s", "1.0 s", "1.5 s", "2.0 s", "2.5 s"]
