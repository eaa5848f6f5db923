"""Twilio Programmable Messaging through the official ``twilio`` SDK.

Traps handled here: the SDK has no timeout by default (we pass one per
attempt), reads region/edge from the environment unless told otherwise (we
pass them explicitly), and is safe to share between threads, so one client per
process pools connections, in a pool as large as the threads (the SDK's holds
at most 32, and only for https). It carries its requests on urllib3, not on a
``requests`` session (``_HttpClient``), and never reads the environment's proxy
and CA variables: a proxy and a CA file are options.
"""

from __future__ import annotations

import base64
import functools
import json
import logging
import os
import re
import threading
from typing import Any
from urllib.parse import unquote, urlencode, urlsplit, urlunsplit

import certifi
import urllib3
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http import HttpClient
from twilio.http.response import Response
from twilio.rest import Client

from ..core.errors import Category, ProviderError
from . import deadline
from .base import BaseProvider, OutgoingSMS, SendResult

MESSAGING_SERVICE_SID = re.compile(r"^MG[0-9a-fA-F]{32}$")

# Twilio error codes (https://www.twilio.com/docs/api/errors) that mean the
# recipient cannot get this SMS from anyone, or that our account is set up wrong.
RECIPIENT_CODES = {
    21211,  # invalid 'To' phone number
    21217,  # phone number does not appear to be valid
    21401,  # invalid phone number
    21407,  # this phone number type does not support SMS
    21421,  # phone number is invalid
    21610,  # recipient replied STOP: opted out
    21614,  # 'To' number is not a valid mobile number
    21635,  # 'To' number cannot be a landline
}
CONFIG_CODES = {
    20003,  # authentication error
    20005,  # account not active
    20008,  # test credentials cannot do this
    20404,  # resource (account) not found
    21212,  # invalid 'From' number
    21408,  # permission to send to this region is not enabled
    21606,  # 'From' number is not a valid, SMS-capable number for this account
    21603,  # 'From' is required
    21659,  # 'From' is not a Twilio number
    21660,  # 'From' number does not belong to this account
    21703,  # messaging service has no phone numbers
    21704,  # messaging service contains no phone numbers
    21705,  # invalid messaging service
    21710,  # messaging service not found
}
# Not here: 30xxx codes (30002 account suspended, 30003 unreachable, 30005 unknown
# number, 30006 landline...) are delivery statuses of a message Twilio accepted;
# they arrive in status callbacks (core/delivery_status.py), never as an API error.


def error_category(status: int, code: int | None) -> Category:
    """The normalized category of a Twilio API error answer."""
    if code in RECIPIENT_CODES:
        return Category.RECIPIENT
    if code in CONFIG_CODES or status in (401, 403):
        return Category.PROVIDER_CONFIG
    if status == 429 or code in (20429, 14107):
        return Category.RATE_LIMITED
    if status >= 500:
        return Category.UNAVAILABLE
    return Category.REJECTED


ACCOUNT_SID = re.compile(r"^AC[0-9a-fA-F]{32}$")
_BASE_URL = re.compile(r"^https?://[^/\s?#]+/?$")


def sender_problem(sender: str) -> str:
    """'' when Twilio can send from ``sender``: a Messaging Service SID (MG...), an
    E.164 number with its '+', a short code, or an alphanumeric ID of up to 11."""
    if MESSAGING_SERVICE_SID.match(sender):
        return ""
    if sender.startswith("MG"):
        return "A Messaging Service SID is MG followed by 32 hexadecimal digits."
    if sender.startswith("+"):
        ok = sender[1:].isdigit() and len(sender) <= 16
        return "" if ok else "A number sender is '+' and up to 15 digits (E.164)."
    if sender.isdigit():
        # Short codes (5-6 digits) go as they are; a long number needs its '+'.
        return "" if len(sender) <= 8 else "A number sender needs its '+' at Twilio (E.164)."
    if len(sender) > 11:
        return f"An alphanumeric sender has at most 11 characters ({len(sender)} given)."
    return ""


