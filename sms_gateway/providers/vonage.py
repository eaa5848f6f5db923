"""Vonage (Nexmo) SMS API through the official ``vonage-sms`` SDK.

Traps handled here: the HTTP client is not thread-safe (it mutates one
headers dict and keeps the last response), so each thread gets its own; it
re-sends a POST up to ``pool_maxsize`` times when the server drops the
connection, so the pool holds one connection and nothing is retried; it has no
default timeout; non-GSM text must be sent with ``type=unicode``. Sessions do
not read the environment (proxy variables, CA bundle) on every call: a proxy
and a CA bundle are options.
Only ``vonage_http_client`` and ``vonage_sms`` are imported, not the whole
``vonage`` package (hundreds of modules).
"""

from __future__ import annotations

import re
import threading
import weakref
from typing import Any

import phonenumbers
from django.core.exceptions import ImproperlyConfigured
from vonage_http_client import Auth, HttpClient, HttpClientOptions
from vonage_http_client.errors import HttpRequestError
from vonage_sms import Sms, SmsMessage
from vonage_utils.errors import VonageError

from ..core.errors import Category, ProviderError
from .base import BaseProvider, OutgoingSMS, SendResult
from .deadline import DeadlineAdapter

# Per-message ``status`` codes of the SMS API (see the API's x-errors).
STATUS_CATEGORIES = {
    "1": Category.RATE_LIMITED,  # throttled
    "4": Category.PROVIDER_CONFIG,  # invalid credentials
    "5": Category.UNAVAILABLE,  # internal error
    "7": Category.RECIPIENT,  # number barred
    "8": Category.PROVIDER_CONFIG,  # account barred
    "9": Category.PROVIDER_CONFIG,  # no credit
    "10": Category.UNAVAILABLE,  # too many binds
    "11": Category.PROVIDER_CONFIG,  # account not enabled for the SMS API
    "14": Category.PROVIDER_CONFIG,  # invalid signature
    "15": Category.PROVIDER_CONFIG,  # sender not authorized
    "23": Category.PROVIDER_CONFIG,  # invalid callback URL
    "29": Category.PROVIDER_CONFIG,  # demo account: destination not whitelisted
    "32": Category.PROVIDER_CONFIG,  # signature and secret both sent
    "33": Category.RECIPIENT,  # number de-activated
}


# Status 3 ("invalid parameters") names the parameter in its error-text; when it is
# the recipient ("Invalid to address"), no provider will take the number.
_NAMES_RECIPIENT = re.compile(r"\bto\b\s*(address|param|number)|invalid\s+'?to\b", re.IGNORECASE)


def status_category(status: str, text: str = "", to: str = "") -> Category:
    """Category of a non-zero per-message status; unknown ones still fail over.

    3 (invalid parameters) is the recipient's when its error-text names ``to``;
    6 (unroutable, e.g. an unrecognised prefix) is the recipient's when the number
    is in no allocated range either (libphonenumber): another provider would refuse
    it too. Otherwise both are this provider's refusal and fail over: Vonage's
    numbering data can lag a new range another provider already reaches.
    """
    status = str(status)
    if status == "3" and _NAMES_RECIPIENT.search(text or ""):
        return Category.RECIPIENT
    if status == "6" and to and not _valid_number(to):
        return Category.RECIPIENT
    return STATUS_CATEGORIES.get(status, Category.REJECTED)


def _valid_number(e164: str) -> bool:
    try:
        return phonenumbers.is_valid_number(phonenumbers.parse("+" + e164.lstrip("+"), None))
    except phonenumbers.NumberParseException:
        return False


# The SDK refuses a longer callback on every send (pydantic, max_length=100).
CALLBACK_MAX_LENGTH = 100
_REST_HOST = re.compile(r"^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$")


def sender_problem(sender: str) -> str:
    """'' when Vonage can send from ``sender``: a number (up to 15 digits, its ``+`` is
    dropped on send) or an alphanumeric brand of up to 11 characters."""
    number = sender[1:] if sender.startswith("+") else sender
    if number.isdigit():
        return "" if len(number) <= 15 else "A number sender has at most 15 digits."
    if sender.startswith("+"):
        return "A number sender is digits only after its '+'."
    if len(sender) > 11:
        return f"An alphanumeric sender has at most 11 characters at Vonage ({len(sender)} given)."
    return ""


def http_category(status: int) -> Category:
    if status in (401, 403):
        return Category.PROVIDER_CONFIG
    if status == 429:
        return Category.RATE_LIMITED
    if status >= 500:
        return Category.UNAVAILABLE
    return Category.REJECTED


