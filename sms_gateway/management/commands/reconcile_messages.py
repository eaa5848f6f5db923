from django.core.management.base import BaseCommand

from ...sending.reconcile import reconcile


class Command(BaseCommand):
    help = (
        "Mark messages still 'accepted' past their deadline as 'unknown' (for cron, or "
        "servers started without the project's gunicorn config)."
    )

    def handle(self, *args: object, **options: object) -> None:
        count = reconcile()
        if count is None:
            self.stdout.write("Another process is reconciling: nothing done.")
        else:
            self.stdout.write(f"{count} message(s) marked unknown.")
