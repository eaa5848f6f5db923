"""Bad requests get a short JSON error with the right status, never a stack trace."""

import pytest

from sms_gateway.models import Message

from .conftest import logto_body

pytestmark = pytest.mark.django_db(transaction=True)


def without(key):
    body = logto_body()
    del body[key]
    return body


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("{not json", "The request body is not valid JSON."),
        ('{"to": "33612345678",', "The request body is not valid JSON."),
        (without("to"), "Invalid request: to: This field is required."),
        (without("type"), "Invalid request: type: This field is required."),
        (without("payload"), "Invalid request: payload: This field is required."),
        (
            logto_body(payload={"locale": "en"}),
            "Invalid request: payload.code: This field is required.",
        ),
        (
            logto_body(payload={"code": 123456}),
            "Invalid request: payload.code: Must be a string.",
        ),
        (
            logto_body(payload={"code": "12 34"}),
            "Invalid request: payload.code: Must be 4 to 32 characters without spaces.",
        ),
        (
            logto_body(payload="123456"),
            "Invalid request: payload: Invalid data. Expected a dictionary, but got str.",
        ),
        (
            logto_body(payload={"code": "123456", "locale": 7}),
            "Invalid request: payload.locale: Must be a string.",
        ),
        (logto_body(to=33612345678), "Invalid request: to: Must be a string."),
        (
            logto_body(to="123"),
            "Invalid request: to: Not a valid phone number: too few digits for +1 (US): "
            "2 after the country code.",
        ),
        (
            logto_body(to="+33 abc"),
            "Invalid request: to: Not a valid phone number: digits only, in international "
            "format: the country code first, optionally after '+'.",
        ),
        (
            logto_body(type="Sign In!"),
            "Invalid request: type: Must be a Logto template type such as SignIn.",
        ),
        (logto_body(type=""), "Invalid request: type: This field may not be blank."),
        (logto_body(ip="300.1.2.3"), "Invalid request: ip: Enter a valid IPv4 or IPv6 address."),
        ([], "Invalid request: Invalid data. Expected a dictionary, but got list."),
    ],
)
def test_bad_input_is_a_short_400(api, outbox, body, message):
    response = api.post(body)

    assert response.status_code == 400
    assert response.headers["Content-Type"] == "application/json"
    data = response.json()
    assert data["message"] == message
    assert "Traceback" not in response.text
    assert len(response.text) < 500
    assert outbox == []
    assert not Message.objects.exists()


def test_field_errors_are_listed_per_field(api):
    response = api.post({"to": "123", "type": "SignIn", "payload": {"code": 5}})
    errors = response.json()["errors"]
    assert set(errors) == {"to", "payload"}
    assert errors["payload"] == {"code": ["Must be a string."]}


def test_non_json_content_type_is_415(api):
    response = api.session.post(
        api.url,
        data="to=1",
        headers={
            "Authorization": "Bearer test-token",
            "Content-Type": "application/x-www-form-urlencoded",
        },
    )
    assert response.status_code == 415
    assert response.json()["message"].startswith("Unsupported media type")


def test_get_is_405_json(api):
    response = api.session.get(api.url, headers={"Authorization": "Bearer test-token"})
    assert response.status_code == 405
    assert response.json() == {"message": 'Method "GET" not allowed.'}


# --- hostile bodies: each was a 500 or a stored oddity before ------------------


def test_a_body_over_the_limit_is_413_json(api, outbox):
    body = logto_body(payload={"code": "123456", "pad": "x" * 1999})
    body["payload"].update({f"k{n}": "x" * 1999 for n in range(40)})  # ~80 KB, under Django's
    response = api.post(body)
    assert response.status_code == 413
    assert response.json() == {"message": "The request body is larger than 64 KiB."}
    assert Message.objects.count() == 0 and outbox == []


def test_a_body_over_djangos_own_limit_is_413_json(api):
    response = api.post(b'{"to": "' + b"1" * (3 * 1024 * 1024) + b'"}')
    assert response.status_code == 413
    assert response.headers["Content-Type"] == "application/json"


@pytest.mark.parametrize("depth", [9, 1000, 20_000])
def test_deeply_nested_json_is_400(api, depth):
    body = '{"to": "33612345678", "type": "SignIn", "payload": {"code": "123456", "x": '
    body += "[" * depth + "]" * depth + "}}"
    response = api.post(body)
    assert response.status_code == 400
    assert len(response.text) < 300


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"code": "123456", "link": "https://x.example/\u0000"}, "payload.link"),
        ({"code": "123456", "locale": "fr\ud800"}, "payload.locale"),
        ({"code": "123456", "application": {"name": "Acme\u0000"}}, "payload.application.name"),
        ({"code": "123456", "user": {"names": ["ok", "bad\x1b"]}}, "payload.user.names[1]"),
    ],
)
def test_unstorable_strings_are_400_naming_the_field(api, outbox, payload, field):
    raw = '{"to": "33612345678", "type": "SignIn", "payload": %s}'
    import json

    response = api.post(raw % json.dumps(payload))  # json.dumps keeps \\u escapes
    assert response.status_code == 400, response.text
    assert response.json()["message"].startswith(f"Invalid request: {field}: ")
    assert Message.objects.count() == 0 and outbox == []


@pytest.mark.parametrize("kind", ["SignIn\n", "SignIn\r\n", " SignIn", "Sign\u0131n"])
def test_type_must_match_whole(api, kind):
    response = api.post(logto_body(type=kind))
    assert response.status_code == 400
    assert Message.objects.count() == 0


def test_a_code_with_a_trailing_newline_is_refused(api):
    response = api.post(logto_body(payload={"code": "123456\n"}))
    assert response.status_code == 400
