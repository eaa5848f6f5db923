"""Template history: the old and the new text of every change made in the admin.

Kept in Django's own admin log (``LogEntry``), no table of ours: the change
message of an edit, a reset or a restore carries both texts next to Django's
``{"changed": {"fields": [...]}}``. The history page shows every entry in one
table, newest first, each text change with *Restore this version*.
Changes made outside the admin (``import_templates``, ``reset_template``,
``load_templates``) are not in it; exports in git are their history.
"""

from __future__ import annotations

import difflib
import json
import re

from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.http import HttpRequest
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from ..models import Template

TEXTS = "texts"  # the key of our entry in the change message's list
TIME_FORMAT = "Y-m-d H:i:s T"  # as the Messages list shows times


def moment(when) -> str:  # noqa: ANN001
    """A time as every screen of the gateway shows it: 2026-12-01 15:27:01 UTC."""
    return date_format(timezone.localtime(when), TIME_FORMAT)


def with_texts(message: list, old: str, new: str, label: str = "") -> list:
    """Django's change message, plus the two texts when the text changed."""
    if old == new:
        return message
    entry = {TEXTS: {"old": old, "new": new}}
    if label:
        entry[TEXTS]["label"] = label
    return [*message, entry]


def log_text_change(
    request: HttpRequest, template: Template, old: str, new: str, label: str
) -> None:
    """An admin log entry for a change that is not a form save (reset, restore)."""
    if old == new:
        return
    LogEntry.objects.log_actions(
        user_id=request.user.pk,
        queryset=[template],
        action_flag=CHANGE,
        change_message=[
            {"changed": {"fields": ["Text"]}},
            {TEXTS: {"old": old, "new": new, "label": label}},
        ],
        single_object=True,
    )


def _entries(template: Template):  # noqa: ANN202
    return LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Template),
        object_id=str(template.pk),
    ).select_related("user")


def _texts(entry: LogEntry) -> dict | None:
    try:
        parts = json.loads(entry.change_message or "[]")
    except ValueError:
        return None
    for part in parts if isinstance(parts, list) else []:
        if isinstance(part, dict) and isinstance(part.get(TEXTS), dict):
            return part[TEXTS]
    return None


def changes(template: Template) -> list[dict]:
    """Every admin change of this template, newest first: when, who, what, and for a text
    change both texts with their differences marked and the entry a restore reads."""
    rows = []
    for entry in _entries(template).order_by("-action_time", "-pk"):
        texts = _texts(entry)
        row = {
            "entry": entry.pk,
            "time": moment(entry.action_time),
            "user": entry.user,
            "text_change": bool(texts),
        }
        if texts:
            old, new = side_by_side(texts.get("old", ""), texts.get("new", ""))
            label = texts.get("label") or "Edited the text"
            row.update(label=label, old=old, new=new, current=texts.get("new") == template.text)
        else:
            row.update(label=entry.get_change_message() or entry.get_action_flag_display())
        rows.append(row)
    return rows


def version(template: Template, entry_id: int):  # noqa: ANN201
    """(time, text) that one logged change left this template with, or None."""
    entry = _entries(template).filter(pk=entry_id).first()
    texts = _texts(entry) if entry else None
    if not texts or not isinstance(texts.get("new"), str):
        return None
    return entry.action_time, texts["new"]


_TOKENS = re.compile(r"\s+|\w+|[^\w\s]")


def side_by_side(old: str, new: str) -> tuple[SafeString, SafeString]:
    """Both texts, escaped, with what was removed in <del> and what was added in <ins>."""
    a, b = _TOKENS.findall(old), _TOKENS.findall(new)
    left: list[tuple[str, str]] = []
    right: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            left.append(("{}", "".join(a[i1:i2])))
            right.append(("{}", "".join(b[j1:j2])))
            continue
        if i2 > i1:
            left.append(("<del>{}</del>", "".join(a[i1:i2])))
        if j2 > j1:
            right.append(("<ins>{}</ins>", "".join(b[j1:j2])))

    def join(parts: list[tuple[str, str]]) -> SafeString:
        return format_html_join(
            "", "{}", ((format_html(pattern, text),) for pattern, text in parts)
        )

    return join(left), join(right)
