"""Tenants' Logto webhook signing keys at rest (README, "Tenants"): encrypted, never
stored in clear.

A webhook's signature is checked with the key itself (HMAC), so unlike a tenant's
token it cannot be kept as a digest. It is kept encrypted with Fernet (AES-128-CBC
and HMAC-SHA256, from ``cryptography``) under a key derived from ``SECRET_KEY`` by
HKDF-SHA256, and read with ``SECRET_KEY`` or any of ``SECRET_KEY_FALLBACKS``, so a
rotation of ``SECRET_KEY`` that keeps the old one as a fallback breaks no webhook.

Pure: the secrets are parameters (models.py passes Django's settings).
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

# Says what the derived key is for: the same SECRET_KEY gives other keys to other uses.
PURPOSE = b"sms_gateway: tenants' Logto webhook signing keys, v1"

# Keys shorter than this show none of their characters in the admin.
SHOWN_FROM_LENGTH = 12


class Unreadable(Exception):
    """Sealed under a secret that is neither ``SECRET_KEY`` nor a fallback (or altered)."""


def _fernet(secret: str) -> Fernet:
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=PURPOSE).derive(
        secret.encode()
    )
    return Fernet(base64.urlsafe_b64encode(derived))


def parse(text: str) -> tuple[str, ...]:
    """Keys as typed: one per line, blanks and surrounding spaces dropped, each once."""
    return tuple(dict.fromkeys(line.strip() for line in text.splitlines() if line.strip()))


def seal(keys: Iterable[str], secret: str) -> str:
    """What the column holds: "" for no key, else the keys encrypted under ``secret``."""
    keys = tuple(keys)
    if not keys:
        return ""
    return _fernet(secret).encrypt("\n".join(keys).encode()).decode("ascii")


def unseal(sealed: str, secrets: Sequence[str]) -> tuple[str, ...]:
    """The keys in ``sealed``, decrypted with the first of ``secrets`` that opens it."""
    if not sealed:
        return ()
    try:
        plain = MultiFernet([_fernet(s) for s in secrets]).decrypt(sealed.encode("ascii"))
    except (InvalidToken, UnicodeEncodeError):
        raise Unreadable from None
    return parse(plain.decode())


def reseal(sealed: str, secrets: Sequence[str]) -> str:
    """``sealed`` encrypted again under ``secrets[0]`` (after a rotation of SECRET_KEY)."""
    return seal(unseal(sealed, secrets), secrets[0])


def describe(keys: Sequence[str]) -> str:
    """What the admin shows of stored keys: how many, and the last 4 characters of each."""
    if not keys:
        return "None"
    ends = ", ".join(f"…{k[-4:]}" if len(k) >= SHOWN_FROM_LENGTH else "a short key" for k in keys)
    return f"{len(keys)} key{'s' if len(keys) > 1 else ''}: {ends}"
