"""Logto's ``SendMessageData``, validated."""

from __future__ import annotations

import functools
import re
from typing import Any

from rest_framework import serializers
from rest_framework.utils.serializer_helpers import BindingDict

from ..core import phone
from ..core.message_types import KNOWN_TYPES, TYPE_NAME, MessageType

# Types whose SMS is useless without a code. Generic (Logto's test button sends
# a code, other uses may not) and OrganizationInvitation (a link) are exempt.
REQUIRES_CODE = KNOWN_TYPES - {MessageType.GENERIC, MessageType.ORGANIZATION_INVITATION}
# 4 to 32 characters: Logto's codes are 6 digits; a shorter one is refused, since a
# code of 1-3 characters would be masked as every "1" or "ab" in the stored text.
CODE = re.compile(r"^[^\s\x00-\x1f\x7f]{4,32}$")


class StrictCharField(serializers.CharField):
    """A CharField that refuses numbers and booleans instead of converting them."""

    default_error_messages = {"invalid": "Must be a string."}

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


# A serializer whose fields are built and bound once per class, not per instance.
# DRF deep-copies every declared field (and the nested serializer's) for each
# instance, so that an instance may change its own: about 0.3 ms of CPU per
# request, measured (README, "The send path"). These serializers never change
# their fields and validating only reads them, so one bound set serves every
# request and thread; what a request changes (``initial_data``, errors, the
# validated data) stays on its own instance. (No docstring: the OpenAPI schema
# would take it as the description of every subclass without one.)
class SharedFieldsSerializer(serializers.Serializer):
    @property
    def fields(self) -> BindingDict:
        return _bound_fields(type(self))


@functools.cache
def _bound_fields(cls: type[SharedFieldsSerializer]) -> BindingDict:
    # DRF's own ``fields`` (a deep copy, bound), run once on an instance kept for it.
    return serializers.Serializer.fields.func(cls())


class PayloadSerializer(SharedFieldsSerializer):
    code = StrictCharField(required=False, trim_whitespace=False)
    # Taken as they are (no trimming), so the OpenAPI schema can say exactly what passes.
    link = StrictCharField(required=False, max_length=2000, trim_whitespace=False)
    locale = StrictCharField(
        required=False, allow_blank=True, max_length=100, trim_whitespace=False
    )
    uiLocales = StrictCharField(  # noqa: N815
        required=False, allow_blank=True, max_length=500, trim_whitespace=False
    )

    def validate_code(self, value: str) -> str:
        if not CODE.fullmatch(value):
            # Never echo the value: it is the secret.
            raise serializers.ValidationError("Must be 4 to 32 characters without spaces.")
        return value

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        validated = super().to_internal_value(data)
        # Extra keys (application, organization, user...) stay for templates.
        return {**data, **validated}


class SendMessageSerializer(SharedFieldsSerializer):
    to = StrictCharField(max_length=32)
    type = StrictCharField(max_length=64, trim_whitespace=False)
    payload = PayloadSerializer()
    ip = serializers.IPAddressField(required=False, allow_null=True)

    def validate_to(self, value: str) -> phone.PhoneNumber:
        try:
            return phone.parse(value)
        except phone.InvalidNumber as err:
            raise serializers.ValidationError(f"Not a valid phone number: {err}.") from err

    def validate_type(self, value: str) -> str:
        if value in KNOWN_TYPES or TYPE_NAME.fullmatch(value):
            return value
        raise serializers.ValidationError("Must be a Logto template type such as SignIn.")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["type"] in REQUIRES_CODE and "code" not in attrs["payload"]:
            raise serializers.ValidationError({"payload": {"code": ["This field is required."]}})
        return attrs


class SentSerializer(serializers.Serializer):
    """What a 2xx answer carries (Logto ignores it; operators and logs do not)."""

    id = serializers.UUIDField()
    status = serializers.CharField()
    provider = serializers.CharField(allow_blank=True)
    locale = serializers.CharField()
    segments = serializers.IntegerField()


class ErrorSerializer(serializers.Serializer):
    message = serializers.CharField()
    errors = serializers.DictField(required=False)
    id = serializers.UUIDField(required=False)
