"""Many simultaneous Logto calls against a live server on PostgreSQL."""

from concurrent.futures import ThreadPoolExecutor

import pytest

from sms_gateway.models import Message

from .conftest import logto_body
from .services import require_postgres

pytestmark = pytest.mark.django_db(transaction=True)


def test_fifty_simultaneous_requests_are_each_recorded_once(api, outbox):
    require_postgres()
    # 50 users: each number in its own block of 1,000 (else 50 adjacent numbers at
    # once look like pumping to the guard), each from its own address.
    numbers = [f"33612{n:02d}4567" for n in range(50)]

    def send(number: str):
        return number, api.post(logto_body(to=number, ip=f"198.51.100.{int(number[5:7])}"))

    with ThreadPoolExecutor(max_workers=50) as pool:
        results = list(pool.map(send, numbers))

    assert all(r.status_code == 200 for _, r in results), [r.text for _, r in results[:3]]
    ids = {r.json()["id"] for _, r in results}
    assert len(ids) == 50
    messages = Message.objects.filter(pk__in=ids)
    assert messages.count() == Message.objects.count() == 50
    assert sorted(m.to for m in messages) == sorted(f"+{n}" for n in numbers)
    assert set(messages.values_list("status", flat=True)) == {Message.Status.SENT}
    assert all(len(m.attempts) == 1 for m in messages)
    assert sorted(sms.to for _, sms in outbox) == sorted(f"+{n}" for n in numbers)
