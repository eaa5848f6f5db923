"""Log formats: one JSON object a line in production, readable text in development."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

# Attributes every LogRecord has; anything else was passed in ``extra``.
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


def _extra(record: logging.LogRecord) -> dict[str, object]:
    return {k: v for k, v in vars(record).items() if k not in _STANDARD}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            **_extra(record),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        extra = " ".join(f"{k}={v}" for k, v in _extra(record).items() if v not in ("", None))
        line = f"{record.levelname} {record.name}: {record.getMessage()}"
        if extra:
            line = f"{line} [{extra}]"
        if record.exc_info:
            line = f"{line}\n{self.formatException(record.exc_info)}"
        return line


def describe_exception(err: BaseException) -> str:
    """'KeyError at sms_gateway/x.py:12 in f': where it happened, without its message.

    Exception messages can carry request data (a validation error repeats its
    input), and the request holds the one-time code, so unexpected errors are
    logged by type and place only.
    """
    import traceback

    frames = traceback.extract_tb(err.__traceback__)
    where = f" at {frames[-1].filename}:{frames[-1].lineno} in {frames[-1].name}" if frames else ""
    return f"{type(err).__name__}{where}"


def traceback_text(err: BaseException) -> str:
    """The traceback of ``err`` and of the exceptions it came from, each named by its
    type only: frames and source lines, never a message (for the same reason)."""
    import traceback

    chain: list[BaseException] = []
    while err is not None and err not in chain:
        chain.append(err)
        err = err.__cause__ or (None if err.__suppress_context__ else err.__context__)
    parts = [
        "Traceback (most recent call last):\n"
        + "".join(traceback.format_list(traceback.extract_tb(link.__traceback__)))
        + f"{type(link).__module__}.{type(link).__qualname__} (message withheld)"
        for link in reversed(chain)
    ]
    return "\n\nwhich led to:\n\n".join(parts)
