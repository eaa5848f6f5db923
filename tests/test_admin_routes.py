"""The route editor does what it shows: no provider nobody chose, an unchanged re-save
changes nothing, blocking is a decision shown in red, prefixes and countries as typed."""

import html

import pytest

from sms_gateway.models import Route

from .admin_forms import form_data
from .conftest import logto_body

pytestmark = pytest.mark.django_db

ADD = "/admin/sms_gateway/route/add/"
LIST = "/admin/sms_gateway/route/"


def change(route: Route) -> str:
    return f"/admin/sms_gateway/route/{route.pk}/change/"


def hops(route: Route) -> list[tuple[str, str]]:
    return [(h.provider, h.sender) for h in route.hops.order_by("position", "id")]


@pytest.fixture
def two_aliases(settings):
    settings.SMS_PROVIDERS = {
        "alpha": {"BACKEND": "sms_gateway.providers.locmem.LocmemProvider"},
        "beta": {"BACKEND": "sms_gateway.providers.locmem.LocmemProvider"},
    }
    settings.SMS_DEFAULT_PROVIDERS = ["alpha"]


def submit(client, url, **changes):
    """Post the page's form as a browser would, with some fields changed."""
    page = client.get(url).content.decode()
    return client.post(url, {**form_data(page), **changes}, follow=True)


def test_a_blank_provider_row_chooses_nothing(admin_client, two_aliases):
    page = admin_client.get(ADD).content.decode()
    assert '<option value="" selected>---------</option>' in page
    assert 'name="hops-0-provider"' in page
    data = form_data(page)
    assert data["hops-0-provider"] == ""  # what a browser posts for the untouched row


def test_route_with_no_provider_needs_block_ticked(admin_client, two_aliases):
    page = html.unescape(submit(admin_client, ADD, prefix="7").content.decode())
    assert "No provider chosen. Pick at least one provider, or tick" in page
    assert not Route.objects.filter(prefix="7").exists()

    submit(admin_client, ADD, prefix="7", blocked="on")
    route = Route.objects.get(prefix="7")
    assert hops(route) == []  # not 'alpha', the first alias


def test_block_ticked_with_providers_is_refused(admin_client, two_aliases):
    page = submit(admin_client, ADD, prefix="7", blocked="on", **{"hops-0-provider": "beta"})
    assert "is ticked but providers are listed" in html.unescape(page.content.decode())
    assert not Route.objects.filter(prefix="7").exists()


def test_blocked_destination_is_unmistakable_and_refused(admin_client, two_aliases, client):
    route = Route.objects.create(prefix="7", description="no SMS to +7")
    listing = admin_client.get(LIST).content.decode()
    assert "BLOCKED: no providers, every SMS refused" in listing
    assert '<strong class="sms-blocked">BLOCKED: no providers' in listing  # red: admin.css
    form = admin_client.get(change(route)).content.decode()
    assert 'class="errornote sms-blocked">This route is <strong>BLOCKED</strong>' in form
    assert 'name="blocked" aria-describedby="id_blocked_helptext" id="id_blocked" checked' in form

    from .conftest import TOKEN

    answer = client.post(
        "/sms/send",
        logto_body(to="79161234567"),
        content_type="application/json",
        HTTP_AUTHORIZATION=TOKEN,
    )
    assert answer.status_code == 400
    assert "not enabled" in answer.json()["message"]


def test_resaving_an_unchanged_route_changes_nothing(admin_client, two_aliases):
    route = Route.objects.create(prefix="44", description="+44 via beta")
    route.hops.create(provider="beta", position=0, sender="Acme")
    before = Route.objects.get(pk=route.pk).updated_at

    page = submit(admin_client, change(route))
    assert "was changed successfully" in page.content.decode()
    assert "Please correct" not in page.content.decode()
    assert hops(route) == [("beta", "Acme")]
    assert Route.objects.get(pk=route.pk).updated_at == before


def test_editing_the_description_keeps_the_providers(admin_client, two_aliases, outbox, client):
    route = Route.objects.create(prefix="44", description="+44 via beta")
    route.hops.create(provider="beta", position=0)
    submit(admin_client, change(route), description="+44 through beta only")
    assert hops(route) == [("beta", "")]
    assert Route.objects.get(pk=route.pk).description == "+44 through beta only"


def test_the_list_shows_providers_in_the_order_they_are_tried(admin_client, two_aliases):
    route = Route.objects.create(country="CA")
    route.hops.create(provider="beta", position=0, sender="+15551230000")
    route.hops.create(provider="alpha", position=0)  # same position: id breaks the tie
    listing = html.unescape(admin_client.get(LIST).content.decode())
    assert "beta (+15551230000) → alpha" in listing
    from sms_gateway.catalog import snapshot

    [rule] = [r for r in snapshot.load().routes if r.country == "CA"]
    assert [h.provider for h in rule.hops] == ["beta", "alpha"]
    form = admin_client.get(change(route)).content.decode()
    assert form.index('value="beta" selected') < form.index('value="alpha" selected')


def test_default_providers_are_named_when_there_is_no_default_route(admin_client, two_aliases):
    listing = html.unescape(admin_client.get(LIST).content.decode())
    assert "No default route: numbers no route matches go through" in listing
    assert "<strong>alpha</strong>" in listing


def test_an_unconfigured_alias_is_shown_as_stored(admin_client, two_aliases):
    route = Route.objects.create(prefix="49")
    route.hops.create(provider="gone", position=0)
    page = admin_client.get(change(route)).content.decode()
    assert '<option value="gone" selected>gone (not configured' in page


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ({"prefix": "+1 604"}, ("1604", "")),
        ({"prefix": "00 44-7700"}, ("447700", "")),
        ({"country": "ca"}, ("", "CA")),
        ({"country": " gb "}, ("", "GB")),
    ],
)
def test_prefix_and_country_are_normalised(admin_client, two_aliases, typed, stored):
    submit(admin_client, ADD, **typed, **{"hops-0-provider": "alpha"})
    route = Route.objects.get()
    assert (route.prefix, route.country) == stored


def test_a_sender_the_provider_would_refuse_is_refused_on_save(admin_client, settings):
    settings.SMS_PROVIDERS = {
        "vonage": {
            "BACKEND": "sms_gateway.providers.vonage.VonageProvider",
            "OPTIONS": {"API_KEY": "k", "API_SECRET": "s"},
        }
    }
    page = submit(
        admin_client,
        ADD,
        prefix="33",
        **{"hops-0-provider": "vonage", "hops-0-sender": "AcmeCorporation"},
    )
    assert "at most 11 characters at Vonage (15 given)" in page.content.decode()
    assert not Route.objects.exists()
