"""Several Logto instances on one gateway (README, "Tenants"): each tenant's
Authorization value renders its own texts, takes its own routes, counts against its
own limits and stamps its own records; the gateway-wide limit holds for all; an
upgrade puts every existing row in the default tenant."""

import hashlib
import hmac
import json
from datetime import timedelta

import pytest
import requests
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from sms_gateway import sending
from sms_gateway.api.authentication import GatewayTokenAuthentication
from sms_gateway.catalog import snapshot
from sms_gateway.core.phone import parse
from sms_gateway.core.tenants import DEFAULT_TENANT_ID, counter_key, token_digest
from sms_gateway.models import Message, RateLimit, Route, Template, Tenant, TenantToken

from .conftest import TOKEN, logto_body

B_TOKEN = "Bearer tenant-b-token"


def make_tenant(slug="staging", token=B_TOKEN) -> Tenant:
    tenant = Tenant.objects.create(slug=slug, name=slug.title())
    TenantToken.objects.create(tenant=tenant, digest=token_digest(token), label="connector")
    return tenant


def test_counter_keys_of_the_default_tenant_are_as_before_tenants():
    assert counter_key(DEFAULT_TENANT_ID, "33612345678") == "33612345678"
    assert counter_key(2, "33612345678") == "t2:33612345678"
    assert token_digest("a") != token_digest("b") and len(token_digest("a")) == 64


# --- the send path, through HTTP ------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_each_token_renders_its_tenants_texts_and_takes_its_routes(api, outbox):
    b = make_tenant()
    Template.objects.filter(tenant_id=DEFAULT_TENANT_ID, type="SignIn", locale="en").update(
        text="A: your code is {{code}}"
    )
    Template.objects.create(tenant=b, type="SignIn", locale="en", text="B: {{code}} is yours")
    route = Route.objects.create(tenant=b, prefix="33")
    route.hops.create(provider="console")
    snapshot.invalidate()

    a_sent = api.post(logto_body(to="33612340001"), token=TOKEN)
    b_sent = api.post(logto_body(to="33612340002"), token=B_TOKEN)
    assert a_sent.status_code == 200 and b_sent.status_code == 200, b_sent.text
    assert a_sent.json()["provider"] == "locmem" and b_sent.json()["provider"] == "console"
    assert [sms.text for _, sms in outbox] == ["A: your code is 123456"]  # locmem: A's only
    a_row = Message.objects.get(pk=a_sent.json()["id"])
    b_row = Message.objects.get(pk=b_sent.json()["id"])
    assert (a_row.tenant_id, b_row.tenant_id) == (DEFAULT_TENANT_ID, b.pk)
    assert b_row.body == "B: ****** is yours"
    # A type B never overrode: the shipped text, not A's edit.
    b_fr = api.post(logto_body(to="33612340003", type="Register"), token=B_TOKEN)
    assert b_fr.status_code == 200
    assert Message.objects.get(pk=b_fr.json()["id"]).body.startswith(
        Template.objects.get(tenant_id=DEFAULT_TENANT_ID, type="Register", locale="en")
        .text.split("{{")[0]
        .strip()
    )


@pytest.mark.django_db(transaction=True)
def test_each_tenant_counts_against_its_own_limits(api, outbox):
    b = make_tenant()
    RateLimit.objects.filter(tenant=b, scope="recipient", window_seconds=600).update(limit=1)
    snapshot.invalidate()
    same = logto_body(to="33612340009")

    assert api.post(same, token=B_TOKEN).status_code == 200
    refused = api.post(same, token=B_TOKEN)
    assert refused.status_code == 429
    assert Message.objects.filter(tenant=b, status="rejected").count() == 1
    # The default tenant's counter for that number is its own: 5 per 10 minutes.
    assert api.post(same, token=TOKEN).status_code == 200


