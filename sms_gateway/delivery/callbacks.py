"""The receipt URL each SMS carries, built from one setting: ``SMS_PUBLIC_BASE_URL``.

The provider alias is in the path, so each account's secret validates its own
receipts. Twilio's URL also carries our message id (``ref``): Twilio signs the
whole URL, and a receipt that beats the send path's final UPDATE (which writes
Twilio's message SID) still finds its record.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse


def callback_url(kind: str, alias: str, reference: str = "") -> str:
    """``https://sms.example.com/webhooks/twilio/twilio-eu?ref=…``; "" when no base URL is set."""
    base = settings.SMS_PUBLIC_BASE_URL.rstrip("/")
    if not base:
        return ""
    path = reverse(f"webhook-{kind}", kwargs={"alias": alias})
    url = base + path
    return f"{url}?{urlencode({'ref': reference})}" if reference else url
