"""The WSGI application of a floor; DJANGO_SETTINGS_MODULE says which.

``FLOOR_GC_FREEZE=1``: once loaded, the worker freezes what it loaded out of the
garbage collector, as the project's workers do (``sms_gateway/ops/garbage.py``), to
measure what that tuning alone is worth to plain code.
"""

import os

from django.core.wsgi import get_wsgi_application

application = get_wsgi_application()

if os.environ.get("FLOOR_GC_FREEZE") == "1":
    from sms_gateway.ops import garbage

    garbage.freeze_loaded()