@pytest.mark.django_db(transaction=True)
def test_the_gateway_wide_limit_holds_across_tenants(api, outbox):
    make_tenant()
    RateLimit.objects.update_or_create(
        tenant_id=DEFAULT_TENANT_ID, scope="global", window_seconds=600, defaults={"limit": 2}
    )
    # A tenant's own global row is not the gateway's: it is not applied.
    b = Tenant.objects.get(slug="staging")
    RateLimit.objects.create(tenant=b, scope="global", limit=1, window_seconds=60)
    snapshot.invalidate()

    assert api.post(logto_body(to="33612340011"), token=TOKEN).status_code == 200
    assert api.post(logto_body(to="33612340012"), token=B_TOKEN).status_code == 200
    third = api.post(logto_body(to="33612340013"), token=B_TOKEN)
    assert third.status_code == 429
    assert "rate_limited:global" in Message.objects.get(to="+33612340013").error


@pytest.mark.django_db(transaction=True)
def test_a_token_of_no_tenant_is_refused_and_a_new_tenant_starts_with_the_shipped_limits(api):
    b = make_tenant()
    assert sorted(RateLimit.objects.filter(tenant=b).values_list("scope", flat=True)) == [
        *("country", "ip", "ip", "prefix", "recipient", "recipient"),
    ]
    response = api.post(logto_body(), token="Bearer tenant-b-token2")
    assert response.status_code == 401
    assert response.json() == {"message": "Invalid Authorization header."}


@pytest.mark.django_db
def test_another_tenants_sms_costs_the_same_two_statements(outbox):
    b = make_tenant()
    request = sending.SmsRequest(
        to=parse("33612345678"), type="SignIn", payload={"code": "1", "locale": "en"}, tenant=b.pk
    )

    class Http:
        META = {"HTTP_AUTHORIZATION": B_TOKEN}

    assert GatewayTokenAuthentication().authenticate(Http())[1] == b.pk  # loads the snapshot
    sending.send(request)
    with CaptureQueriesContext(connection) as ctx:
        assert GatewayTokenAuthentication().authenticate(Http())[1] == b.pk
        outcome = sending.send(request)
    assert outcome.status == "sent"
    assert [q["sql"].split()[0].upper() for q in ctx.captured_queries] == ["INSERT", "UPDATE"]
    assert Message.objects.get(pk=outcome.message_id).tenant_id == b.pk


# --- the upgrade ----------------------------------------------------------------------

BEFORE = [("sms_gateway", "0010_budgets_senders")]
AFTER = [("sms_gateway", "0012_tenants")]


@pytest.mark.django_db(transaction=True)
def test_migration_0012_puts_every_row_in_the_default_tenant():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    try:
        old = executor.loader.project_state(BEFORE).apps
        Template = old.get_model("sms_gateway", "Template")
        Template.objects.update_or_create(
            type="SignIn", locale="en", defaults={"text": "Ours: {{code}}", "is_customized": True}
        )
        route = old.get_model("sms_gateway", "Route").objects.create(prefix="44")
        old.get_model("sms_gateway", "RouteProvider").objects.create(route=route, provider="x")
        old.get_model("sms_gateway", "RateLimit").objects.update_or_create(
            scope="recipient", window_seconds=600, defaults={"limit": 3}
        )
        old.get_model("sms_gateway", "CountryPolicy").objects.create(country="FR", action="block")
        old.get_model("sms_gateway", "SafeNumber").objects.create(number="+33612345678")
        old.get_model("sms_gateway", "Budget").objects.create(period="day", cap=10)
        old.get_model("sms_gateway", "SenderRule").objects.create(country="IN")
        old.get_model("sms_gateway", "Message").objects.create(to="+33612345678", type="SignIn")
        counts = {
            name: old.get_model("sms_gateway", name).objects.count()
            for name in ("Template", "Route", "RateLimit", "CountryPolicy", "SafeNumber")
            + ("Budget", "SenderRule", "Message")
        }

        executor = MigrationExecutor(connection)  # a fresh graph, as `migrate` would
        executor.migrate(AFTER)
        new = executor.loader.project_state(AFTER).apps
        NewTenant = new.get_model("sms_gateway", "Tenant")
        assert list(NewTenant.objects.values_list("pk", "slug")) == [(1, "default")]
        for name, count in counts.items():
            model = new.get_model("sms_gateway", name)
            assert model.objects.filter(tenant_id=DEFAULT_TENANT_ID).count() == count, name
        kept = new.get_model("sms_gateway", "Template").objects.get(type="SignIn", locale="en")
        assert (kept.text, kept.is_customized) == ("Ours: {{code}}", True)
        limit = new.get_model("sms_gateway", "RateLimit").objects.get(
            scope="recipient", window_seconds=600
        )
        assert limit.limit == 3
        # The next tenant does not take the default tenant's id.
        assert NewTenant.objects.create(slug="staging", name="Staging").pk == 2
        # Tenants may each have a route for +44, not one tenant twice.
        NewRoute = new.get_model("sms_gateway", "Route")
        NewRoute.objects.create(prefix="44", tenant_id=2)
        with pytest.raises(IntegrityError), transaction.atomic():
            NewRoute.objects.create(prefix="44", tenant_id=2)
        NewRoute.objects.filter(tenant_id=2).delete()
        NewTenant.objects.filter(pk=2).delete()

        executor = MigrationExecutor(connection)
        executor.migrate(BEFORE)  # reversible
        assert old.get_model("sms_gateway", "Template").objects.get(
            type="SignIn", locale="en"
        ).text == ("Ours: {{code}}")
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes("sms_gateway"))


