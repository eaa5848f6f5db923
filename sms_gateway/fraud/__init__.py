"""The fraud guard: the policy steps of the send path's guard stage (``SMS_GUARD``).

In order: number type and country (pure, from the snapshot), blocked prefixes
(the snapshot), rate limits (one Lua call on Redis), the pumping detector
(Redis counters). A safe-listed number skips the last three; the first two
only when its entry says so. See README, "Fraud guard".
"""
