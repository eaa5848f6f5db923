"""Floor B: plain Django, no ORM database, no middleware, no apps.

The view reaches PostgreSQL through its own pool (``FLOOR_DATABASE_URL``) and the
provider at ``FLOOR_PROVIDER_URL``.
"""

SECRET_KEY = "bench-floor-b"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1"]
INSTALLED_APPS: list[str] = []
MIDDLEWARE: list[str] = []
ROOT_URLCONF = "bench.floors.plain_views"
DATABASES: dict = {}
USE_TZ = True
