"""The operator's admin, one module per screen (imported here so Django registers them)."""

from . import dashboard, messages, routes, templates  # noqa: F401
