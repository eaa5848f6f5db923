"""OpenAPI description of the gateway's own authentication (drf-spectacular)."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class GatewayTokenScheme(OpenApiAuthenticationExtension):
    target_class = "sms_gateway.api.authentication.GatewayTokenAuthentication"
    name = "LogtoAuthorization"

    def get_security_definition(self, auto_schema):  # noqa: ANN001, ANN201
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "One of SMS_GATEWAY_TOKENS, exactly as typed in Logto "
            "(e.g. 'Bearer <token>').",
        }
