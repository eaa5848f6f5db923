"""The operator's admin, one module per screen (imported here so Django registers them)."""

from django.contrib import admin

# Titled for the product, not "Django administration".
admin.site.site_header = "Logto SMS gateway"
admin.site.site_title = "Logto SMS gateway"
admin.site.index_title = "Templates, routes and messages"
# A handful of screens need no side menu: the lists get the whole width (1280 px shows every
# column of Messages); the breadcrumbs and the home page lead everywhere.
admin.site.enable_nav_sidebar = False

from . import (  # noqa: E402, F401
    dashboard,
    guard,
    index,
    messages,
    route_choice,
    routes,
    senders,
    templates,
    tenants,
)
from .login_throttle import ThrottledLoginForm  # noqa: E402

# Failed logins lock the username for a while (login_throttle.py).
admin.site.login_form = ThrottledLoginForm
