"""Routing modes beyond the ordered list: rules built from the tables and the last plan
(``rules.py``), the periodic computation of adaptive and least-cost plans (``plans.py``)
from measured health (``health.py``) and prices (``prices.py``)."""
