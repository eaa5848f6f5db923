"""Messages in the admin: what an operator scans for, one message's whole story, search
as typed, CSV with numbers masked, no deletion by staff, a test SMS through the real path."""

import csv
import html
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sms_gateway.admin import message_list
from sms_gateway.models import Message, Route, Template

from .conftest import TOKEN, logto_body

pytestmark = pytest.mark.django_db

LIST = "/admin/sms_gateway/message/"


def send(client, **overrides) -> Message:
    answer = client.post(
        "/sms/send",
        logto_body(**overrides),
        content_type="application/json",
        HTTP_AUTHORIZATION=TOKEN,
    )
    return Message.objects.get(pk=answer.json()["id"])


@pytest.fixture
def message(client, outbox):
    route = Route.objects.create(prefix="33", description="France")
    route.hops.create(provider="locmem", position=0, sender="Acme")
    return send(client, payload={"code": "804317", "locale": "fr-FR", "uiLocales": "fr-FR fr"})


def test_list_shows_time_with_seconds_and_zone_status_in_colour_provider_segments(
    admin_client, message
):
    page = admin_client.get(LIST).content.decode()
    for header in ("Time", "To", "Type · locale", "Status", "Provider", "Segments"):
        assert f">{header}</a>" in page or f">{header}</span>" in page, header
    assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC", page)
    assert '<span class="sms-status sms-status-sent sms-tone-ok">sent</span>' in page  # admin.css
    assert "SignIn · fr" in page
    assert '<td class="field-provider">locmem</td>' in page
    assert '<td class="field-segments">1</td>' in page


def test_one_message_shows_route_sender_template_and_readable_labels(admin_client, message):
    page = html.unescape(admin_client.get(f"{LIST}{message.pk}/change/").content.decode())
    for label in ("UI locales", "IP", "Duration (ms)", "Sender used", "Route", "Template"):
        assert f">{label}" in page, label
    assert "Ui locales" not in page and ">Ip<" not in page and "Duration ms" not in page
    route = Route.objects.get(prefix="33")
    assert f'<a href="/admin/sms_gateway/route/{route.pk}/change/">+33</a>' in page
    template = Template.objects.get(type="SignIn", locale="fr")
    assert f'<a href="/admin/sms_gateway/template/{template.pk}/change/">SignIn / fr</a>' in page
    assert '<div class="readonly">Acme</div>' in page
    assert "804317" not in page


def test_staff_cannot_delete_a_message(admin_client, message):
    assert admin_client.get(f"{LIST}{message.pk}/delete/").status_code == 403
    page = admin_client.get(LIST).content.decode()
    assert "delete_selected" not in page
    admin_client.post(LIST, {"action": "delete_selected", "_selected_action": [message.pk]})
    assert Message.objects.filter(pk=message.pk).exists()


def record(to: str, **fields) -> Message:
    defaults = {"country": "FR", "type": "SignIn", "provider": "locmem", "status": "sent"}
    return Message.objects.create(to=to, **{**defaults, **fields})


@pytest.fixture
def neighbours(db):
    """Two records of +33612345678 among numbers that contain its digits or differ by one."""
    mine = [record("+33612345678"), record("+33612345678", provider_message_id="SMmine")]
    others = [
        record("+33612345679"),  # the next number
        record("+491612345678", country="DE"),  # contains 612345678
        record("+8615012568479", country="CN"),  # from the issue: shares fragments
        record("+33712345678"),
        record("+31612345678", country="NL"),  # the same national digits in the Netherlands
        record("+33611111111", provider_message_id="SM0612345678"),  # an id holding the digits
    ]
    return mine, others


def found(admin_client, term: str) -> set[str]:
    page = admin_client.get(LIST, {"q": term})
    assert page.status_code == 200
    return {str(m.pk) for m in page.context["cl"].result_list}


@pytest.mark.parametrize(
    "typed",
    [
        "0612345678",
        "06 12 34 56 78",
        "+33 6 12 34 56 78",
        "+33612345678",
        "0033612345678",
        "33612345678",
        "06.12.34.56.78",
    ],
)
def test_search_finds_exactly_that_numbers_records_as_typed(
    admin_client, settings, neighbours, typed
):
    settings.SMS_ADMIN_REGION = "FR"  # where 06 12 34 56 78 is a number
    mine, _ = neighbours
    assert found(admin_client, typed) == {str(m.pk) for m in mine}


