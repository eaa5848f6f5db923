"""Messages in the admin: what an operator scans for, one message's whole story, search
as typed, CSV with numbers masked, no deletion by staff, a test SMS through the real path."""

import csv
import html
import io
import re

import pytest

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


@pytest.mark.parametrize(
    "typed", ["0612345678", "06 12 34 56 78", "+33 6 12 34 56 78", "0033612345678", "33612345678"]
)
def test_search_finds_a_number_as_typed(admin_client, message, client, typed):
    send(client, to="4915123456789")
    page = admin_client.get(LIST, {"q": typed}).content.decode()
    assert "+33612345678" in page
    assert "+4915123456789" not in page


def test_csv_export_masks_numbers_and_follows_the_filters(admin_client, message, client):
    send(client, to="4915123456789")
    export = admin_client.get(f"{LIST}export.csv", {"country": "FR"})
    assert export["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(b"".join(export.streaming_content).decode())))
    assert [(r["to"], r["country"], r["status"], r["sender"]) for r in rows] == [
        ("'+3361234****", "FR", "sent", "Acme")  # a leading + is escaped like a formula
    ]
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
