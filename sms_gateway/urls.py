from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView

from .api.views import SendMessageView
from .ops import health
from .ops.metrics import metrics_view

urlpatterns = [
    re_path(r"^sms/send/?$", SendMessageView.as_view(), name="send-sms"),
    path("healthz", health.live, name="healthz"),
    path("readyz", health.ready, name="readyz"),
    path("metrics", metrics_view, name="metrics"),
    path("api/schema", SpectacularAPIView.as_view(), name="schema"),
    path("", include("sms_gateway.webhooks.urls")),
    path("admin/", admin.site.urls),
]

# Under /sms/ and /api/ every answer is one short JSON object, Django's own too.
handler400 = "sms_gateway.api.errors.bad_request"
handler404 = "sms_gateway.api.errors.not_found"
handler500 = "sms_gateway.api.errors.server_error"