class _HttpClient(HttpClient):
    """The SDK's HTTP client, on urllib3: the SDK's documented extension point
    (``Client(http_client=...)``), in place of its ``requests`` session.

    Everything Twilio's API is (URLs, authentication, parameters, answers, errors)
    stays the SDK's; this client only carries its requests. ``requests`` spent more
    CPU per SMS preparing and merging each request (its session's settings, cookies,
    hooks, typing protocols) than urllib3 takes to send it and read the answer (see
    README, *Benchmark*). The connections are the deadline's (``deadline.POOLS``), so
    ``wall_clock`` cuts them as before; the environment's proxy and CA variables are
    never read. Applies the current attempt's timeout and, if configured, another
    base URL: the SDK rewrites hosts for region and edge itself, so redirection to
    ``API_BASE_URL`` happens after, on the final URL, keeping the host Twilio would
    have been called at in the ``Host`` header.
    """

    def __init__(
        self, base_url: str = "", pool_size: int = 10, proxy: str = "", ca_bundle: str = ""
    ) -> None:
        super().__init__(logging.getLogger("twilio.http_client"), is_async=False)
        options: dict[str, Any] = {
            "num_pools": 4,
            "maxsize": pool_size,
            "cert_reqs": "CERT_REQUIRED",
            "ca_certs": ca_bundle or certifi.where(),  # requests' default bundle
        }
        if proxy:
            # user:password@ in the proxy's URL: urllib3 sends them only when told to.
            parts = urlsplit(proxy)
            if parts.username is not None:
                credentials = f"{unquote(parts.username)}:{unquote(parts.password or '')}"
                options["proxy_headers"] = urllib3.make_headers(proxy_basic_auth=credentials)
                proxy = urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))
            self.pool = urllib3.ProxyManager(proxy, **options)
        else:
            self.pool = urllib3.PoolManager(**options)
        self.pool.pool_classes_by_scheme = dict(deadline.POOLS)
        self.base_url = urlsplit(base_url) if base_url else None
        self.attempt = threading.local()

    def request(  # noqa: PLR0913 - the SDK's signature
        self,
        method: str,
        uri: str,
        params: dict[str, object] | None = None,
        data: dict[str, object] | None = None,
        headers: dict[str, str] | None = None,
        auth: tuple[str, str] | None = None,
        timeout: float | None = None,
        allow_redirects: bool = False,
    ) -> Response:
        seconds = getattr(self.attempt, "timeout", None) or timeout or self.timeout
        if seconds is not None and seconds <= 0:  # as the SDK's own client refuses it
            raise ValueError(seconds)
        headers = dict(headers or {})
        if auth is not None:
            headers["Authorization"] = basic_auth(*auth)
        if params:
            uri += ("&" if "?" in uri else "?") + form_encoded(params)
        body = None
        if data:  # requests sends no body for an empty dict either
            if headers.get("Content-Type") in ("application/json", "application/scim+json"):
                body = json.dumps(data)
            else:
                body = form_encoded(data)
                headers["Content-Type"] = "application/x-www-form-urlencoded"
        if self.base_url is not None:
            parts = urlsplit(uri)
            headers["Host"] = parts.netloc
            base = self.base_url
            uri = urlunsplit(parts._replace(scheme=base.scheme, netloc=base.netloc))
        answer = self.pool.request(
            method.upper(),
            uri,
            body=body,
            headers=headers,
            timeout=urllib3.Timeout(connect=seconds, read=seconds),
            redirect=allow_redirects,
            retries=False,  # one POST per attempt: retrying is the gateway's decision
            preload_content=False,  # the deadline's call is "answered" once headers are in
        )
        try:
            content = answer.read()
        finally:
            answer.release_conn()
        return Response(answer.status, decoded(answer.headers, content), answer.headers)

    def close(self) -> None:
        self.pool.clear()


@functools.lru_cache(maxsize=16)
def basic_auth(username: str, password: str) -> str:
    """The ``Authorization`` value of HTTP Basic, as requests builds it (latin-1)."""
    return "Basic " + base64.b64encode(f"{username}:{password}".encode("latin1")).decode("ascii")


def form_encoded(values: dict[str, object]) -> str:
    """``application/x-www-form-urlencoded`` as requests encodes a dict: a list or tuple
    gives one pair per item, ``None`` items are left out, text is UTF-8."""
    pairs = []
    for key, value in values.items():
        items = value if isinstance(value, (list, tuple)) else (value,)
        pairs.extend((key, item) for item in items if item is not None)
    return urlencode(pairs)


def decoded(headers: Any, content: bytes) -> str:
    """An answer's text in its declared charset; UTF-8 when it declares none (JSON)."""
    charset = "utf-8"
    for part in (headers.get("Content-Type") or "").split(";")[1:]:
        name, _, value = part.strip().partition("=")
        if name.lower() == "charset" and value:
            charset = value.strip("\"'")
    try:
        return content.decode(charset, errors="replace")
    except LookupError:  # a charset Python does not know
        return content.decode("utf-8", errors="replace")


