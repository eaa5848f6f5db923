"""Route modes and their shares, as pure functions.

- ``ordered``: the route's providers in order (the default; nothing here is used).
- ``weighted``: the operator's weights, normalized to shares.
- ``adaptive``: shares moved from a resting point (the operator's weights) by each
  provider's measured health in the route's destination (``score``), within bounds,
  with hysteresis and a bounded step per computation, and a minimum exploration
  share so that a recovered provider is noticed.
- ``least_cost``: see ``least_cost.py``.

At send time one provider is drawn by its share (``pick``, with a number in [0, 1)
taken from the message id, so the draw is reproducible); the others follow in the
route's order, for failover.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum


class Mode(StrEnum):
    ORDERED = "ordered"
    WEIGHTED = "weighted"
    ADAPTIVE = "adaptive"
    LEAST_COST = "least_cost"


@dataclass(frozen=True)
class Health:
    """One provider's measured health in one destination over the sliding window."""

    delivered: int = 0  # receipts: delivered
    undelivered: int = 0  # receipts: undelivered
    p95_delivery_ms: int | None = None  # time to delivery, from the record to the receipt
    convertible: int = 0  # code SMS it took that Logto could report a sign-in for
    converted: int = 0
    attempts: int = 0  # every attempt at this provider
    errors: int = 0  # attempts that failed at the provider (failed over)

    @property
    def receipts(self) -> int:
        return self.delivered + self.undelivered

    def delivery_rate(self, min_samples: int) -> float | None:
        return self.delivered / self.receipts if self.receipts >= min_samples else None

    def conversion_rate(self, min_samples: int) -> float | None:
        return self.converted / self.convertible if self.convertible >= min_samples else None

    def error_rate(self, min_samples: int) -> float | None:
        return self.errors / self.attempts if self.attempts >= min_samples else None

    def as_json(self) -> dict[str, int | None]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class AdaptiveParams:
    window_minutes: int = 15  # the health's sliding window
    min_samples: int = 20  # fewer receipts / attempts / conversions: that figure is unknown
    exploration: float = 0.05  # every provider keeps at least this share
    max_share: float = 1.0  # no provider gets more (capped at 1 - exploration of the others)
    max_step: float = 0.2  # a share moves at most this much per computation
    hysteresis: float = 0.05  # shares move only when the target is this far from them
    tolerance: float = 0.03  # scores this close to the best count as the best (noise)
    sharpness: float = 4.0  # score ** sharpness: 0.60 against 0.95 weighs 0.16
    p95_target_ms: int = 60_000  # slower p95 time to delivery lowers the score in proportion


def score(health: Health, best_conversion: float | None, params: AdaptiveParams) -> float | None:
    """A provider's quality in [0, 1]: delivery rate × relative conversion × latency ×
    (1 - error rate); None when nothing is measured well enough (too few samples)."""
    n = params.min_samples
    delivery = health.delivery_rate(n)
    conversion = health.conversion_rate(n)
    errors = health.error_rate(n)
    if delivery is None and errors is None:
        return None
    value = 1.0 if delivery is None else delivery
    if conversion is not None and best_conversion:
        value *= min(1.0, conversion / best_conversion)
    if delivery is not None and health.p95_delivery_ms:
        value *= min(1.0, params.p95_target_ms / health.p95_delivery_ms)
    if errors is not None:
        value *= 1.0 - errors
    return value


def normalize(weights: Sequence[float]) -> tuple[float, ...]:
    total = sum(max(0.0, w) for w in weights)
    if total <= 0:
        return tuple(1.0 / len(weights) for _ in weights) if weights else ()
    return tuple(max(0.0, w) / total for w in weights)


def bound(shares: Sequence[float], low: float, high: float) -> tuple[float, ...]:
    """Shares summing to 1 with each in [low, high] (as far as possible), keeping the
    proportions of the free ones: water-filling, a few passes at most."""
    n = len(shares)
    if n == 0:
        return ()
    low = min(low, 1.0 / n)
    high = max(high, 1.0 / n)
    result = list(normalize(shares))
    fixed: dict[int, float] = {}
    for _ in range(n + 1):
        free = [i for i in range(n) if i not in fixed]
        room = 1.0 - sum(fixed.values())
        free_total = sum(result[i] for i in free)
        for i in free:
            result[i] = room * result[i] / free_total if free_total > 0 else room / len(free)
        moved = False
        for i in free:
            if result[i] < low - 1e-12:
                fixed[i], moved = low, True
            elif result[i] > high + 1e-12:
                fixed[i], moved = high, True
        for i, value in fixed.items():
            result[i] = value
        if not moved:
            break
    return tuple(round(v, 6) for v in result)


