"""The one exception hierarchy every provider failure is translated into.

Configuration problems are ``django.core.exceptions.ImproperlyConfigured``,
deliberately outside this root so that no ``except GatewayError`` hides them.
"""

from __future__ import annotations

from enum import StrEnum


class Category(StrEnum):
    UNAVAILABLE = "unavailable"  # timeout, connection error, 5xx, unreadable answer
    RATE_LIMITED = "rate_limited"  # 429 or a provider throttle
    PROVIDER_CONFIG = "provider_config"  # credentials, sender, account or region settings
    RECIPIENT = "recipient"  # invalid, barred or unreachable number: every provider refuses
    REJECTED = "rejected"  # the provider refused this message for another reason
    INTERNAL = "internal"  # a bug in our adapter or an SDK incompatibility, not the provider


# A recipient-side refusal would be repeated by the next provider: stop there.
FAILS_OVER = frozenset(Category) - {Category.RECIPIENT}


class GatewayError(Exception):
    """Root of everything the send path raises on purpose."""


class ProviderError(GatewayError):
    """A provider did not take the SMS. ``ambiguous``: it failed after the request
    was sent (timeout, dropped connection), so the provider may have taken it."""

    def __init__(
        self,
        provider: str,
        category: Category,
        message: str,
        code: str = "",
        ambiguous: bool = False,
    ) -> None:
        super().__init__(f"{provider}: {category}: {message}" + (f" (code {code})" if code else ""))
        self.provider = provider
        self.category = Category(category)
        self.code = str(code) if code is not None else ""
        self.message = message
        self.ambiguous = ambiguous

    @property
    def fails_over(self) -> bool:
        return self.category in FAILS_OVER


class SendFailed(GatewayError):
    """No provider on the route took the message."""


class RecipientRejected(GatewayError):
    """The number cannot receive this SMS through any provider."""


class NoTemplate(GatewayError):
    """Neither the type nor Generic has a template in any candidate locale."""


class Refused(GatewayError):
    """A guard policy refused to send this SMS (rate limit, country, number type...).

    ``reason`` is a short machine word for records and metrics; the message is
    what the end user may read. ``retry_after`` (seconds) is set when waiting helps.
    """

    def __init__(self, reason: str, message: str, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.reason = reason
        self.retry_after = retry_after


class RecordUnavailable(GatewayError):
    """The message could not be recorded, so it was not sent (the database is away)."""
