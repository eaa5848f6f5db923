"""Fake price lists on 127.0.0.1 answering as Twilio's Pricing API v1 and Vonage's
pricing API do (../shared/docs/pricing-apis.md), for the real SDKs to read."""

from __future__ import annotations

import base64
import json
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


class FakePriceList:
    def __init__(self, user: str, password: str, ssl_context: ssl.SSLContext | None = None):
        self.user, self.password = user, password
        self.paths: list[str] = []
        self.countries: dict[str, dict] = {}  # ISO -> answer
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802
                fake.paths.append(self.path)
                status, body = fake.answer(self)
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        if ssl_context is not None:
            self.server.socket = ssl_context.wrap_socket(self.server.socket, server_side=True)
        self.scheme = "https" if ssl_context is not None else "http"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def netloc(self) -> str:
        return f"127.0.0.1:{self.server.server_address[1]}"

    @property
    def url(self) -> str:
        return f"{self.scheme}://{self.netloc}"

    def authorized(self, handler: BaseHTTPRequestHandler) -> bool:
        value = handler.headers.get("Authorization", "")
        if not value.startswith("Basic "):
            return False
        user, _, password = base64.b64decode(value[6:]).decode().partition(":")
        return (user, password) == (self.user, self.password)

    def answer(self, handler: BaseHTTPRequestHandler) -> tuple[int, object]:
        raise NotImplementedError

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class FakeTwilioPricing(FakePriceList):
    def answer(self, handler):  # noqa: ANN001, ANN201
        if not self.authorized(handler):
            return 401, {"code": 20003, "message": "Authenticate", "status": 401}
        path = urlsplit(handler.path).path
        base = "/v1/Messaging/Countries"
        if path == base:
            countries = [
                {"country": c["country"], "iso_country": iso, "url": f"{base}/{iso}"}
                for iso, c in self.countries.items()
            ]
            meta = {
                "page": 0,
                "page_size": 50,
                "first_page_url": f"https://pricing.twilio.com{base}?PageSize=50&Page=0",
                "previous_page_url": None,
                "next_page_url": None,
                "url": f"https://pricing.twilio.com{base}?PageSize=50&Page=0",
                "key": "countries",
            }
            return 200, {"countries": countries, "meta": meta}
        iso = path.removeprefix(base + "/")
        if iso in self.countries:
            return 200, self.countries[iso]
        return 404, {"code": 20404, "message": "Not found", "status": 404}

    @staticmethod
    def country(iso: str, name: str, unit: str, carriers: list[tuple[str, str, str, object]]):
        return {
            "country": name,
            "iso_country": iso,
            "price_unit": unit,
            "outbound_sms_prices": [
                {
                    "carrier": carrier,
                    "mcc": mcc,
                    "mnc": mnc,
                    "prices": [
                        {"number_type": "mobile", "base_price": price, "current_price": price},
                        {"number_type": "local", "base_price": "9.9", "current_price": "9.9"},
                    ],
                }
                for carrier, mcc, mnc, price in carriers
            ],
            "inbound_sms_prices": [],
            "url": f"https://pricing.twilio.com/v1/Messaging/Countries/{iso}",
        }


class FakeVonagePricing(FakePriceList):
    def answer(self, handler):  # noqa: ANN001, ANN201
        if not self.authorized(handler):
            return 401, {"error-code": "401", "error-code-label": "authentication failed"}
        parts = urlsplit(handler.path)
        query = parse_qs(parts.query)
        if parts.path == "/account/get-pricing/outbound/sms":
            iso = (query.get("country") or [""])[0]
            return 200, self.countries.get(iso, {})
        if parts.path == "/account/get-full-pricing/outbound/sms":
            return 200, {"count": len(self.countries), "countries": list(self.countries.values())}
        return 404, {}

    @staticmethod
    def country(iso: str, name: str, prefix: str, default: str, networks: list[tuple]):
        return {
            "countryCode": iso,
            "countryName": name,
            "countryDisplayName": name,
            "currency": "EUR",
            "defaultPrice": default,
            "dialingPrefix": prefix,
            "networks": [
                {
                    "type": "mobile",
                    "price": price,
                    "currency": "EUR",
                    "mcc": mcc,
                    "mnc": mnc,
                    "networkCode": f"{mcc}{mnc}",
                    "networkName": name_,
                    "aliases": [],
                }
                for name_, mcc, mnc, price in networks
            ],
        }
