"""The real vonage SDK against a fake Vonage on 127.0.0.1, over TLS."""

import threading
import time

import pytest

from sms_gateway.core.errors import Category, ProviderError
from sms_gateway.providers.base import OutgoingSMS
from sms_gateway.providers.vonage import VonageProvider, http_category, status_category

from .conftest import VONAGE_KEY, VONAGE_SECRET, vonage_config


@pytest.fixture
def make(vonage_fake, tls):
    made = []

    def factory(**options) -> VonageProvider:
        provider = VonageProvider(
            "vonage", **vonage_config(vonage_fake, tls[1], **options)["OPTIONS"]
        )
        made.append(provider)
        return provider

    yield factory
    for provider in made:
        provider.close()


def sms(text="Your code is 123456", sender="", unicode=False, reference="ref123") -> OutgoingSMS:
    return OutgoingSMS(
        to="+447700900123",
        text=text,
        masked_text="x",
        sender=sender,
        reference=reference,
        unicode=unicode,
    )


def test_sends_form_post_with_basic_auth_and_client_ref(vonage_fake, make):
    provider = make(CALLBACK="https://sms.example.com/hooks/vonage")
    result = provider.send(sms(), timeout=5)

    [request] = vonage_fake.received
    assert request.path == "/sms/json"
    assert request.basic_auth == (VONAGE_KEY, VONAGE_SECRET)
    assert request.headers["content-type"] == "application/x-www-form-urlencoded"
    assert request.form == {
        "to": "447700900123",
        "from": "Acme",
        "text": "Your code is 123456",
        "type": "text",
        "client-ref": "ref123",
        "callback": "https://sms.example.com/hooks/vonage",
    }
    assert "api_secret" not in request.body.decode()
    assert result.provider_message_id


def test_non_gsm_text_is_sent_as_unicode(vonage_fake, make):
    make().send(sms(text="Votre code : 123456, reçu", unicode=True), timeout=5)
    form = vonage_fake.received[0].form
    assert form["type"] == "unicode"
    assert form["text"] == "Votre code : 123456, reçu"


def test_route_sender_overrides_default(vonage_fake, make):
    make().send(sms(sender="+15551234567"), timeout=5)
    assert vonage_fake.received[0].form["from"] == "15551234567"  # numbers go without '+'


@pytest.mark.parametrize(
    ("action", "category", "code"),
    [
        (("sms_status", "7", "Number barred."), Category.RECIPIENT, "7"),
        (("sms_status", "33", "Number de-activated."), Category.RECIPIENT, "33"),
        (("sms_status", "1", "Throughput Rate Exceeded"), Category.RATE_LIMITED, "1"),
        (("sms_status", "9", "Partner quota exceeded"), Category.PROVIDER_CONFIG, "9"),
        (("sms_status", "15", "Illegal Sender Address - rejected"), Category.PROVIDER_CONFIG, "15"),
        # +44 7700 900123 is in no allocated range (Ofcom's drama numbers): recipient.
        (("sms_status", "6", "Unroutable message - rejected"), Category.RECIPIENT, "6"),
        (("sms_status", "5", "Internal Error"), Category.UNAVAILABLE, "5"),
        (("status", 500), Category.UNAVAILABLE, "500"),
        (("status", 503), Category.UNAVAILABLE, "503"),
        (("status", 429), Category.RATE_LIMITED, "429"),
        (("status", 401), Category.PROVIDER_CONFIG, "401"),
    ],
)
def test_errors_are_translated(vonage_fake, make, action, category, code):
    vonage_fake.will(action)
    with pytest.raises(ProviderError) as err:
        make().send(sms(), timeout=5)
    assert (err.value.provider, err.value.category, err.value.code) == ("vonage", category, code)
    assert len(vonage_fake.received) == 1


def test_wrong_credentials_are_a_config_error(vonage_fake, make):
    with pytest.raises(ProviderError) as err:
        make(API_SECRET="wrong-secret").send(sms(), timeout=5)
    assert (err.value.category, err.value.code) == (Category.PROVIDER_CONFIG, "4")
    assert "wrong-secret" not in str(err.value)


def test_non_json_answer_is_unavailable(vonage_fake, make):
    vonage_fake.will("non_json")
    with pytest.raises(ProviderError) as err:
        make().send(sms(), timeout=5)
    assert (err.value.category, err.value.message) == (Category.UNAVAILABLE, "unreadable answer")


