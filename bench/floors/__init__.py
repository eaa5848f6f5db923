"""Floors: the least a server can do for the same request, to compare the project with.

- Floor A (``drf``): a bare DRF APIView validating the same JSON, no I/O.
- Floor B (``plain``): a plain Django view doing the necessary I/O and nothing more.
- Floor C (``stack``): DRF, the official Twilio SDK and psycopg_pool doing that I/O: the
  plainest code on the project's own stack.
- Floor D (``product``): floor C plus the least code doing the product's own work per
  SMS (token, locale, template, masked copy, encoding, prefix route, every column
  written to the project's table, the wall-clock deadline, a log line, counters).

Each is served by ``gunicorn ... bench.floors.wsgi`` with
``DJANGO_SETTINGS_MODULE`` set to ``bench.floors.drf_settings``,
``bench.floors.plain_settings``, ``bench.floors.stack_settings`` or
``bench.floors.product_settings``.
"""
