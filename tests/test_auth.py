import pytest

from sms_gateway.api.authentication import token_matches
from sms_gateway.models import Message

from .conftest import logto_body

pytestmark = pytest.mark.django_db(transaction=True)


def test_missing_authorization_is_401(api, outbox):
    response = api.post(logto_body(), token=None)
    assert response.status_code == 401
    assert response.json() == {"message": "Missing Authorization header."}
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert outbox == [] and not Message.objects.exists()


@pytest.mark.parametrize(
    "token", ["Bearer wrong", "test-token", "bearer test-token", "Bearer test-token2"]
)
def test_wrong_authorization_is_401(api, outbox, token):
    response = api.post(logto_body(), token=token)
    assert response.status_code == 401
    assert response.json() == {"message": "Invalid Authorization header."}
    assert outbox == []


def test_rotated_tokens_are_all_accepted(api, settings):
    settings.SMS_GATEWAY_TOKENS = ["Bearer old-token", "Bearer new-token"]
    assert api.post(logto_body(), token="Bearer old-token").status_code == 200
    assert api.post(logto_body(), token="Bearer new-token").status_code == 200
    assert api.post(logto_body(), token="Bearer test-token").status_code == 401


def test_value_without_bearer_works_when_configured_so(api, settings):
    settings.SMS_GATEWAY_TOKENS = ["s3cret-value"]
    assert api.post(logto_body(), token="s3cret-value").status_code == 200


def test_open_endpoint_only_without_tokens_in_debug(api, settings):
    settings.SMS_GATEWAY_TOKENS = []
    settings.DEBUG = True
    assert api.post(logto_body(), token=None).status_code == 200


def test_token_matches():
    assert token_matches("a", ["b", "a"])
    assert not token_matches("a", [])
    assert not token_matches("", ["a"])
    assert not token_matches("ab", ["a"])


def test_no_tokens_outside_debug_stays_closed(api, settings):
    settings.SMS_GATEWAY_TOKENS = []
    settings.DEBUG = False
    response = api.post(logto_body(), token=None)
    assert response.status_code == 401
    assert response.json() == {"message": "The gateway has no accepted token configured."}
