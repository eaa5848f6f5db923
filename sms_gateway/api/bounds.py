"""What a request body may hold, before any field is looked at. Pure.

Logto's call is a few hundred bytes. Anything far larger, deeper or wider is
not Logto, and strings that cannot be stored or rendered (NUL and the other C0
controls but tab and newline, lone surrogates) are refused with the field named
instead of failing later in the database.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

MAX_BODY_BYTES = 64 * 1024
MAX_DEPTH = 8  # the body object is depth 1
MAX_NODES = 1000  # values of every object and array, all levels together
MAX_STRING = 2000  # characters in one string or key
UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\ud800-\udfff]")


@dataclass(frozen=True)
class Violation:
    path: str  # "payload.link", "payload.items[2]"; "" for the body itself
    problem: str


def check(body: Any) -> Violation | None:
    """The first thing in a parsed JSON body that breaks the bounds, or None."""
    nodes = 0
    stack: list[tuple[str, Any, int]] = [("", body, 1)]
    while stack:
        path, value, depth = stack.pop()
        if isinstance(value, str):
            problem = _string_problem(value)
            if problem:
                return Violation(path, problem)
            continue
        if not isinstance(value, dict | list):
            continue
        if depth > MAX_DEPTH:
            return Violation(path, f"nested deeper than {MAX_DEPTH} levels")
        items = (
            [(f"{path}.{k}" if path else str(k), k, v) for k, v in value.items()]
            if isinstance(value, dict)
            else [(f"{path}[{i}]", None, v) for i, v in enumerate(value)]
        )
        nodes += len(items)
        if nodes > MAX_NODES:
            return Violation(path, f"more than {MAX_NODES} values")
        for child_path, key, child in reversed(items):
            # Keys are never stored nor rendered (placeholders name [\w.]+ keys): only long.
            if key is not None and len(key) > MAX_STRING:
                return Violation(path, f"a key is longer than {MAX_STRING} characters")
            stack.append((child_path, child, depth + 1))
    return None


def _string_problem(text: str) -> str:
    if len(text) > MAX_STRING:
        return f"is longer than {MAX_STRING} characters"
    if UNSAFE.search(text):
        return "holds a control character or an invalid (surrogate) character"
    return ""
