"""Whether a release's shipped text is news to an operator who customized a template,
and which placeholders each template type may use: the template editor's decisions."""

from __future__ import annotations

from .message_types import CODE_TYPES, MessageType
from .validity import MINUTES_PLACEHOLDER, PLACEHOLDER

# What Logto's payload gives every type, then what only some types get.
_COMMON = ("locale", "uiLocales", "application.name", "organization.name")
_CODE = ("code", PLACEHOLDER, MINUTES_PLACEHOLDER, *_COMMON, "user.name")
_INVITATION = ("link", *_COMMON, "inviter.name")


def placeholders_for(kind: str) -> tuple[str, ...]:
    """Every placeholder a template of this type can use, the required one first."""
    if kind == MessageType.ORGANIZATION_INVITATION:
        return _INVITATION
    return _CODE if kind in CODE_TYPES else _COMMON


def shipped_changed_since_edit(
    text: str, is_customized: bool, shipped_at_edit: str, shipped_now: str | None
) -> bool:
    """A new shipped text the operator has not seen: the shipped text changed after the
    operator's last save. A deliberate edit of an unchanged shipped text is not news.

    ``shipped_at_edit`` is empty for templates edited before the gateway kept it: those
    are compared with the shipped text itself, as before.
    """
    if not is_customized or shipped_now is None or text == shipped_now:
        return False
    if not shipped_at_edit:
        return True
    return shipped_now != shipped_at_edit
