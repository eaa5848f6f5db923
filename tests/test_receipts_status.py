"""The delivery status ladder and the providers' status tables, alone (pure)."""

import pytest

from sms_gateway.delivery.status import DeliveryStatus as S
from sms_gateway.delivery.status import replaceable_by, replaces
from sms_gateway.webhooks import twilio, vonage


@pytest.mark.parametrize(
    "current, new, expected",
    [
        ("", S.QUEUED, True),
        ("", S.UNKNOWN, True),
        (S.UNKNOWN, S.SENT, True),
        (S.QUEUED, S.SENT, True),
        (S.SENT, S.DELIVERED, True),
        (S.SENT, S.UNDELIVERED, True),
        (S.FAILED, S.DELIVERED, True),  # carriers do report a late success
        (S.UNDELIVERED, S.DELIVERED, True),
        (S.DELIVERED, S.SENT, False),  # delivered never goes back
        (S.DELIVERED, S.FAILED, False),
        (S.DELIVERED, S.DELIVERED, False),  # a duplicate changes nothing
        (S.SENT, S.QUEUED, False),  # out of order
        (S.SENT, S.UNKNOWN, False),
        (S.FAILED, S.UNDELIVERED, False),  # the first failure is kept
        (S.UNDELIVERED, S.FAILED, False),
    ],
)
def test_status_only_moves_up_the_ladder(current, new, expected):
    assert replaces(new, current) is expected
    assert (current in replaceable_by(new)) is expected


def test_the_status_set_is_closed():
    assert set(S) == {"unknown", "queued", "sent", "undelivered", "failed", "delivered"}
    assert set(twilio.STATUSES.values()) <= set(S)
    assert set(vonage.STATUSES.values()) <= set(S)


def test_every_vonage_receipt_status_is_mapped():
    # The DeliveryReceipt's x-possible-values in the SMS API's specification.
    assert set(vonage.STATUSES) == {
        "delivered", "expired", "failed", "rejected", "accepted", "buffered", "unknown",
    }  # fmt: skip
    assert vonage.STATUSES["expired"] == S.UNDELIVERED
    assert vonage.STATUSES["buffered"] == S.SENT


def test_twilio_final_statuses():
    assert twilio.STATUSES["delivered"] == S.DELIVERED
    assert twilio.STATUSES["undelivered"] == S.UNDELIVERED
    assert twilio.STATUSES["failed"] == S.FAILED
    assert twilio.STATUSES["sending"] == S.QUEUED