class TwilioProvider(BaseProvider):
    options = {
        "ACCOUNT_SID": "",
        "AUTH_TOKEN": "",
        "FROM": "",  # number or alphanumeric sender, when the route gives none
        "MESSAGING_SERVICE_SID": "",  # MG..., instead of FROM
        "STATUS_CALLBACK": "",  # URL Twilio posts delivery status to
        "REGION": "",  # e.g. ie1 for Twilio's EU region
        "EDGE": "",  # e.g. dublin
        "API_BASE_URL": "",  # send to this scheme://host:port instead (a proxy, a fake)
        "PROXY": "",  # http(s)://host:port of an egress proxy; the environment's is ignored
        "POOL_SIZE": 0,  # connections kept per process; 0: SMS_HTTP_POOL_SIZE
        "CA_BUNDLE": "",  # CA file to trust instead of certifi's (a private CA, a fake)
    }
    required = ("ACCOUNT_SID", "AUTH_TOKEN")
    sender_problem = staticmethod(sender_problem)
    receipts = "twilio"
    # Twilio's status callbacks do not echo a client reference: ours rides in the URL
    # (Twilio signs the whole URL), so a receipt that beats our final UPDATE still finds it.
    reference_in_receipt_url = True

    def __init__(self, alias: str, **options: Any) -> None:
        super().__init__(alias, **options)
        self._validate()
        self.http = _HttpClient(
            self.config["API_BASE_URL"],
            pool_size=self.config["POOL_SIZE"] or settings.SMS_HTTP_POOL_SIZE,
            proxy=self.config["PROXY"],
            ca_bundle=self.config["CA_BUNDLE"],
        )
        self.client = Client(
            self.config["ACCOUNT_SID"],
            self.config["AUTH_TOKEN"],
            region=self.config["REGION"] or None,
            edge=self.config["EDGE"] or None,
            http_client=self.http,
            environment={},  # settings, not stray TWILIO_* variables, decide
        )

    def _validate(self) -> None:
        """Every option checked once, at startup (check E002), never on each send."""
        config, problems = self.config, []
        if not ACCOUNT_SID.match(config["ACCOUNT_SID"]):
            problems.append("ACCOUNT_SID is AC followed by 32 hexadecimal digits.")
        if config["MESSAGING_SERVICE_SID"] and not MESSAGING_SERVICE_SID.match(
            config["MESSAGING_SERVICE_SID"]
        ):
            problems.append("MESSAGING_SERVICE_SID is MG followed by 32 hexadecimal digits.")
        if config["FROM"] and sender_problem(config["FROM"]):
            problems.append(f"FROM: {sender_problem(config['FROM'])}")
        callback = config["STATUS_CALLBACK"]
        if callback and not re.match(r"^https?://[^/\s]+", callback):
            problems.append("STATUS_CALLBACK must be an absolute http(s) URL.")
        for name in ("API_BASE_URL", "PROXY"):
            if config[name] and not _BASE_URL.match(config[name]):
                problems.append(f"{name} must be scheme://host[:port], without a path.")
        if config["CA_BUNDLE"] and not os.path.isfile(config["CA_BUNDLE"]):
            problems.append(f"CA_BUNDLE: no such file {config['CA_BUNDLE']!r}.")
        if not isinstance(config["POOL_SIZE"], int) or config["POOL_SIZE"] < 0:
            problems.append("POOL_SIZE must be a whole number ≥ 0.")
        if problems:
            where = f"SMS_PROVIDERS[{self.alias!r}]['OPTIONS']"
            raise ImproperlyConfigured(f"{where}: " + " ".join(problems))

    def default_sender(self) -> str:
        return self.config["MESSAGING_SERVICE_SID"] or self.config["FROM"]

    def _sender(self, sms: OutgoingSMS) -> dict[str, str]:
        sender = sms.sender or self.config["MESSAGING_SERVICE_SID"] or self.config["FROM"]
        if not sender:
            raise ProviderError(
                self.alias, Category.PROVIDER_CONFIG, "no sender: set FROM or a route sender"
            )
        if MESSAGING_SERVICE_SID.match(sender):
            return {"messaging_service_sid": sender}
        return {"from_": sender}

    def send(self, sms: OutgoingSMS, timeout: float) -> SendResult:
        params: dict[str, Any] = {"to": sms.to, "body": sms.text, **self._sender(sms)}
        callback = self.config["STATUS_CALLBACK"] or sms.receipt_url
        if callback:
            params["status_callback"] = callback
        self.http.attempt.timeout = timeout
        try:
            with self.transport_errors():
                message = self.client.messages.create(**params)
        except TwilioRestException as err:
            raise ProviderError(
                self.alias,
                error_category(err.status, err.code),
                str(err.msg)[:200],
                str(err.code or err.status),
            ) from err
        except TwilioException as err:
            raise self.unreadable_answer(err) from err
        finally:
            self.http.attempt.timeout = None
        return SendResult(provider_message_id=message.sid or "", status=message.status or "")

    def close(self) -> None:
        self.http.close()
