"""The guard's value types, shared by the layers that meet in the guard stage.

The catalog snapshot holds a ``GuardConfig`` (loaded by ``fraud/config.py``),
the send path carries it in its draft (``core/draft.py``), and the fraud
guard's steps read it and may answer a ``Flag`` (or a ``Refused``,
``core/errors.py``). Pure data: no query, no Redis.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from .budgets import Cap
from .tenants import DEFAULT_TENANT_ID


@dataclass(frozen=True)
class Limit:
    scope: str
    limit: int
    window_seconds: int


@dataclass(frozen=True)
class Block:
    prefix: str
    until: datetime
    reason: str


@dataclass(frozen=True)
class GuardConfig:
    limits: tuple[Limit, ...] = ()
    countries: dict[str, str] = field(default_factory=dict)  # region -> allow|block|monitor
    blocks: tuple[Block, ...] = ()
    safe: dict[str, bool] = field(default_factory=dict)  # E.164 -> also bypasses policies
    budgets: tuple[Cap, ...] = ()  # spend caps (budgets/spend.py)
    # (provider alias, country) -> (price per segment, currency), imported (import_prices)
    prices: dict[tuple[str, str], tuple[Decimal, str]] = field(default_factory=dict)
    # Prefixes an operator unblocked: the pumping detector leaves them alone until then.
    trusted: tuple[Block, ...] = ()
    # Whose limits and budgets these are: their counters are named with it (core/tenants.py).
    tenant: int = DEFAULT_TENANT_ID

    def active_block(self, digits: str, now: datetime) -> Block | None:
        for block in self.blocks:
            if digits.startswith(block.prefix) and block.until > now:
                return block
        return None

    def trusted_prefix(self, digits: str, now: datetime) -> Block | None:
        for trust in self.trusted:
            if digits.startswith(trust.prefix) and trust.until > now:
                return trust
        return None


@dataclass(frozen=True)
class Flag:
    """A step's verdict: let the SMS through, but mark its record (``monitored_country``)."""

    name: str