@dataclass(frozen=True)
class Step:
    """One computation of an adaptive route's shares."""

    shares: tuple[float, ...]
    targets: tuple[float, ...]
    scores: tuple[float | None, ...]
    changed: bool
    reason: str


def adaptive(
    resting: Sequence[float],
    previous: Sequence[float] | None,
    health: Sequence[Health],
    params: AdaptiveParams = AdaptiveParams(),  # noqa: B008 (frozen)
    names: Sequence[str] = (),
) -> Step:
    """The next shares of an adaptive route's providers.

    Target: resting share × score ** sharpness, normalized and bounded; a provider whose
    score is unknown keeps its current share, and scores within ``tolerance`` of the best
    count as the best (equal providers rest at their resting shares). The shares move
    toward the target by at most ``max_step`` each, and only when some target is
    ``hysteresis`` or more away."""
    n = len(resting)
    rest = normalize(resting)
    current = bound(previous if previous and len(previous) == n else rest, 0.0, 1.0)
    conversions = [h.conversion_rate(params.min_samples) for h in health]
    known_conversions = [c for c in conversions if c is not None]
    best_conversion = max(known_conversions) if known_conversions else None
    scores = tuple(score(h, best_conversion, params) for h in health)
    known = [s for s in scores if s is not None]
    if known:  # measurement noise between equal providers moves nothing
        best = max(known)
        scores = tuple(
            None if s is None else best if s >= best - params.tolerance else s for s in scores
        )
    if not known:
        targets = bound(current, params.exploration, params.max_share)
        return Step(targets, targets, scores, targets != current, "nothing measured: shares kept")
    # Unknown providers keep their share; the known ones split the rest by merit.
    unknown_total = sum(current[i] for i in range(n) if scores[i] is None)
    weights = [
        rest[i] * (scores[i] or 0.0) ** params.sharpness if scores[i] is not None else 0.0
        for i in range(n)
    ]
    merit = normalize([w for i, w in enumerate(weights) if scores[i] is not None])
    raw, k = [], 0
    for i in range(n):
        if scores[i] is None:
            raw.append(current[i])
        else:
            raw.append(merit[k] * (1.0 - unknown_total))
            k += 1
    targets = bound(raw, params.exploration, params.max_share)
    gap = max(abs(t - c) for t, c in zip(targets, current, strict=True))
    below = bound(current, params.exploration, params.max_share)
    if gap < params.hysteresis:
        changed = below != current
        reason = f"within hysteresis ({gap:.2f} < {params.hysteresis:.2f}): shares kept"
        return Step(below, targets, scores, changed, reason)
    stepped = [
        c + max(-params.max_step, min(params.max_step, t - c))
        for t, c in zip(targets, current, strict=True)
    ]
    shares = bound(stepped, params.exploration, params.max_share)
    return Step(shares, targets, scores, shares != current, _why(names, scores, current, shares))


def _why(
    names: Sequence[str],
    scores: Sequence[float | None],
    before: Sequence[float],
    after: Sequence[float],
) -> str:
    parts = []
    for i, (b, a) in enumerate(zip(before, after, strict=True)):
        if abs(a - b) < 0.005:
            continue
        name = names[i] if i < len(names) else f"#{i + 1}"
        measured = "unknown" if scores[i] is None else f"{scores[i]:.2f}"
        parts.append(f"{name} {b:.0%}→{a:.0%} (score {measured})")
    return "; ".join(parts) or "no change"


def pick(shares: Sequence[float], draw: float) -> int:
    """The index whose cumulative share interval holds ``draw`` (in [0, 1))."""
    total = 0.0
    last = 0
    for i, share in enumerate(shares):
        if share <= 0:
            continue
        last = i
        total += share
        if draw < total:
            return i
    return last


def draw_of(message_id_int: int) -> float:
    """A number in [0, 1) from a UUID4's first 48 bits, all random: the draw of a
    message is reproducible from its id."""
    return (message_id_int >> 80) / float(1 << 48)


def ordered_after(count: int, chosen: int) -> tuple[int, ...]:
    """The chosen index first, then the others in their order: failover as today."""
    return (chosen, *(i for i in range(count) if i != chosen))


def weighted(weights: Iterable[float]) -> tuple[float, ...]:
    return normalize(list(weights))
