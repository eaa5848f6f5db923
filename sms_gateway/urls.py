from django.contrib import admin
from django.urls import path, re_path

from .views import SendMessageView

urlpatterns = [
    re_path(r"^sms/send/?$", SendMessageView.as_view(), name="send-sms"),
    path("admin/", admin.site.urls),
]
