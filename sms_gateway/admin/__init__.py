"""The operator's admin, one module per screen (imported here so Django registers them)."""

from django.contrib import admin

# Titled for the product, not "Django administration".
admin.site.site_header = "Logto SMS gateway"
admin.site.site_title = "Logto SMS gateway"
admin.site.index_title = "Templates, routes and messages"

from . import dashboard, messages, routes, templates  # noqa: E402, F401