def test_dropped_connection_sends_exactly_one_post(vonage_fake, make):
    # Unpatched, the SDK re-sends this POST up to 10 times: 10 paid SMS for one code.
    vonage_fake.will("drop", "drop", "drop", "drop", "drop", "drop", "drop", "drop", "drop", "drop")
    with pytest.raises(ProviderError) as err:
        make().send(sms(), timeout=5)
    assert err.value.category == Category.UNAVAILABLE
    time.sleep(0.3)  # a retry, if any, would have arrived by now
    assert len(vonage_fake.received) == 1


def test_timeout_is_honoured_with_fractions_of_a_second(vonage_fake, make):
    vonage_fake.will(("slow", 10))
    started = time.monotonic()
    with pytest.raises(ProviderError) as err:
        make().send(sms(), timeout=0.5)
    assert err.value.message == "timed out"
    assert time.monotonic() - started < 5  # not the 10 s the fake waits


def test_untrusted_certificate_is_refused(vonage_fake, make, tmp_path):
    import trustme

    other_ca = tmp_path / "other.pem"
    trustme.CA().cert_pem.write_to_path(str(other_ca))
    with pytest.raises(ProviderError) as err:
        make(CA_BUNDLE=str(other_ca)).send(sms(), timeout=5)
    assert err.value.category == Category.UNAVAILABLE


def test_two_threads_send_independent_correct_requests(vonage_fake, make):
    provider = make()
    vonage_fake.will(("slow", 0.3), ("slow", 0.3))  # both requests in flight at once
    results, errors, clients = {}, [], {}
    barrier = threading.Barrier(2)

    def worker(n: int) -> None:
        try:
            barrier.wait()
            clients[n] = id(provider._sms()[1])
            # A JSON call on a shared client would leave Content-Type: application/json
            # behind; each thread has its own client, so nothing leaks between them.
            results[n] = provider.send(
                sms(text=f"Code {n}{n}{n}{n}", reference=f"ref-{n}", unicode=n == 1), timeout=5
            )
        except Exception as err:  # noqa: BLE001
            errors.append(err)

    threads = [threading.Thread(target=worker, args=(n,)) for n in (1, 2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert errors == []
    by_ref = {r.form["client-ref"]: r for r in vonage_fake.received}
    assert set(by_ref) == {"ref-1", "ref-2"}
    assert by_ref["ref-1"].form["text"] == "Code 1111" and by_ref["ref-1"].form["type"] == "unicode"
    assert by_ref["ref-2"].form["text"] == "Code 2222" and by_ref["ref-2"].form["type"] == "text"
    for request in by_ref.values():
        assert request.headers["content-type"] == "application/x-www-form-urlencoded"
    assert results[1].provider_message_id != results[2].provider_message_id
    assert clients[1] != clients[2]  # one HTTP client per thread


def test_one_client_per_thread_is_reused(vonage_fake, make):
    provider = make()
    provider.send(sms(), timeout=5)
    first = provider._sms()[1]
    provider.send(sms(), timeout=5)
    assert provider._sms()[1] is first
    assert len(provider._clients) == 1


def test_a_finished_thread_leaves_no_client_behind(vonage_fake, make):
    import gc

    provider = make()
    worker = threading.Thread(target=provider.send, args=(sms(),), kwargs={"timeout": 5})
    worker.start()
    worker.join()
    del worker
    gc.collect()
    assert len(vonage_fake.received) == 1
    assert len(provider._clients) == 0


@pytest.mark.parametrize(
    ("status", "category"),
    [
        ("1", Category.RATE_LIMITED),
        ("4", Category.PROVIDER_CONFIG),
        ("7", Category.RECIPIENT),
        ("29", Category.PROVIDER_CONFIG),
        ("3", Category.REJECTED),
        ("99", Category.REJECTED),
    ],
)
def test_status_category_table(status, category):
    assert status_category(status) == category


@pytest.mark.parametrize(
    ("status", "category"),
    [
        (401, Category.PROVIDER_CONFIG),
        (403, Category.PROVIDER_CONFIG),
        (429, Category.RATE_LIMITED),
        (500, Category.UNAVAILABLE),
        (503, Category.UNAVAILABLE),
        (400, Category.REJECTED),
    ],
)
def test_http_category_table(status, category):
    assert http_category(status) == category
