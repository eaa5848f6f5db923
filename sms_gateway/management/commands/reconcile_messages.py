from django.core.management.base import BaseCommand

from ...sending.reconcile import reconcile


class Command(BaseCommand):
    help = "Mark messages still 'accepted' past their deadline as 'unknown' (for cron)."

    def handle(self, *args: object, **options: object) -> None:
        count = reconcile()
        self.stdout.write(f"{count} message(s) marked unknown.")
