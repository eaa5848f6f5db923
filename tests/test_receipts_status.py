"""The delivery status ladder and the providers' status tables, alone (pure)."""

import pytest

from sms_gateway.core.delivery_status import DeliveryStatus as S
from sms_gateway.core.delivery_status import replaceable_by, replaces
from sms_gateway.webhooks import twilio, vonage


@pytest.mark.parametrize(
    "current, new, expected",
    [
        ("", S.AT_PROVIDER, True),
        ("", S.UNCLEAR, True),
        (S.UNCLEAR, S.AT_CARRIER, True),
        (S.AT_PROVIDER, S.AT_CARRIER, True),
        (S.AT_CARRIER, S.DELIVERED, True),
        (S.AT_CARRIER, S.UNDELIVERED, True),
        (S.DROPPED, S.DELIVERED, True),  # carriers do report a late success
        (S.UNDELIVERED, S.DELIVERED, True),
        (S.DELIVERED, S.AT_CARRIER, False),  # delivered never goes back
        (S.DELIVERED, S.DROPPED, False),
        (S.DELIVERED, S.DELIVERED, False),  # a duplicate changes nothing
        (S.AT_CARRIER, S.AT_PROVIDER, False),  # out of order
        (S.AT_CARRIER, S.UNCLEAR, False),
        (S.DROPPED, S.UNDELIVERED, False),  # the first failure is kept
        (S.UNDELIVERED, S.DROPPED, False),
    ],
)
def test_status_only_moves_up_the_ladder(current, new, expected):
    assert replaces(new, current) is expected
    assert (current in replaceable_by(new)) is expected


def test_the_status_set_is_closed():
    assert set(S) == {"unclear", "at_provider", "at_carrier", "undelivered", "dropped", "delivered"}
    assert set(twilio.STATUSES.values()) <= set(S)
    assert set(vonage.STATUSES.values()) <= set(S)


def test_every_vonage_receipt_status_is_mapped():
    # The DeliveryReceipt's x-possible-values in the SMS API's specification.
    assert set(vonage.STATUSES) == {
        "delivered", "expired", "failed", "rejected", "accepted", "buffered", "unknown",
    }  # fmt: skip
    assert vonage.STATUSES["expired"] == S.UNDELIVERED
    assert vonage.STATUSES["buffered"] == S.AT_CARRIER


def test_twilio_final_statuses():
    assert twilio.STATUSES["delivered"] == S.DELIVERED
    assert twilio.STATUSES["undelivered"] == S.UNDELIVERED
    assert twilio.STATUSES["failed"] == S.DROPPED
    assert twilio.STATUSES["sending"] == S.AT_PROVIDER
