"""JSON bodies, bounded: size, depth, width and string content (see ``bounds``)."""

from __future__ import annotations

import json
from typing import Any

from rest_framework import exceptions
from rest_framework.parsers import JSONParser

from . import bounds


class BodyTooLarge(exceptions.APIException):
    status_code = 413
    default_detail = f"The request body is larger than {bounds.MAX_BODY_BYTES // 1024} KiB."
    default_code = "too_large"


class BoundedJSONParser(JSONParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        request = (parser_context or {}).get("request")
        declared = request.META.get("CONTENT_LENGTH") if request is not None else None
        if declared and declared.isdigit() and int(declared) > bounds.MAX_BODY_BYTES:
            raise BodyTooLarge()
        raw = stream.read(bounds.MAX_BODY_BYTES + 1) if stream is not None else b""
        if len(raw) > bounds.MAX_BODY_BYTES:
            raise BodyTooLarge()
        try:
            data = json.loads(raw.decode("utf-8"))
        except RecursionError as err:
            raise exceptions.ParseError("The request body is nested too deeply.") from err
        except (UnicodeDecodeError, ValueError) as err:
            raise exceptions.ParseError("The request body is not valid JSON.") from err
        violation = bounds.check(data)
        if violation is not None:
            raise exceptions.ValidationError({violation.path or "body": [violation.problem]})
        return data
