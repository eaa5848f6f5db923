"""Which template text an SMS uses: its type in the best locale, else Generic."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from . import locales
from .errors import NoTemplate
from .message_types import KNOWN_TYPES, MessageType


class Catalog(Protocol):
    """What selection reads of the catalog snapshot (catalog/snapshot.py): core does
    not import the layers above it."""

    @property
    def templates(self) -> dict[tuple[str, str], str]: ...  # (type, locale) -> text

    def locales_for(self, message_type: str) -> tuple[str, ...]: ...


@dataclass(frozen=True)
class Selected:
    type: str
    locale: str
    text: str


def select(
    catalog: Catalog,
    message_type: str,
    candidates: list[str],
) -> Selected:
    kinds = [message_type] if message_type in KNOWN_TYPES else []
    if message_type != MessageType.GENERIC:
        kinds.append(MessageType.GENERIC)
    for kind in kinds:
        locale = locales.resolve(candidates, catalog.locales_for(kind))
        if locale is not None:
            return Selected(kind, locale, catalog.templates[(kind, locale)])
    raise NoTemplate(f"no template for {message_type} or Generic in {', '.join(candidates)}")