class VonageProvider(BaseProvider):
    options = {
        "API_KEY": "",
        "API_SECRET": "",
        "FROM": "",  # number or alphanumeric brand, when the route gives none
        "CALLBACK": "",  # delivery-receipt URL (otherwise the account's setting)
        "REST_HOST": "rest.nexmo.com",  # host[:port]; always https
        "CA_BUNDLE": "",  # CA file to trust instead of the system's (private CA, fake)
        "PROXY": "",  # http(s)://host:port of an egress proxy; the environment's is ignored
    }
    required = ("API_KEY", "API_SECRET")
    sender_problem = staticmethod(sender_problem)
    receipts = "vonage"  # its receipts carry our reference (client-ref): the URL needs none

    def __init__(self, alias: str, **options: Any) -> None:
        super().__init__(alias, **options)
        self._validate()
        self._local = threading.local()
        # Weak: a client lives as long as its thread (servers that start a thread
        # per request must not pile them up); close() reaches those still alive.
        self._clients: weakref.WeakSet[HttpClient] = weakref.WeakSet()
        self._lock = threading.Lock()

    def _validate(self) -> None:
        """Every option checked once, at startup (check E002), never on each send."""
        where = f"SMS_PROVIDERS[{self.alias!r}]['OPTIONS']"
        problems = []
        if self.config["FROM"] and sender_problem(self.config["FROM"]):
            problems.append(f"FROM: {sender_problem(self.config['FROM'])}")
        callback = self.config["CALLBACK"]
        if callback and not callback.startswith("https://"):
            problems.append("CALLBACK must be an https:// URL (receipts carry the recipient).")
        if len(callback) > CALLBACK_MAX_LENGTH:
            problems.append(
                f"CALLBACK is {len(callback)} characters; Vonage takes at most "
                f"{CALLBACK_MAX_LENGTH} (every send would fail)."
            )
        if not _REST_HOST.match(str(self.config["REST_HOST"])):
            problems.append("REST_HOST is host[:port] only, without scheme or path.")
        proxy = self.config["PROXY"]
        if proxy and not re.match(r"^https?://[^/\s]+/?$", proxy):
            problems.append("PROXY must be http(s)://host:port.")
        if problems:
            raise ImproperlyConfigured(f"{where}: " + " ".join(problems))

    def receipt_url_problem(self, url: str) -> str:
        if self.config["CALLBACK"] or len(url) <= CALLBACK_MAX_LENGTH:
            return ""  # CALLBACK, when set, is used instead and checked at startup
        return (
            f"receipt URL of {len(url)} characters; Vonage takes at most "
            f"{CALLBACK_MAX_LENGTH}: shorten SMS_PUBLIC_BASE_URL or set CALLBACK"
        )

    def _sms(self) -> tuple[Sms, HttpClient]:
        sms = getattr(self._local, "sms", None)
        if sms is None:
            http = HttpClient(
                Auth(api_key=self.config["API_KEY"], api_secret=self.config["API_SECRET"]),
                HttpClientOptions(
                    rest_host=self.config["REST_HOST"],
                    pool_connections=1,
                    pool_maxsize=1,  # also the SDK's retry count on a dropped connection
                    max_retries=0,
                ),
            )
            # Connections the deadline watchdog can cut (providers/deadline.py).
            http._adapter = DeadlineAdapter(pool_connections=1, pool_maxsize=1, max_retries=0)
            http._session.mount("https://", http._adapter)
            # Otherwise requests scans the environment on every call, and
            # REQUESTS_CA_BUNDLE there would override session.verify.
            http._session.trust_env = False
            if self.config["CA_BUNDLE"]:
                http._session.verify = self.config["CA_BUNDLE"]
            if self.config["PROXY"]:
                http._session.proxies = {
                    "http": self.config["PROXY"],
                    "https": self.config["PROXY"],
                }
            sms = self._local.sms = Sms(http)
            with self._lock:
                self._clients.add(http)
        return sms, sms.http_client

    def send(self, sms: OutgoingSMS, timeout: float) -> SendResult:
        sender = sms.sender or self.config["FROM"]
        if not sender:
            raise ProviderError(
                self.alias, Category.PROVIDER_CONFIG, "no sender: set FROM or a route sender"
            )
        if sender.startswith("+") and sender[1:].isdigit():
            sender = sender[1:]  # numbers go without '+' at Vonage, as `to` does
        problem = self.receipt_url_problem(sms.receipt_url)
        if problem:  # rather than the SDK's validation error
            raise ProviderError(self.alias, Category.PROVIDER_CONFIG, problem)
        callback = self.config["CALLBACK"] or sms.receipt_url
        client, http = self._sms()
        message = SmsMessage(
            to=sms.to.lstrip("+"),
            from_=sender,
            text=sms.text,
            type="unicode" if sms.unicode else "text",
            client_ref=sms.reference,
            callback=callback or None,
            # India's DLT registration: Vonage's entity-id and content-id.
            entity_id=sms.dlt_entity_id or None,
            content_id=sms.dlt_template_id or None,
        )
        http._timeout = timeout  # the option takes whole seconds only; requests takes floats
        http._last_response = None
        try:
            with self.transport_errors():
                response = client.send(message)
        except HttpRequestError as err:
            status = err.response.status_code
            raise ProviderError(
                self.alias, http_category(status), f"HTTP {status}", str(status)
            ) from err
        except VonageError as err:  # SmsError, PartialFailureError: a non-zero message status
            status, text = _first_status(http)
            category = status_category(status, text, sms.to)
            raise ProviderError(self.alias, category, text, status) from err
        first = response.messages[0]
        return SendResult(provider_message_id=first.message_id or "", status="accepted")

    def close(self) -> None:
        with self._lock:
            for http in list(self._clients):
                http._session.close()
            self._clients.clear()
        self._local = threading.local()


def _first_status(http: HttpClient) -> tuple[str, str]:
    try:
        failed = [m for m in http.last_response.json()["messages"] if m.get("status") != "0"]
        return str(failed[0]["status"]), str(failed[0].get("error-text", ""))[:200]
    except Exception:
        return "", "error answer"
