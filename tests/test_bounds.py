"""The body bounds, as a table (sms_gateway/api/bounds.py)."""

import pytest

from sms_gateway.api.bounds import MAX_DEPTH, MAX_NODES, MAX_STRING, Violation, check


def nested(depth: int) -> dict:
    body: dict = {}
    for _ in range(depth - 1):
        body = {"x": body}
    return body


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"to": "33612345678", "payload": {"code": "123456"}}, None),
        ({"a": "tab\tand\nnewline are fine"}, None),
        (nested(MAX_DEPTH), None),
        (nested(MAX_DEPTH + 1), Violation("x.x.x.x.x.x.x.x", "nested deeper than 8 levels")),
        ({"a": "x" * MAX_STRING}, None),
        ({"a": "x" * (MAX_STRING + 1)}, Violation("a", "is longer than 2000 characters")),
        (
            {"a": {"b": "\x00"}},
            Violation("a.b", "holds a control character or an invalid (surrogate) character"),
        ),
        (
            {"a": ["ok", "\ud83d"]},
            Violation("a[1]", "holds a control character or an invalid (surrogate) character"),
        ),
        ({"a": "\U0001f600 emoji is fine"}, None),
        ({"k\x00": 1}, None),  # keys are neither stored nor rendered
        ({"k" * (MAX_STRING + 1): 1}, Violation("", "a key is longer than 2000 characters")),
        ({"a": list(range(MAX_NODES))}, Violation("a", f"more than {MAX_NODES} values")),
        ({"a": list(range(MAX_NODES - 1))}, None),
        ("just a string", None),
        (7, None),
    ],
)
def test_bounds(body, expected):
    assert check(body) == expected
