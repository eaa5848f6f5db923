"""Placeholder rendering with Logto's own handlebars rules.

Logto's built-in SMS connectors replace ``{{\\s*([\\w.]+)\\s*}}``: an absent root
key leaves the placeholder untouched, a present root whose dotted path does not
resolve becomes the empty string, anything else is JavaScript's ``String(value)``.
No escaping. Matching these rules means a template written for Logto's
connectors renders identically here.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

PLACEHOLDER = re.compile(r"{{\s*([\w.]+)\s*}}", re.ASCII)

_MISSING = object()


def placeholders(template: str) -> list[str]:
    """The dotted paths a template refers to, in order of appearance."""
    return [match.group(1) for match in PLACEHOLDER.finditer(template)]


def _lookup(value: Any, path: list[str]) -> Any:
    for part in path:
        if isinstance(value, Mapping) and part in value:
            value = value[part]
        elif isinstance(value, list | tuple) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return _MISSING
    return value


def js_string(value: Any) -> str:
    """JavaScript's ``String(value)`` for JSON-decoded values."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, Mapping):
        return "[object Object]"
    if isinstance(value, list | tuple):
        return ",".join("" if item is None else js_string(item) for item in value)
    return str(value)


def render(template: str, payload: Mapping[str, Any]) -> str:
    def replace(match: re.Match[str]) -> str:
        path = match.group(1).split(".")
        if path[0] not in payload:
            return match.group(0)
        value = _lookup(payload, path)
        if value is _MISSING or value is None:
            return ""
        return js_string(value)

    return PLACEHOLDER.sub(replace, template)
