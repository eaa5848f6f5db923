"""Floor D: floor C's settings, and a JSON log line per SMS to stderr."""

from .stack_settings import *  # noqa: F403

SECRET_KEY = "bench-floor-d"
ROOT_URLCONF = "bench.floors.product_views"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"line": {"format": "%(message)s"}},
    "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "line"}},
    "loggers": {"floor_d": {"handlers": ["stderr"], "level": "INFO", "propagate": False}},
}
