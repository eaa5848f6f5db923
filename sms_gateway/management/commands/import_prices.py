"""manage.py import_prices ALIAS [--country DE ...] | --csv FILE"""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from ...providers import build_provider
from ...providers.twilio import TwilioProvider
from ...providers.vonage import VonageProvider
from ...routing import prices


class Command(BaseCommand):
    help = (
        "Import SMS prices per country (and per mobile network) from a provider's price "
        "list (Twilio's Pricing API, Vonage's pricing API) or from a CSV "
        "(provider,country,network,amount,currency)."
    )

    def add_arguments(self, parser) -> None:  # noqa: ANN001
        parser.add_argument("alias", nargs="?", help="A provider alias from SMS_PROVIDERS.")
        parser.add_argument(
            "--country", action="append", default=[], help="ISO code; repeat; none: all."
        )
        parser.add_argument("--csv", help="A CSV file instead of a provider.")

    def handle(self, *args: object, **options: object) -> None:
        try:
            if options["csv"]:
                with open(options["csv"], newline="", encoding="utf-8") as lines:
                    rows = prices.csv_rows(lines)
                source = "csv"
            else:
                rows, source = self._fetch(options["alias"], options["country"])
        except (prices.PriceError, OSError) as err:
            raise CommandError(str(err)) from err
        count = prices.store(rows, source)
        self.stdout.write(f"{count} price(s) stored from {source}.")

    def _fetch(self, alias: str | None, countries: list[str]) -> tuple[list, str]:
        if not alias or alias not in settings.SMS_PROVIDERS:
            raise CommandError(f"Give a provider alias from SMS_PROVIDERS, or --csv: {alias!r}")
        countries = [c.strip().upper() for c in countries]
        provider = build_provider(alias)
        try:
            if isinstance(provider, TwilioProvider):
                return list(prices.fetch_twilio(alias, provider, countries)), "twilio"
            if isinstance(provider, VonageProvider):
                return list(prices.fetch_vonage(alias, provider, countries)), "vonage"
            raise CommandError(f"{alias}: its provider publishes no price list; use --csv")
        except CommandError:
            raise
        except prices.PriceError:
            raise
        except Exception as err:  # the SDK's errors: the answer, without credentials
            raise CommandError(
                f"{alias}: price list not read: {type(err).__name__}: {err}"
            ) from err
        finally:
            provider.close()