def test_a_national_number_is_read_in_the_configured_region(admin_client, settings, neighbours):
    settings.SMS_ADMIN_REGION = "NL"
    [dutch] = [m for m in neighbours[1] if m.to == "+31612345678"]
    assert found(admin_client, "06 12 34 56 78") == {str(dutch.pk)}


def test_without_a_region_a_national_number_finds_nothing_and_says_why(admin_client, neighbours):
    page = admin_client.get(LIST, {"q": "06 12 34 56 78"})
    assert list(page.context["cl"].result_list) == []
    assert "SMS_ADMIN_REGION" in html.unescape(page.content.decode())


def test_a_part_of_a_number_finds_nothing(admin_client, neighbours):
    for fragment in ("612345678", "+3361234", "5678"):
        assert found(admin_client, fragment) == set(), fragment


def test_search_by_provider_message_id_or_message_id_exactly(admin_client, neighbours):
    mine, others = neighbours
    assert found(admin_client, "SMmine") == {str(mine[1].pk)}
    assert found(admin_client, "SMmin") == set()
    assert found(admin_client, "SM0612345678") == {str(others[-1].pk)}
    assert found(admin_client, str(others[0].pk)) == {str(others[0].pk)}


def list_queries(admin_client, params: dict) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        page = admin_client.get(LIST, params)
    assert page.status_code == 200
    return [q["sql"] for q in captured.captured_queries]


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"status__exact": "failed"},
        {"delivery_status__exact": "delivered"},
        {"type": "SignIn"},
        {"provider": "locmem"},
        {"country": "FR"},
        {"locale": "fr"},
        {"refusal": "pumping"},
        {
            "created_at__gte": "2026-11-01 00:00:00+00:00",
            "created_at__lt": "2026-12-01 00:00:00+00:00",
        },
        {"q": "+33 6 12 34 56 78"},
    ],
)
def test_the_list_never_reads_the_whole_table(admin_client, neighbours, params):
    """No DISTINCT for the filters, no MIN/MAX or DISTINCT for the dates, and every
    count stops at COUNT_CAP + 1 rows."""
    statements = list_queries(admin_client, params)
    messages = [sql for sql in statements if '"sms_gateway_message"' in sql]
    assert messages, statements
    for sql in statements:
        assert "DISTINCT" not in sql.upper(), sql
        assert "MIN(" not in sql.upper() and "MAX(" not in sql.upper(), sql
        if "COUNT(" in sql.upper():
            assert f"LIMIT {message_list.COUNT_CAP + 1}" in sql, sql


def test_filters_offer_choices_from_configuration_and_filter(admin_client, neighbours):
    page = admin_client.get(LIST)
    text = page.content.decode()
    for choice in ("?type=SignIn", "?type=BindMfa", "?provider=locmem", "?provider=console"):
        assert choice in text, choice
    # The templates' locales, and every country, as drop-downs.
    assert '<option value="fr">fr</option>' in text and '<option value="zh-TW">' in text
    assert '<option value="FR">FR</option>' in text and '<option value="NL">NL</option>' in text
    assert "Past 90 days" in text and "Last month" in text
    dutch = admin_client.get(LIST, {"country": "NL"}).context["cl"].result_list
    assert [m.to for m in dutch] == ["+31612345678"]
    page = admin_client.get(LIST, {"country": "DE", "q": "+491612345678"}).content.decode()
    # The drop-down keeps the search and the other filters when it changes.
    assert '<input type="hidden" name="q" value="+491612345678">' in page
    assert '<option value="DE" selected>DE</option>' in page
    old_alias = admin_client.get(LIST, {"provider": "retired"}).content.decode()
    assert "?provider=retired" in old_alias  # a value not configured any more stays offered


def test_the_count_stops_at_the_cap(admin_client, neighbours, monkeypatch):
    monkeypatch.setattr(message_list, "COUNT_CAP", 3)
    monkeypatch.setattr(message_list.CappedPaginator, "cap", 3)
    text = admin_client.get(LIST).content.decode()
    assert "more than 3 messages" in text
    assert "Select all (more than 3) messages" in text
    assert "4 messages" not in text and "Select all 4" not in text
    assert "results (" not in text  # no count beside an empty search box
    assert "2 results" in admin_client.get(LIST, {"q": "+33612345678"}).content.decode()
    for _ in range(3):
        record("+33612345678")
    assert "more than 3 results" in admin_client.get(LIST, {"q": "+33612345678"}).content.decode()
    exact = admin_client.get(LIST, {"country": "NL"}).content.decode()
    assert "1 message" in exact


