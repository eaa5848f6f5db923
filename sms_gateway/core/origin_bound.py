"""Origin-bound codes: the last line ``@<domain> #<code>`` that phones and browsers read.

Safari and iOS autofill, Chrome's WebOTP and Android read a message whose last
line is ``@`` + the host (no scheme, port or path) + one space + ``#`` + the
code, and offer the code only on that site. Text after the code on that line is
ignored, which is where Android's SMS Retriever app hash (11 characters, which
it also accepts at the very end of the message) goes:

    Your sign-in code is 123456. It expires in 10 minutes.
    @id.example.com #123456 FA+9qCX9VSu

Logto sends neither the domain nor the hash: they are settings, with one domain
per Logto application where the payload names one (``application.id``). The
line is added to the *template* (``#{{code}}``), so rendering and masking treat
it like the rest of the text. Pure: no settings, no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

# A host name: dot-separated LDH labels (IDNs in their xn-- form), at least two.
_LABEL = r"(?!-)[a-z0-9-]{1,63}(?<!-)"
DOMAIN = re.compile(rf"^(?=.{{1,253}}$){_LABEL}(?:\.{_LABEL})+$")
APP_HASH = re.compile(r"^[A-Za-z0-9+/]{11}$")
# The line as browsers parse it (the code part of a rendered message).
LINE = re.compile(r"^@(?P<domain>[^\s#@]+) #(?P<code>\S+)(?: (?P<rest>.*))?$")
_TEMPLATE_LINE = re.compile(r"^@\S+ #{{\s*code\s*}}")


def valid_domain(domain: str) -> bool:
    return bool(DOMAIN.match(domain))


def valid_app_hash(value: str) -> bool:
    return bool(APP_HASH.match(value))


@dataclass(frozen=True)
class OriginBound:
    """What the deployment configured; empty domains mean no line at all."""

    domain: str = ""  # for every message without a more specific one
    by_application: Mapping[str, str] = field(default_factory=dict)  # application.id -> domain
    app_hash: str = ""  # Android SMS Retriever, appended after the code

    @property
    def enabled(self) -> bool:
        return bool(self.domain or self.by_application)

    def domain_for(self, payload: Mapping[str, Any]) -> str:
        """The domain of the application the payload names, if configured; else the default."""
        application = payload.get("application")
        if isinstance(application, Mapping):
            app_id = application.get("id")
            if isinstance(app_id, str) and app_id in self.by_application:
                return self.by_application[app_id]
        return self.domain


def template_line(domain: str, app_hash: str = "") -> str:
    """``@id.example.com #{{code}}`` (+ `` <hash>``): the line as a template."""
    return f"@{domain} #{{{{code}}}}" + (f" {app_hash}" if app_hash else "")


def has_line(template: str) -> bool:
    """Whether an operator already ended the template with an origin-bound line."""
    last = template.rstrip("\n").rsplit("\n", 1)[-1]
    return bool(_TEMPLATE_LINE.match(last))


def append(template: str, domain: str, app_hash: str = "") -> str:
    """The template with the origin-bound line as its last line (unchanged if it has one)."""
    if not domain or has_line(template):
        return template
    separator = "" if template.endswith("\n") else "\n"
    return f"{template}{separator}{template_line(domain, app_hash)}"


def parse_last_line(text: str) -> tuple[str, str] | None:
    """(domain, code) from a rendered message's last line, as a browser reads it; None if absent."""
    match = LINE.match(text.rsplit("\n", 1)[-1])
    return (match["domain"], match["code"]) if match else None


def parse_applications(value: str) -> dict[str, str]:
    """``app1=id.example.com,app2=login.example.org`` -> {app id: domain}; ValueError if bad."""
    domains: dict[str, str] = {}
    for item in (part.strip() for part in value.split(",")):
        if not item:
            continue
        app_id, sep, domain = (s.strip() for s in item.partition("="))
        if not sep or not app_id or not valid_domain(domain.lower()):
            raise ValueError(f"expected <Logto application id>=<host name>, got {item!r}")
        domains[app_id] = domain.lower()
    return domains
