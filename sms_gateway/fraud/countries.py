"""Country permissions. Pure.

Each country may be allowed, blocked or monitored (sent and flagged). In the
default ``open`` mode a country without a rule is allowed; in ``allowlist``
mode only countries with an allow or monitor rule are. Non-geographic numbers
(region ``001``: +800 freephone, +882/+883 international networks, +979
premium) are nobody's phone at home and a classic pumping target: blocked
unless a rule for ``001`` says otherwise.
"""

from __future__ import annotations

from collections.abc import Mapping

ALLOW, BLOCK, MONITOR = "allow", "block", "monitor"
NON_GEOGRAPHIC = "001"


def decide(region: str | None, policies: Mapping[str, str], mode: str) -> str:
    """ALLOW, BLOCK or MONITOR for a number's region ('001' for non-geographic)."""
    action = policies.get(region or "")
    if action is not None:
        return action
    if region == NON_GEOGRAPHIC:
        return BLOCK
    return BLOCK if mode == "allowlist" else ALLOW