# --- Logto's webhooks ---------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_webhook_signed_with_a_tenants_key_converts_only_its_codes(settings, logto_webhook):
    settings.SMS_LOGTO_WEBHOOK_KEYS = ["default-key"]
    b = make_tenant()
    b.set_webhook_keys(["old-b-key", "b-key"])
    b.save()
    now = timezone.now()
    a_code = Message.objects.create(to="+33612345678", type="SignIn", status="sent")
    b_code = Message.objects.create(tenant=b, to="+33612345678", type="SignIn", status="sent")
    Message.objects.filter(pk__in=[a_code.pk, b_code.pk]).update(
        created_at=now - timedelta(minutes=1)
    )

    assert logto_webhook("b-key").status_code == 200
    a_code.refresh_from_db()
    b_code.refresh_from_db()
    assert b_code.converted_at is not None and a_code.converted_at is None
    assert logto_webhook("unknown-key").status_code == 403
    assert logto_webhook("default-key").status_code == 200
    a_code.refresh_from_db()
    assert a_code.converted_at is not None


@pytest.fixture
def logto_webhook(live_server):
    session = requests.Session()
    session.trust_env = False

    def post(key: str) -> requests.Response:
        body = json.dumps(
            {
                "event": "PostSignIn",
                "createdAt": timezone.now().isoformat(),
                "user": {"id": "u1", "primaryPhone": "33612345678"},
            }
        ).encode()
        signature = hmac.new(key.encode(), body, hashlib.sha256).hexdigest()
        return session.post(
            f"{live_server.url}/webhooks/logto",
            data=body,
            headers={"Content-Type": "application/json", "logto-signature-sha-256": signature},
            timeout=30,
        )

    yield post
    session.close()


# --- the operators' commands --------------------------------------------------------


@pytest.mark.django_db
def test_the_commands_act_on_the_default_tenant(django_user_model):
    import io

    from django.core.management import call_command

    b = make_tenant()
    Template.objects.create(tenant=b, type="SignIn", locale="en", text="B: {{code}}")
    django_user_model.objects.create_superuser("ops", "", "a-long-password-1")
    call_command(
        "ratelimits", "set", "recipient", "10m", "7", "--user", "ops", stdout=io.StringIO()
    )
    assert RateLimit.objects.get(tenant_id=DEFAULT_TENANT_ID, scope="recipient",
                                 window_seconds=600).limit == 7  # fmt: skip
    assert RateLimit.objects.get(tenant=b, scope="recipient", window_seconds=600).limit == 5
    listed = io.StringIO()
    call_command("ratelimits", "list", stdout=listed)
    assert listed.getvalue().count("recipient") == 2  # the default tenant's two
    exported = io.StringIO()
    call_command("export_templates", stdout=exported)
    assert "B: {{code}}" not in exported.getvalue()
