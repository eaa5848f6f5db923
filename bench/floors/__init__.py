"""Floors: the least a server can do for the same request, to compare the project with.

- Floor A (``drf``): a bare DRF APIView validating the same JSON, no I/O.
- Floor B (``plain``): a plain Django view doing the necessary I/O and nothing more.

Both are served by ``gunicorn ... bench.floors.wsgi`` with
``DJANGO_SETTINGS_MODULE`` set to ``bench.floors.drf_settings`` or
``bench.floors.plain_settings``.
"""
