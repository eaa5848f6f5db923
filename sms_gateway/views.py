"""The endpoint Logto's HTTP SMS connector calls."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from . import metrics, sending
from .authentication import GatewayTokenAuthentication, HasGatewayToken
from .errors import NoTemplate, RecipientRejected, SendFailed
from .serializers import ErrorSerializer, SendMessageSerializer, SentSerializer


class SendMessageView(APIView):
    authentication_classes = [GatewayTokenAuthentication]
    permission_classes = [HasGatewayToken]
    parser_classes = [JSONParser]

    @extend_schema(
        operation_id="send_sms",
        summary="Send one SMS for Logto",
        request=SendMessageSerializer,
        responses={
            200: SentSerializer,
            400: OpenApiResponse(ErrorSerializer, description="Invalid request or recipient"),
            401: OpenApiResponse(ErrorSerializer, description="Missing or wrong Authorization"),
            500: OpenApiResponse(ErrorSerializer, description="No template configured"),
            502: OpenApiResponse(ErrorSerializer, description="No provider could send it"),
        },
    )
    def post(self, request: Request) -> Response:
        serializer = SendMessageSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        outcome = sending.send(
            sending.SmsRequest(
                to=data["to"],
                type=data["type"],
                payload=data["payload"],
                ip=data.get("ip"),
                request_id=getattr(request._request, "request_id", ""),
            )
        )
        message = outcome.message
        error = outcome.error
        if error is None:
            return Response(
                {
                    "id": str(message.pk),
                    "status": message.status,
                    "provider": message.provider,
                    "locale": message.locale,
                    "segments": message.segments,
                }
            )
        body = {"message": "", "id": str(message.pk)}
        if isinstance(error, RecipientRejected):
            metrics.rejected("recipient")
            body["message"] = f"The SMS cannot be sent: {error}."
            return Response(body, status=400)
        if isinstance(error, NoTemplate):
            metrics.rejected("no_template")
            body["message"] = "No SMS template is configured for this message."
            return Response(body, status=500)
        if isinstance(error, SendFailed):
            metrics.rejected("send_failed")
            body["message"] = "The SMS could not be sent right now. Please try again later."
            return Response(body, status=502)
        raise error

    def finalize_response(self, request: Request, response: Response, *args, **kwargs) -> Response:
        metrics.HTTP_REQUESTS.labels(status=str(response.status_code)).inc()
        return super().finalize_response(request, response, *args, **kwargs)
