import os

import django
from django.core.management import call_command

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sms_gateway.settings")
django.setup(set_prefix=False)  # as django.core.wsgi.get_wsgi_application()

from sms_gateway.api.handler import Application  # noqa: E402 (needs the apps loaded)

# /sms/ and the probes without the admin's middleware (api/handler.py), the rest as usual.
application = Application()
# gunicorn runs no system checks: refuse to serve with a broken configuration.
call_command("check", fail_level="ERROR")
