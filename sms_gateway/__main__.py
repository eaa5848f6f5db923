"""``sms-gateway <command>`` (or ``python -m sms_gateway <command>``): the manage.py of an
installed gateway, for when there is no checkout."""

from __future__ import annotations

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sms_gateway.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["sms-gateway", *sys.argv[1:]])


if __name__ == "__main__":
    main()
