import json
import logging

import pytest

from sms_gateway.ops.log_format import JsonFormatter, TextFormatter

from .conftest import logto_body

pytestmark = pytest.mark.django_db(transaction=True)


def test_one_structured_line_per_sms_with_masked_number(api, caplog):
    caplog.set_level(logging.INFO, logger="sms_gateway.sms")
    response = api.post(
        logto_body(payload={"code": "804317", "locale": "en"}),
        headers={"X-Request-ID": "req-abc.123"},
    )
    assert response.headers["X-Request-ID"] == "req-abc.123"

    [record] = [r for r in caplog.records if r.name == "sms_gateway.sms"]
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "sms sent"
    assert line["level"] == "INFO"
    assert line["request_id"] == "req-abc.123"
    assert line["message_id"] == response.json()["id"]
    assert line["to"] == "+3361234****"
    assert (line["country"], line["type"], line["provider"], line["status"]) == (
        "FR",
        "SignIn",
        "locmem",
        "sent",
    )
    assert isinstance(line["duration_ms"], int)
    assert line["route"] == "default"
    assert "804317" not in json.dumps(line)
    assert "33612345678" not in json.dumps(line)

    text = TextFormatter().format(record)
    assert text.startswith("INFO sms_gateway.sms: sms sent [")
    assert "to=+3361234****" in text


def test_unsafe_request_id_is_replaced(api):
    response = api.post(logto_body(), headers={"X-Request-ID": "bad id {with} spaces"})
    assert response.headers["X-Request-ID"] != "bad id {with} spaces"
    assert len(response.headers["X-Request-ID"]) == 32
