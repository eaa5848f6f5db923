from django.core.management.base import BaseCommand

from ...routing.plans import compute


class Command(BaseCommand):
    help = (
        "Compute the shares of adaptive and least-cost routes once (for cron, or servers "
        "started without the project's gunicorn config, which does it every minute)."
    )

    def handle(self, *args: object, **options: object) -> None:
        count = compute()
        if count is None:
            self.stdout.write("Another process is computing the plans: nothing done.")
        else:
            self.stdout.write(f"{count} route(s) changed their shares.")
