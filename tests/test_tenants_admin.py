"""Operators of one tenant in the admin (README, "Tenants"): every list, search, filter,
export, object URL and custom view of another tenant's objects is closed to them, by
any URL or id; what they add is their tenant's; superusers see every tenant."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import Group, Permission

from sms_gateway.core.tenants import DEFAULT_TENANT_ID, token_digest
from sms_gateway.models import (
    Budget,
    CountryPolicy,
    Message,
    RateLimit,
    Route,
    SafeNumber,
    SenderRule,
    Template,
    Tenant,
    TenantToken,
)

pytestmark = pytest.mark.django_db

A = "/admin/sms_gateway"
SECRET = "B-ONLY"  # in every object of tenant B
B_NUMBER = "+33699990001"


def operator(django_user_model, name: str, group: Group | None = None):
    user = django_user_model.objects.create_user(name, password="a-long-password-1", is_staff=True)
    perms = Permission.objects.filter(content_type__app_label="sms_gateway").exclude(
        codename__endswith="tenant"
    )
    user.user_permissions.add(*perms)  # every permission on the gateway's objects
    if group is not None:
        user.groups.add(group)
    return user


def objects_of(tenant: Tenant | None, mark: str, number: str) -> dict:
    t = {"tenant": tenant} if tenant else {}
    route = Route.objects.create(prefix="44", description=f"{mark} route", **t)
    route.hops.create(provider="locmem", position=0)
    return {
        "template": Template.objects.create(
            type="SignIn", locale="xx", text=f"{mark} {{{{code}}}}", **t
        ),
        "route": route,
        "message": Message.objects.create(to=number, type="SignIn", body=f"{mark} ******", **t),
        "ratelimit": RateLimit.objects.create(
            scope="recipient", limit=9, window_seconds=7, note=f"{mark} limit", **t
        ),
        "countrypolicy": CountryPolicy.objects.create(
            country="RU", action="block", note=f"{mark} policy", **t
        ),
        "safenumber": SafeNumber.objects.create(number=number, note=f"{mark} safe", **t),
        "budget": Budget.objects.create(period="day", cap=5, note=f"{mark} budget", **t),
        "senderrule": SenderRule.objects.create(country="IN", note=f"{mark} sender", **t),
    }


@pytest.fixture
def two_tenants(django_user_model):
    group = Group.objects.create(name="staging operators")
    b = Tenant.objects.create(slug="staging", name="Staging", operators=group)
    TenantToken.objects.create(tenant=b, digest=token_digest("Bearer staging-token"))
    return {
        "b": b,
        "a_objects": objects_of(None, "A-ONLY", "+33699990009"),
        "b_objects": objects_of(b, SECRET, B_NUMBER),
        "a_operator": operator(django_user_model, "a-ops"),
        "b_operator": operator(django_user_model, "b-ops", group),
        "superuser": django_user_model.objects.create_superuser("root", "", "a-long-password-1"),
    }


def object_urls(objects: dict) -> list[str]:
    urls = []
    for model, obj in objects.items():
        urls += [f"{A}/{model}/{obj.pk}/change/", f"{A}/{model}/{obj.pk}/history/"]
        if model != "message":
            urls.append(f"{A}/{model}/{obj.pk}/delete/")
    return urls


def list_urls(objects: dict, b: Tenant) -> list[str]:
    urls = []
    for model in objects:
        base = f"{A}/{model}/"
        urls += [
            base,
            f"{base}?q=99990001",
            f"{base}?q={SECRET}",
            f"{base}?tenant__id__exact={b.pk}",
            f"{base}?tenant={b.pk}",
        ]
    return urls + [
        f"{A}/message/export.csv",
        f"{A}/message/export.csv?tenant__id__exact={b.pk}",
        f"{A}/message/export.csv?q=99990001",
        f"{A}/template/shipped/",
        "/admin/",
    ]


def test_an_operator_of_one_tenant_reads_nothing_of_another(client, two_tenants):
    client.force_login(two_tenants["a_operator"])
    leaks = []
    for url in object_urls(two_tenants["b_objects"]):
        answer = client.get(url)
        if answer.status_code == 200 or SECRET in answer.content.decode():
            leaks.append((url, answer.status_code))
    for url in list_urls(two_tenants["b_objects"], two_tenants["b"]):
        answer = client.get(url)
        body = b"".join(answer.streaming_content) if answer.streaming else answer.content
        # A search echoes its own term (in the box, in the messages): the other marker tells.
        text = re.sub(r'<ul class="messagelist">.*?</ul>', "", body.decode(), flags=re.S)
        markers = [m for m in (SECRET, "99990001") if f"q={m}" not in url]
        if any(m in text for m in markers):
            leaks.append((url, answer.status_code))
    # The dashboard is theirs, of their tenant's records (tests/test_tenants_dashboard.py).
    dashboard = client.get(f"{A}/deliverydashboard/", {"tenant": two_tenants["b"].pk})
    assert dashboard.status_code == 200
    assert dashboard.context["title"] == "Delivery dashboard: Default"
    assert client.get(f"{A}/tenant/").status_code == 403
    assert leaks == []
    # Their own tenant's objects are all there.
    for url in object_urls(two_tenants["a_objects"]):
        assert client.get(url).status_code == 200, url


def test_the_other_tenants_operator_sees_only_theirs(client, two_tenants):
    client.force_login(two_tenants["b_operator"])
    for url in object_urls(two_tenants["a_objects"]):
        answer = client.get(url)
        assert answer.status_code != 200 and "A-ONLY" not in answer.content.decode(), url
    for url in object_urls(two_tenants["b_objects"]):
        assert client.get(url).status_code == 200, url
    page = client.get(f"{A}/safenumber/").content.decode()
    assert B_NUMBER in page and "+33699990009" not in page


def test_an_operator_changes_nothing_of_another_tenant(client, two_tenants, outbox):
    client.force_login(two_tenants["a_operator"])
    b = two_tenants["b_objects"]
    template, route, limit = b["template"], b["route"], b["ratelimit"]

    client.post(f"{A}/template/{template.pk}/change/", {"type": "SignIn", "locale": "xx",
                                                         "text": "Taken {{code}}"})  # fmt: skip
    assert client.post(f"{A}/template/{template.pk}/reset/").status_code == 404
    assert client.post(f"{A}/template/{template.pk}/history/1/restore/").status_code == 404
    client.post(
        f"{A}/route/", {"action": "delete_selected", "_selected_action": [route.pk], "post": "yes"}
    )
    client.post(
        f"{A}/ratelimit/",
        {
            "form-TOTAL_FORMS": "1",
            "form-INITIAL_FORMS": "1",
            "form-0-id": limit.pk,
            "form-0-limit": "500",
            "form-0-enabled": "on",
            "_save": "Save",
        },
    )
    export = client.post(
        f"{A}/message/", {"action": "export_csv", "_selected_action": [b["message"].pk]}
    )
    body = b"".join(export.streaming_content) if export.streaming else export.content
    assert "99990001" not in body.decode()
    # The test SMS: another tenant's route is no choice.
    answer = client.post(
        f"{A}/message/test-sms/",
        {"to": "+447700900123", "type": "SignIn", "locale": "en", "route": route.pk},
    )
    assert "Select a valid choice" in answer.content.decode()
    assert outbox == []

    template.refresh_from_db()
    limit.refresh_from_db()
    assert template.text == f"{SECRET} {{{{code}}}}"
    assert Route.objects.filter(pk=route.pk).exists()
    assert limit.limit == 9


def test_what_an_operator_adds_is_their_tenants_unique_per_tenant(client, two_tenants):
    client.force_login(two_tenants["b_operator"])
    b = two_tenants["b"]
    # Tenant A has a policy for DE? No: for RU, as B. DE is new to both.
    answer = client.post(f"{A}/countrypolicy/add/", {"country": "DE", "action": "block"})
    assert answer.status_code == 302
    assert CountryPolicy.objects.get(country="DE").tenant_id == b.pk
    # RU is B's already: a form error, not a 500; A's RU is no obstacle to A.
    again = client.post(f"{A}/countrypolicy/add/", {"country": "RU", "action": "allow"})
    assert again.status_code == 200 and "already exists" in again.content.decode()
    client.force_login(two_tenants["a_operator"])
    answer = client.post(f"{A}/countrypolicy/add/", {"country": "DE", "action": "monitor"})
    assert answer.status_code == 302
    assert CountryPolicy.objects.get(country="DE", tenant_id=DEFAULT_TENANT_ID).action == "monitor"


def test_a_superuser_sees_every_tenant_and_filters_by_tenant(client, two_tenants):
    client.force_login(two_tenants["superuser"])
    b = two_tenants["b"]
    everything = client.get(f"{A}/safenumber/").content.decode()
    assert B_NUMBER in everything and "+33699990009" in everything
    assert "By tenant" in everything or "by tenant" in everything
    only_b = client.get(f"{A}/safenumber/", {"tenant__id__exact": b.pk}).content.decode()
    assert B_NUMBER in only_b and "+33699990009" not in only_b
    for url in object_urls(two_tenants["b_objects"]) + object_urls(two_tenants["a_objects"]):
        assert client.get(url).status_code == 200, url
    assert client.get(f"{A}/deliverydashboard/").status_code == 200
    assert client.get(f"{A}/tenant/{b.pk}/change/").status_code == 200
    # The add form says whose the new object is.
    assert 'name="tenant"' in client.get(f"{A}/countrypolicy/add/").content.decode()


def test_a_superuser_adds_a_token_kept_as_its_digest(client, two_tenants):
    client.force_login(two_tenants["superuser"])
    b = two_tenants["b"]
    value = "Bearer a-new-staging-token-2"
    answer = client.post(
        f"{A}/tenant/{b.pk}/change/",
        {
            "name": "Staging",
            "slug": "staging",
            "operators": b.operators_id,
            "logto_webhook_keys": "",
            "tokens-TOTAL_FORMS": "2",
            "tokens-INITIAL_FORMS": "1",
            "tokens-0-id": b.tokens.get().pk,
            "tokens-0-tenant": b.pk,
            "tokens-0-label": "",
            "tokens-1-tenant": b.pk,
            "tokens-1-label": "rotation",
            "tokens-1-value": value,
        },
    )
    assert answer.status_code == 302, answer.content.decode()[:2000]
    assert b.tokens.filter(digest=token_digest(value), label="rotation").exists()
    assert not TenantToken.objects.filter(digest=value).exists()
    assert value not in client.get(f"{A}/tenant/{b.pk}/change/").content.decode()


def test_an_operators_test_sms_is_their_tenants(client, two_tenants, outbox):
    b = two_tenants["b"]
    Template.objects.create(tenant=b, type="SignIn", locale="en", text="Staging: {{code}}")
    client.force_login(two_tenants["b_operator"])
    answer = client.post(
        f"{A}/message/test-sms/", {"to": "+447911123456", "type": "SignIn", "locale": "en"}
    )
    assert answer.status_code == 200
    sent = Message.objects.get(is_test=True)
    assert sent.tenant_id == b.pk and sent.route == "+44"  # B's route to +44
    assert sent.status == "sent", sent.error
    assert [sms.text.split(":")[0] for _, sms in outbox] == ["Staging"]


def test_a_value_of_the_default_tenant_opens_no_other(client, two_tenants, settings):
    client.force_login(two_tenants["superuser"])
    b = two_tenants["b"]
    settings.SMS_GATEWAY_TOKENS = ["Bearer the-default-tenants-token"]
    answer = client.post(
        f"{A}/tenant/{b.pk}/change/",
        {
            "name": "Staging",
            "slug": "staging",
            "operators": b.operators_id,
            "logto_webhook_keys": "",
            "tokens-TOTAL_FORMS": "2",
            "tokens-INITIAL_FORMS": "1",
            "tokens-0-id": b.tokens.get().pk,
            "tokens-0-tenant": b.pk,
            "tokens-1-tenant": b.pk,
            "tokens-1-value": "Bearer the-default-tenants-token",
        },
    )
    assert answer.status_code == 200
    assert "opens the default tenant" in answer.content.decode()
    assert b.tokens.count() == 1


def test_another_tenants_route_share_changes_are_not_listed_nor_offered(client, two_tenants):
    from django.utils import timezone

    from sms_gateway.models import RouteShareChange

    japan = Route.objects.create(tenant=two_tenants["b"], country="JP", mode="adaptive")
    change = RouteShareChange.objects.create(
        route=japan, at=timezone.now(), mode="adaptive", reason=f"{SECRET} shares"
    )
    client.force_login(two_tenants["a_operator"])
    page = client.get(f"{A}/routesharechange/").content.decode()
    assert "country JP" not in page and SECRET not in page
    assert client.get(f"{A}/routesharechange/{change.pk}/change/").status_code != 200
    client.force_login(two_tenants["b_operator"])
    assert "country JP" in client.get(f"{A}/routesharechange/").content.decode()


def test_the_guard_overview_counts_only_the_operators_tenants_refusals(client, two_tenants):
    """The overview (admin/guard_overview.py) reads Messages: scoped like the list."""
    Message.objects.create(to=B_NUMBER, type="SignIn", status="rejected", refusal="country",
                           country="RU", tenant=two_tenants["b"])  # fmt: skip
    Message.objects.create(to="+33699990009", type="SignIn", status="rejected", refusal="pumping",
                           country="FR")  # fmt: skip
    url = f"{A}/blockedprefix/overview/"
    client.force_login(two_tenants["a_operator"])
    seen = client.get(url).context
    assert seen["total"] == 1 and [kind for kind, _, _ in seen["reasons"]] == ["pumping"]
    client.force_login(two_tenants["b_operator"])
    assert [kind for kind, _, _ in client.get(url).context["reasons"]] == ["country"]
    client.force_login(two_tenants["superuser"])
    assert client.get(url).context["total"] == 2
