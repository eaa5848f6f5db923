"""Routing modes beyond the ordered list: the periodic computation of adaptive and
least-cost plans (``plans.py``) from measured health (``health.py``) and prices
(``prices.py``). The rules built from the tables and the last plan are pure:
``core/route_rules.py``."""
