from django.urls import path

from .logto import LogtoWebhookView
from .twilio import TwilioReceiptView
from .vonage import VonageReceiptView

urlpatterns = [
    path("webhooks/twilio/<str:alias>", TwilioReceiptView.as_view(), name="webhook-twilio"),
    path("webhooks/vonage/<str:alias>", VonageReceiptView.as_view(), name="webhook-vonage"),
    path("webhooks/logto", LogtoWebhookView.as_view(), name="webhook-logto"),
]
