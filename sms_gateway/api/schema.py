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


# --- The request's real rules, stated in the schema --------------------------------
# drf-spectacular describes field types; what the endpoint accepts is narrower
# (a possible number, a code of 4 to 32 characters without spaces, strings that can
# be stored). This hook states those rules, so what the schema calls valid is
# accepted (tests/test_schemathesis.py holds the two together).
NO_CONTROLS = "^[^\\u0000-\\u0008\\u000b-\\u001f\\u007f]*$"


def _string(max_length: int, min_length: int = 0) -> dict:
    schema: dict = {"type": "string", "maxLength": max_length, "pattern": NO_CONTROLS}
    if min_length:
        schema["minLength"] = min_length
    return schema


def state_request_rules(result: dict, generator: object, request: object, public: bool) -> dict:
    from ..core.message_types import TYPE_NAME
    from ..core.phone import possible_number_pattern
    from . import bounds
    from .serializers import CODE

    schemas = result["components"]["schemas"]
    send = schemas["SendMessage"]["properties"]
    send["to"] = {
        "type": "string",
        "maxLength": 32,
        "pattern": possible_number_pattern(),
        "description": "E.164 digits, with or without '+' (or '00'): a possible number "
        "for its country calling code.",
    }
    send["type"] = {
        "type": "string",
        "pattern": f"^{TYPE_NAME.pattern}$",
        "description": "One of Logto's template types; another name is sent as Generic.",
    }
    # Other top-level keys are ignored, but bounded like the payload's.
    schemas["SendMessage"]["additionalProperties"] = {"$ref": "#/components/schemas/PayloadValue"}
    send["ip"] = {
        "nullable": True,
        "anyOf": [{"type": "string", "format": "ipv4"}, {"type": "string", "format": "ipv6"}],
    }
    payload = schemas["Payload"]
    payload["properties"]["code"] = {
        "type": "string",
        "pattern": CODE.pattern.replace("\\x00-\\x1f", "\\u0000-\\u001f").replace(
            "\\x7f", "\\u007f"
        ),
        "description": "The one-time code: 4 to 32 characters, no spaces. Required for "
        "every type but Generic and OrganizationInvitation.",
    }
    payload["properties"]["link"] = _string(bounds.MAX_STRING, 1)
    payload["properties"]["locale"] = _string(100)
    payload["properties"]["uiLocales"] = _string(500)
    payload["additionalProperties"] = {"$ref": "#/components/schemas/PayloadValue"}
    schemas["PayloadValue"] = {
        "description": f"Any JSON value for templates; strings of at most {bounds.MAX_STRING} "
        f"characters without control characters, at most {bounds.MAX_DEPTH} levels deep.",
        "nullable": True,
        "anyOf": [
            _string(bounds.MAX_STRING),
            {"type": "number"},
            {"type": "boolean"},
            {
                "type": "array",
                "maxItems": 20,
                "items": {"$ref": "#/components/schemas/PayloadValue"},
            },
            {
                "type": "object",
                "maxProperties": 20,
                "additionalProperties": {"$ref": "#/components/schemas/PayloadValue"},
            },
        ],
    }
    return result
