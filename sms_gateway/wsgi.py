import os

from django.core.management import call_command
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sms_gateway.settings")

application = get_wsgi_application()
# gunicorn runs no system checks: refuse to serve with a broken configuration.
call_command("check", fail_level="ERROR")
