"""Two tenants in a real browser (README, "Tenants"): an operator of one tenant sees its
records and objects only, and another tenant's record by its URL is not there; a
superuser sees both, filters by tenant and manages a tenant's tokens, and never sees
its webhook signing keys. Screenshots at
1280 and 390 px go to docs/screenshots/ (tenant-*.png). Skipped as test_browser_admin.py
is, without Chromium."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission

from sms_gateway.core.tenants import token_digest
from sms_gateway.models import CountryPolicy, Message, Tenant, TenantToken

from .test_browser_admin import PASSWORD, Operator, browser, csp_violations  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)

WEBHOOK_KEY = "whsk_StagingKeyA7f3Q9zXw2"  # stored encrypted, never shown
OLD_WEBHOOK_KEY = "whsk_StagingOldKey0Pm4Lr8"


@pytest.fixture
def tenants(django_user_model):
    from sms_gateway.admin import login_throttle
    from sms_gateway.catalog.defaults import load_shipped

    load_shipped()  # a transactional test starts from an empty database
    group = Group.objects.create(name="staging operators")
    staging = Tenant.objects.create(slug="staging", name="Staging", operators=group)
    staging.set_webhook_keys([OLD_WEBHOOK_KEY, WEBHOOK_KEY])
    staging.save()
    TenantToken.objects.create(
        tenant=staging, digest=token_digest("Bearer staging-token"), label="Logto staging"
    )
    ours = Message.objects.create(
        tenant=staging, to="+33611110001", type="SignIn", status="sent", provider="locmem",
        body="Your code is ******", locale="en", country="FR", segments=1,
    )  # fmt: skip
    theirs = Message.objects.create(
        to="+33622220002", type="Register", status="sent", provider="locmem",
        body="Production code ******", locale="en", country="FR", segments=1,
    )  # fmt: skip
    CountryPolicy.objects.create(country="RU", action="block", note="production's policy")
    operator = django_user_model.objects.create_user("stage-ops", password=PASSWORD, is_staff=True)
    operator.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="sms_gateway").exclude(
            codename__endswith="tenant"
        )
    )
    operator.groups.add(group)
    django_user_model.objects.create_superuser("root", "", PASSWORD)
    for name in ("stage-ops", "root"):
        login_throttle.clear(name)
    return {"staging": staging, "ours": ours, "theirs": theirs}


def login(browser, live_server, username: str) -> Operator:  # noqa: F811
    person = Operator(browser, live_server.url)
    person.driver.set_window_size(1280, 900)
    person.driver.delete_all_cookies()
    csp_violations(browser)
    person.open("/admin/login/")
    person.type_into("#id_username", username)
    person.type_into("#id_password", PASSWORD)
    person.find("input[type=submit]").click()
    person.wait_for(lambda: "Log out" in person.driver.page_source, "not logged in")
    return person


def test_an_operator_of_one_tenant_sees_its_own_only(browser, live_server, tenants):  # noqa: F811
    person = login(browser, live_server, "stage-ops")
    person.open("/admin/sms_gateway/message/")
    page = person.driver.page_source
    assert "+33611110001" in page and "+33622220002" not in page
    person.shoot("tenant-operator-messages")

    person.open(f"/admin/sms_gateway/message/{tenants['theirs'].pk}/change/")
    assert "doesn’t exist" in person.driver.page_source
    assert "Production code" not in person.driver.page_source

    person.open("/admin/sms_gateway/countrypolicy/add/")
    person.type_into("#id_country", "RU")
    person.find("#id_action").send_keys("monitor")
    person.submit()
    person.wait_for(lambda: "was added successfully" in person.driver.page_source, "not added")
    assert CountryPolicy.objects.get(country="RU", tenant=tenants["staging"]).action == "monitor"
    assert "production's policy" not in person.driver.page_source
    person.shoot("tenant-operator-policies")
    assert csp_violations(browser) == []


def test_a_superuser_sees_every_tenant_and_manages_them(browser, live_server, tenants):  # noqa: F811
    person = login(browser, live_server, "root")
    person.open("/admin/sms_gateway/message/")
    page = person.driver.page_source
    assert "+33611110001" in page and "+33622220002" in page
    assert "By tenant" in page
    person.open(f"/admin/sms_gateway/message/?tenant__id__exact={tenants['staging'].pk}")
    page = person.driver.page_source
    assert "+33611110001" in page and "+33622220002" not in page
    person.shoot("tenant-superuser-messages")

    person.open(f"/admin/sms_gateway/tenant/{tenants['staging'].pk}/change/")
    assert "Logto staging" in person.driver.page_source
    page = person.driver.page_source
    assert "staging-token" not in page  # its digest only is kept
    # The webhook signing keys: how many and their last 4 characters, never a key.
    assert WEBHOOK_KEY not in page and OLD_WEBHOOK_KEY not in page
    assert f"2 keys: …{OLD_WEBHOOK_KEY[-4:]}, …{WEBHOOK_KEY[-4:]}" in page
    assert person.find("#id_new_webhook_keys").get_attribute("value") == ""
    person.shoot("tenant-edit")
    assert csp_violations(browser) == []


@pytest.fixture
def traffic(tenants):
    """Three weeks of records, one in three the staging tenant's, rolled up as at deploy."""
    from django.utils import timezone

    from sms_gateway.dashboard import queries, refresh

    from .dashboard_data import insert_orm

    now = timezone.now()
    insert_orm(900, days=21, now=now, tenants={1: 2, tenants["staging"].pk: 1})
    refresh.refresh(now=now)
    start = queries.Filters(days=7, now=now).start
    sent = Message.objects.filter(status="sent", created_at__gte=start)
    return {
        "staging": sent.filter(tenant=tenants["staging"]).count(),
        "all": sent.count(),
    }


def sent_tile(person: Operator) -> int:
    return int(person.text(".sms-dash .tiles .tile:first-child .value"))


def test_an_operator_sees_the_dashboard_of_their_tenant(browser, live_server, tenants, traffic):  # noqa: F811
    person = login(browser, live_server, "stage-ops")
    other = 1  # the default tenant's id: asked for, it is ignored
    person.open(f"/admin/sms_gateway/deliverydashboard/?days=7&tenant={other}")
    assert "Delivery dashboard: Staging" in person.driver.title
    assert sent_tile(person) == traffic["staging"] < traffic["all"]
    assert person.finds("#sms-dash-tenant") == []  # one tenant: nothing to choose
    person.shoot("tenant-operator-dashboard")

    person.open("/admin/")
    assert person.text("#sms-today h2") == "Today: Staging"
    assert csp_violations(browser) == []


def test_a_superuser_sees_every_tenants_dashboard_and_filters(
    browser,  # noqa: F811
    live_server,
    tenants,
    traffic,
):
    from selenium.webdriver.support.ui import Select

    person = login(browser, live_server, "root")
    person.open("/admin/sms_gateway/deliverydashboard/?days=7")
    assert "Delivery dashboard: all tenants" in person.driver.title
    assert sent_tile(person) == traffic["all"]
    Select(person.find("#sms-dash-tenant")).select_by_visible_text("Staging")
    person.find(".sms-dash form.filters input[type=submit]").click()
    person.wait_for(lambda: "Delivery dashboard: Staging" in person.driver.title, "not filtered")
    assert sent_tile(person) == traffic["staging"]
    person.shoot("tenant-superuser-dashboard")
    assert csp_violations(browser) == []