def test_attempts_show_their_start_like_every_other_time(admin_client, message):
    page = admin_client.get(f"{LIST}{message.pk}/change/").content.decode()
    started = message.attempts[0]["started_at"]  # ISO 8601 with microseconds
    assert started not in page
    assert re.search(r"<td>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC</td>", page)


def test_csv_export_masks_numbers_and_follows_the_filters(admin_client, message, client):
    send(client, to="4915123456789")
    export = admin_client.get(f"{LIST}export.csv", {"country": "FR"})
    assert export["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(b"".join(export.streaming_content).decode())))
    assert [(r["to"], r["country"], r["status"], r["sender"]) for r in rows] == [
        ("'+3361234****", "FR", "sent", "Acme")  # a leading + is escaped like a formula
    ]
    # Operators reconcile invoices by the provider's id.
    assert rows[0]["provider_message_id"] == message.provider_message_id != ""
    assert re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$", rows[0]["created_at"])
    listing = admin_client.get(LIST, {"country": "FR"}).content.decode()
    assert 'href="/admin/sms_gateway/message/export.csv?country=FR"' in listing

    action = admin_client.post(
        LIST,
        {"action": "export_csv", "_selected_action": [str(m.pk) for m in Message.objects.all()]},
    )
    text = b"".join(action.streaming_content).decode()
    assert "+3361234****" in text and "+491512345****" in text
    assert "612345678" not in text.replace("+3361234****", "")


def test_admin_is_titled_for_the_product_with_a_favicon(admin_client):
    page = admin_client.get("/admin/").content.decode()
    assert '<a href="/admin/">Logto SMS gateway</a>' in page
    assert "Django administration" not in page
    assert '<link rel="icon" type="image/svg+xml" href="data:image/svg+xml,' in page
    assert "<title>Templates, routes and messages | Logto SMS gateway</title>" in page


def test_send_a_test_sms_through_the_real_path(admin_client, outbox):
    page = admin_client.get(f"{LIST}test-sms/").content.decode()
    assert 'id="sms-test-form"' in page
    answer = admin_client.post(
        f"{LIST}test-sms/", {"to": "+33 6 12 34 56 78", "type": "SignIn", "locale": "fr"}
    )
    page = html.unescape(answer.content.decode())
    assert "<strong>sent</strong>" in page and "by <strong>locmem</strong>" in page
    [(_, sms)] = outbox
    assert sms.to == "+33612345678" and sms.text.startswith("Votre code de connexion est ")
    code = re.search(r"\d{6}", sms.text).group()
    assert code not in page
    message = Message.objects.get()
    assert f"/admin/sms_gateway/message/{message.pk}/change/" in page
    assert "Votre code de connexion est ******." in page


def test_a_test_sms_can_force_a_provider_and_sender(admin_client, outbox, settings):
    settings.SMS_PROVIDERS = {
        **settings.SMS_PROVIDERS,
        "spare": {"BACKEND": "sms_gateway.providers.locmem.LocmemProvider"},
    }
    answer = admin_client.post(
        f"{LIST}test-sms/",
        {
            "to": "33612345678",
            "type": "Register",
            "locale": "en",
            "provider": "spare",
            "sender": "Ops",
        },
    )
    page = html.unescape(answer.content.decode())
    assert "by <strong>spare</strong>" in page and "(forced)" in page
    assert "<td>spare</td><td>Ops</td><td>sent</td>" in page
    [(alias, sms)] = outbox
    assert (alias, sms.sender) == ("spare", "Ops")


def test_a_test_sms_to_a_blocked_route_shows_the_refusal(admin_client, outbox):
    Route.objects.create(prefix="7")
    answer = admin_client.post(
        f"{LIST}test-sms/", {"to": "79161234567", "type": "SignIn", "locale": "en"}
    )
    page = html.unescape(answer.content.decode())
    assert "<strong>rejected</strong>" in page
    assert "SMS to this destination is not enabled" in page
    assert "No provider was tried." in page
    assert outbox == []


def test_a_test_sms_refuses_an_impossible_number(admin_client, outbox):
    answer = admin_client.post(
        f"{LIST}test-sms/", {"to": "+33 6123", "type": "SignIn", "locale": "en"}
    )
    page = html.unescape(answer.content.decode())
    assert (
        "Not a valid phone number: too few digits for +33 (FR): 4 after the country code." in page
    )
    assert not Message.objects.exists()
