"""Charts drawn on the server as inline SVG: no JavaScript, no CDN, works offline. Pure.

Each function takes plain numbers and returns SVG markup (every text escaped).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH, HEIGHT = 720, 220
LEFT, RIGHT, TOP, BOTTOM = 56, 48, 16, 28  # margins for the axes' labels (larger on a phone)

COLORS = {
    "sent": "#79aec8",
    "delivered": "#2e7d32",
    "undelivered": "#ef6c00",
    "failed": "#c62828",
    "rejected": "#6a1b9a",
    "rate": "#1b1b1b",
    "p50": "#1565c0",
    "p95": "#ad1457",
}


def ticks(high: float, integer: bool, most: int = 5) -> list[float]:
    """An axis's gridline values, from 0 to the first one at or above ``high``.

    Evenly spaced by 1, 2 or 5 x 10^n, at most ``most`` steps. ``integer``: a count
    axis, whose ticks are whole numbers (a day of 3 SMS reads 0 1 2 3, never 1.2 SMS).
    """
    high = max(float(high), 0.0)
    if high == 0:
        return [0, 1]
    magnitude = 10 ** math.floor(math.log10(high / most))
    step = next(
        m * f
        for m in (magnitude, magnitude * 10)
        for f in (1, 2, 5)
        if math.ceil(high / (m * f) - 1e-9) <= most
    )
    if integer:
        step = max(1, round(step))
    count = max(1, math.ceil(high / step - 1e-9))
    return [_clean(step * i) for i in range(count + 1)]


def _clean(value: float) -> float:
    """0.30000000000000004 -> 0.3; whole numbers as int."""
    value = round(value, 9)
    return int(value) if value == int(value) else value


def tick_label(value: float, step: float) -> str:
    """As many decimals as the step needs: 0.5 s, 1,000, never 1.25 for a step of 1."""
    if step >= 1 and value == int(value):
        return f"{value:,.0f}"
    decimals = max(0, -math.floor(math.log10(step) + 1e-9))
    return f"{value:,.{decimals}f}"


def _frame(title: str, body: list[str], legend: Sequence[tuple[str, str]]) -> SafeString:
    items = []
    x = LEFT
    for label, color in legend:
        items.append(
            f'<rect x="{x}" y="{HEIGHT - 10}" width="10" height="10" fill="{color}"/>'
            f'<text x="{x + 14}" y="{HEIGHT - 1}" font-size="11">{escape(label)}</text>'
        )
        x += 24 + 7 * len(label)
    return mark_safe(  # noqa: S308 (every text above and below is escaped)
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT + 14}" '
        f'role="img" aria-label="{escape(title)}" class="sms-chart" font-family="sans-serif">'
        f"<title>{escape(title)}</title>" + "".join(body) + "".join(items) + "</svg>"
    )


def _axes(labels: Sequence[str], values: list[float], unit: str, right_axis: str = "") -> list[str]:
    """Gridlines at ``values`` (``ticks``), labelled on the left; a 0-100 scale on the right."""
    plot_h = HEIGHT - TOP - BOTTOM
    top = values[-1]
    step = values[1] - values[0]
    parts = []
    for value in values:
        y = TOP + plot_h * (1 - value / top)
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>'
            f'<text x="{LEFT - 4}" y="{y + 4:.1f}" font-size="10" text-anchor="end">'
            f"{escape(tick_label(value, step))}{escape(unit)}</text>"
        )
    for percent in (0, 25, 50, 75, 100) if right_axis else ():
        y = TOP + plot_h * (1 - percent / 100)
        parts.append(
            f'<text x="{WIDTH - RIGHT + 4}" y="{y + 4:.1f}" font-size="10">'
            f"{percent}{escape(right_axis)}</text>"
        )
    step = max(1, len(labels) // 10)  # at most about ten labels under the axis
    width = (WIDTH - LEFT - RIGHT) / max(1, len(labels))
    for i, label in enumerate(labels):
        if i % step == 0:
            x = LEFT + width * (i + 0.5)
            parts.append(
                f'<text x="{x:.1f}" y="{HEIGHT - BOTTOM + 14}" font-size="10" '
                f'text-anchor="middle">{escape(label)}</text>'
            )
    return parts


def volume_chart(
    labels: Sequence[str],
    stacks: dict[str, Sequence[int]],
    rate: Sequence[float | None],
    title: str = "SMS per day and delivery rate",
) -> SafeString:
    """Stacked bars per label (``stacks``: name -> counts) and a rate line (0..1) on the right."""
    plot_h = HEIGHT - TOP - BOTTOM
    totals = [sum(values[i] for values in stacks.values()) for i in range(len(labels))]
    scale = ticks(max(totals, default=0), integer=True)
    top = scale[-1]
    width = (WIDTH - LEFT - RIGHT) / max(1, len(labels))
    has_rate = any(value is not None for value in rate)
    body = _axes(labels, scale, "", right_axis=" %" if has_rate else "")
    for i in range(len(labels)):
        y = TOP + plot_h
        for name, values in stacks.items():
            h = plot_h * values[i] / top
            y -= h
            body.append(
                f'<rect x="{LEFT + width * i + width * 0.15:.1f}" y="{y:.1f}" '
                f'width="{width * 0.7:.1f}" height="{h:.1f}" fill="{COLORS.get(name, "#999")}">'
                f"<title>{escape(labels[i])} {escape(name)}: {values[i]:,}</title></rect>"
            )
    points = [
        f"{LEFT + width * (i + 0.5):.1f},{TOP + plot_h * (1 - value):.1f}"
        for i, value in enumerate(rate)
        if value is not None
    ]
    if points:
        body.append(
            f'<polyline points="{" ".join(points)}" fill="none" stroke="{COLORS["rate"]}" '
            'stroke-width="2"/>'
        )
    legend = [(name, COLORS.get(name, "#999")) for name in stacks]
    if has_rate:  # no receipts, no rate: neither its line nor its axis
        legend.append(("delivery rate", COLORS["rate"]))
    return _frame(title, body, legend)


def lines_chart(
    labels: Sequence[str],
    lines: dict[str, Sequence[float | None]],
    unit: str = " s",
    title: str = "Time to delivery",
) -> SafeString:
    """One polyline per series; a missing value breaks the line."""
    plot_h = HEIGHT - TOP - BOTTOM
    highest = max((v for s in lines.values() for v in s if v is not None), default=0)
    scale = ticks(highest, integer=False)
    top = scale[-1]
    width = (WIDTH - LEFT - RIGHT) / max(1, len(labels))
    body = _axes(labels, scale, unit)
    for name, values in lines.items():
        color = COLORS.get(name, "#999")
        segment: list[str] = []
        for i, value in enumerate([*values, None]):
            if value is None:
                if len(segment) > 1:
                    body.append(
                        f'<polyline points="{" ".join(segment)}" fill="none" '
                        f'stroke="{color}" stroke-width="2"/>'
                    )
                elif segment:
                    x, y = segment[0].split(",")
                    body.append(f'<circle cx="{x}" cy="{y}" r="2.5" fill="{color}"/>')
                segment = []
                continue
            segment.append(f"{LEFT + width * (i + 0.5):.1f},{TOP + plot_h * (1 - value / top):.1f}")
    return _frame(title, body, [(name, COLORS.get(name, "#999")) for name in lines])


def meter(fraction: float | None, good_above: float = 0.9) -> SafeString:
    """A small horizontal bar for a rate in a table cell."""
    if fraction is None:
        return mark_safe("")
    color = COLORS["delivered"] if fraction >= good_above else COLORS["undelivered"]
    width = max(0.0, min(1.0, fraction)) * 60
    return mark_safe(  # noqa: S308 (numbers only)
        '<svg xmlns="http://www.w3.org/2000/svg" width="62" height="10" class="sms-meter">'
        '<rect x="0" y="0" width="62" height="10" fill="#eee"/>'
        f'<rect x="1" y="1" width="{width:.1f}" height="8" fill="{color}"/></svg>'
    )
