"""The endpoint Logto's HTTP SMS connector calls: validate, send, answer."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import sending
from ..ops import metrics
from .authentication import GatewayTokenAuthentication, HasGatewayToken
from .parsers import BoundedJSONParser
from .serializers import ErrorSerializer, SendMessageSerializer, SentSerializer


class SendMessageView(APIView):
    authentication_classes = [GatewayTokenAuthentication]
    permission_classes = [HasGatewayToken]
    parser_classes = [BoundedJSONParser]

    @extend_schema(
        operation_id="send_sms",
        summary="Send one SMS for Logto",
        request=SendMessageSerializer,
        responses={
            200: SentSerializer,
            400: OpenApiResponse(ErrorSerializer, description="Invalid request or recipient"),
            401: OpenApiResponse(ErrorSerializer, description="Missing or wrong Authorization"),
            403: OpenApiResponse(ErrorSerializer, description="Refused by the fraud guard"),
            404: OpenApiResponse(ErrorSerializer, description="Not found"),
            405: OpenApiResponse(ErrorSerializer, description="Not POST"),
            413: OpenApiResponse(ErrorSerializer, description="Body over 64 KiB"),
            415: OpenApiResponse(ErrorSerializer, description="Not JSON"),
            429: OpenApiResponse(
                ErrorSerializer, description="Rate limited by the fraud guard (Retry-After)"
            ),
            500: OpenApiResponse(ErrorSerializer, description="No template configured"),
            502: OpenApiResponse(ErrorSerializer, description="No provider could send it"),
            503: OpenApiResponse(
                ErrorSerializer, description="The database is unavailable: nothing was sent"
            ),
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
                tenant=request.auth,  # the tenant's id (api/authentication.py)
            )
        )
        if outcome.error is not None:
            # Recorded already; the exception handler answers it (api/errors.py).
            outcome.error.message_id = outcome.message_id
            raise outcome.error
        return Response(
            {
                "id": str(outcome.message_id),
                "status": outcome.status,
                "provider": outcome.provider,
                "locale": outcome.locale,
                "segments": outcome.segments,
            }
        )

    def finalize_response(self, request: Request, response: Response, *args, **kwargs) -> Response:
        metrics.HTTP_REQUESTS.labels(status=str(response.status_code)).inc()
        return super().finalize_response(request, response, *args, **kwargs)
