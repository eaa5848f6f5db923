"""Whether a rate limit an operator enters is possible, and whether it refuses ordinary use.

A limit of 0 or a window of 0 s refuses every SMS of its scope (and tells end users to
retry later); the admin refuses them. A limit below what one ordinary user needs is
allowed, with a warning: an operator may mean it during an attack.
"""

from __future__ import annotations

MIN_LIMIT = 1
MIN_WINDOW_SECONDS = 1
DAY = 86400

# What ordinary use sends within any window of a scope: a person asks for a code, then
# again twice when it is slow to arrive; an office or a carrier's NAT shares one address;
# a prefix, a country or the gateway serves a few people at the same moment.
ORDINARY_BURST = {"recipient": 3, "ip": 5, "prefix": 10, "country": 10, "global": 10}
# And per day, for windows of a day or more: a person signs in a few times a day.
ORDINARY_PER_DAY = {"recipient": 5, "ip": 20, "prefix": 50, "country": 50, "global": 50}
WHO = {
    "recipient": "one phone number",
    "ip": "one end-user address",
    "prefix": "one destination prefix",
    "country": "one country",
    "global": "the whole gateway",
}


def describe_window(seconds: int) -> str:
    """600 -> '10 min', 86400 -> '1 d', 90 -> '90 s' (the lists and the warnings)."""
    for unit, size in (("d", DAY), ("h", 3600), ("min", 60)):
        if seconds >= size and seconds % size == 0:
            return f"{seconds // size} {unit}"
    return f"{seconds} s"


def errors(limit: int | None, window_seconds: int | None) -> dict[str, str]:
    """Field -> message for values that would refuse every SMS of the scope."""
    found = {}
    if limit is not None and limit < MIN_LIMIT:
        found["limit"] = "At least 1: a limit of 0 refuses every SMS. Untick enabled instead."
    if window_seconds is not None and window_seconds < MIN_WINDOW_SECONDS:
        found["window_seconds"] = "At least 1 second."
    return found


def warnings(scope: str, limit: int, window_seconds: int) -> list[str]:
    """What ordinary use this limit would refuse (empty when it leaves room for it)."""
    if limit < MIN_LIMIT or window_seconds < MIN_WINDOW_SECONDS or scope not in WHO:
        return []
    window = describe_window(window_seconds)
    burst = ORDINARY_BURST[scope]
    if limit < burst:
        return [
            f"{limit} SMS per {window} for {WHO[scope]} refuses ordinary use: "
            f"{burst} in a row is a person asking for a code again when it is slow to arrive."
        ]
    per_day = ORDINARY_PER_DAY[scope]
    days = window_seconds / DAY
    if days >= 1 and limit < per_day * days:
        return [
            f"{limit} SMS per {window} for {WHO[scope]} is fewer than {per_day} a day, "
            "a few sign-ins a day: ordinary users will be refused."
        ]
    return []
