"""Floor A: a bare APIView whose serializer checks what the project's checks, then ``{}``."""

from django.urls import path
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView


class PayloadSerializer(serializers.Serializer):
    code = serializers.CharField()


class SendSerializer(serializers.Serializer):
    to = serializers.RegexField(r"^\+?[0-9]{1,32}$")
    type = serializers.CharField()
    payload = PayloadSerializer()
    ip = serializers.IPAddressField(required=False, allow_null=True)


class SendView(APIView):
    def post(self, request):  # noqa: ANN001, ANN201
        SendSerializer(data=request.data).is_valid(raise_exception=True)
        return Response({})


urlpatterns = [path("sms/send", SendView.as_view())]
