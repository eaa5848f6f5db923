"""Who may do what in the admin: every screen, custom URL and action, walked by staff users
of each permission set, against one explicit matrix; and the admin log entry each
change made outside a model form leaves (who, and what changed)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from sms_gateway.catalog.defaults import shipped
from sms_gateway.models import (
    BlockedPrefix,
    CountryPolicy,
    Message,
    RateLimit,
    Route,
    SafeNumber,
    Template,
    Tenant,
)

from .conftest import TOKEN, logto_body

pytestmark = pytest.mark.django_db

A = "/admin/sms_gateway"
ROLES = ("none", "view", "change_template", "test_sms", "superuser")


def user_with(django_user_model, role: str):
    """A staff user: no permission; every view_*; + change_template; + send_test_sms; superuser."""
    if role == "superuser":
        return django_user_model.objects.create_superuser(role, "", "a-long-password-1")
    user = django_user_model.objects.create_user(role, password="a-long-password-1", is_staff=True)
    perms = Permission.objects.filter(content_type__app_label="sms_gateway")
    if role != "none":
        user.user_permissions.add(*perms.filter(codename__startswith="view_"))
    if role == "change_template":
        user.user_permissions.add(perms.get(codename="change_template"))
    if role == "test_sms":
        user.user_permissions.add(perms.get(codename="send_test_sms"))
    return user


@pytest.fixture
def world(client):
    """One object of every kind, a blocked prefix and a customised template."""
    route = Route.objects.create(prefix="33", description="France")
    route.hops.create(provider="locmem", position=0)
    answer = client.post(
        "/sms/send", logto_body(), content_type="application/json", HTTP_AUTHORIZATION=TOKEN
    )
    template = Template.objects.get(type="SignIn", locale="en")
    template.text, template.is_customized = "Custom {{code}}", True
    template.save()
    return {
        "template": template,
        "route": route,
        "message": Message.objects.get(pk=answer.json()["id"]),
        "ratelimit": RateLimit.objects.get(scope="recipient", window_seconds=600),  # shipped
        "countrypolicy": CountryPolicy.objects.create(country="RU", action="block"),
        "blockedprefix": BlockedPrefix.objects.create(
            prefix="33655500", reason="pumping", until=timezone.now() + timedelta(hours=12)
        ),
        "safenumber": SafeNumber.objects.create(number="+33612345679"),
    }


# Allowed for (none, view, change_template, test_sms, superuser). Pages: 200 when allowed,
# 403 when not. Actions and posts: whether the change happened.
Y, N = 1, 0
PAGES = {
    "/admin/": (Y, Y, Y, Y, Y),
    "/admin/sms_gateway/deliverydashboard/": (N, Y, Y, Y, Y),
    "{template}/shipped/": (N, Y, Y, Y, Y),
    "{message}/export.csv": (N, Y, Y, Y, Y),
    "{message}/test-sms/": (N, N, N, Y, Y),
    "{blockedprefix}/overview/": (N, Y, Y, Y, Y),
    "{blockedprefix}/{blockedprefix.pk}/unblock/": (N, N, N, N, Y),
}
for model in ("template", "route", "message", "ratelimit", "countrypolicy", "blockedprefix",
              "safenumber"):  # fmt: skip
    PAGES[f"{{{model}}}/"] = (N, Y, Y, Y, Y)
    PAGES[f"{{{model}}}/{{{model}.pk}}/change/"] = (N, Y, Y, Y, Y)  # read-only for view
    PAGES[f"{{{model}}}/{{{model}.pk}}/history/"] = (N, Y, Y, Y, Y)
    # Records are an audit trail: nobody adds or deletes one here.
    never = model == "message"
    PAGES[f"{{{model}}}/add/"] = (N, N, N, N, N if never else Y)
    # A shipped template (the world's is SignIn/en) is reset, never deleted.
    undeletable = never or model == "template"
    PAGES[f"{{{model}}}/{{{model}.pk}}/delete/"] = (N, N, N, N, N if undeletable else Y)

CHANGES = {
    "unblock a prefix (action)": (N, N, N, N, Y),
    "unblock a prefix from its page": (N, N, N, N, Y),
    "reset a template to its shipped text (action)": (N, N, Y, N, Y),
    "reset one template from its page": (N, N, Y, N, Y),
    "restore a version from the history": (N, N, Y, N, Y),
    "edit a template": (N, N, Y, N, Y),
    "edit a rate limit in the list": (N, N, N, N, Y),
    "delete a route (action)": (N, N, N, N, Y),
    "delete a message (action)": (N, N, N, N, N),
    "export messages (action)": (N, Y, Y, Y, Y),
    "send a test SMS": (N, N, N, Y, Y),
    "preview a template text": (N, Y, Y, Y, Y),
}


def url(pattern: str, world: dict) -> str:
    names = {m: f"{A}/{m}" for m in world}
    objects = {f"{m}.pk": obj.pk for m, obj in world.items()}
    return pattern.replace("{", "{0[").replace("}", "]}").format({**names, **objects})


def changes(client, world: dict, outbox) -> dict[str, bool]:
    """Try every change; whether each happened."""
    done: dict[str, bool] = {}
    block, template = world["blockedprefix"], world["template"]

    client.post(f"{A}/blockedprefix/", {"action": "unblock", "_selected_action": [block.pk]})
    block.refresh_from_db()
    done["unblock a prefix (action)"] = block.unblocked_at is not None
    other = BlockedPrefix.objects.create(
        prefix="33655501", reason="pumping", until=timezone.now() + timedelta(hours=12)
    )
    client.post(f"{A}/blockedprefix/{other.pk}/unblock/", {"hours": "6"})
    other.refresh_from_db()
    done["unblock a prefix from its page"] = other.unblocked_at is not None

    client.post(
        f"{A}/template/",
        {"action": "reset_to_shipped", "_selected_action": [template.pk], "post": "yes"},
    )
    template.refresh_from_db()
    done["reset a template to its shipped text (action)"] = not template.is_customized
    Template.objects.filter(pk=template.pk).update(text="Custom {{code}}", is_customized=True)

    client.post(f"{A}/template/{template.pk}/reset/")
    template.refresh_from_db()
    done["reset one template from its page"] = not template.is_customized

    client.post(
        f"{A}/template/{template.pk}/change/",
        {"type": "SignIn", "locale": "en", "text": "Edited {{code}}"},
    )
    template.refresh_from_db()
    done["edit a template"] = template.text == "Edited {{code}}"

    # A version in the history (written here: whoever may not edit has made none).
    version = LogEntry.objects.create(
        user_id=client.session["_auth_user_id"],
        content_type=ContentType.objects.get_for_model(Template),
        object_id=str(template.pk),
        object_repr=str(template),
        action_flag=CHANGE,
        change_message=json.dumps([{"texts": {"old": "Old {{code}}", "new": "Kept {{code}}"}}]),
    )
    Template.objects.filter(pk=template.pk).update(text="Custom {{code}}", is_customized=True)
    client.post(f"{A}/template/{template.pk}/history/{version.pk}/restore/")
    template.refresh_from_db()
    done["restore a version from the history"] = template.text == "Kept {{code}}"

    limit = world["ratelimit"]
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
    limit.refresh_from_db()
    done["edit a rate limit in the list"] = limit.limit == 500

    route = world["route"]
    client.post(
        f"{A}/route/", {"action": "delete_selected", "_selected_action": [route.pk], "post": "yes"}
    )
    done["delete a route (action)"] = not Route.objects.filter(pk=route.pk).exists()
    if not Route.objects.filter(pk=route.pk).exists():
        Route.objects.create(pk=route.pk, prefix="33").hops.create(provider="locmem", position=0)

    message = world["message"]
    client.post(
        f"{A}/message/",
        {"action": "delete_selected", "_selected_action": [message.pk], "post": "yes"},
    )
    done["delete a message (action)"] = not Message.objects.filter(pk=message.pk).exists()

    export = client.post(
        f"{A}/message/", {"action": "export_csv", "_selected_action": [message.pk]}
    )
    done["export messages (action)"] = export.get("Content-Type", "").startswith("text/csv")

    before = len(outbox)
    client.post(f"{A}/message/test-sms/", {"to": "+33612345678", "type": "SignIn", "locale": "en"})
    done["send a test SMS"] = len(outbox) > before

    preview = client.post(f"{A}/template/preview/", {"type": "SignIn", "text": "{{code}}"})
    done["preview a template text"] = preview.status_code == 200
    return done


@pytest.mark.parametrize("role", ROLES)
def test_every_admin_url_and_action_follows_the_permission_matrix(
    role, world, client, django_user_model, outbox
):
    client.force_login(user_with(django_user_model, role))
    column = ROLES.index(role)
    wrong = []
    for pattern, allowed in PAGES.items():
        status = client.get(url(pattern, world)).status_code
        expected = 200 if allowed[column] else 403
        if status != expected:
            wrong.append((pattern, status, expected))
    for change, happened in changes(client, world, outbox).items():
        if happened != bool(CHANGES[change][column]):
            wrong.append((change, happened, bool(CHANGES[change][column])))
    assert wrong == []


def test_an_anonymous_visitor_is_sent_to_the_login_page(client, world):
    for pattern in PAGES:
        answer = client.get(url(pattern, world))
        assert answer.status_code == 302 and "/admin/login/" in answer["Location"], pattern


# --- the admin log ---------------------------------------------------------------------


def entries(obj) -> list[LogEntry]:
    kind = ContentType.objects.get_for_model(obj)
    return list(LogEntry.objects.filter(content_type=kind, object_id=str(obj.pk)).order_by("pk"))


def test_each_change_outside_a_model_form_leaves_an_admin_log_entry(
    world, client, django_user_model, outbox
):
    ops = user_with(django_user_model, "superuser")
    client.force_login(ops)
    changes(client, world, outbox)

    [unblock] = entries(world["blockedprefix"])
    assert (unblock.user, unblock.action_flag) == (ops, CHANGE)
    assert unblock.get_change_message().startswith("Unblocked 33655500 (was blocked until ")
    assert unblock.get_change_message().endswith(": pumping), trusted for 24 h.")
    [other] = BlockedPrefix.objects.filter(prefix="33655501")
    [from_page] = entries(other)
    assert (from_page.user, from_page.action_flag) == (ops, CHANGE)
    assert from_page.get_change_message().endswith(": pumping), trusted for 6 h.")
    assert 5.9 < (other.trusted_until - other.unblocked_at).total_seconds() / 3600 <= 6

    reset, reset_here, edit, _, restore = entries(world["template"])
    assert [e.user for e in (reset, reset_here, edit, restore)] == [ops, ops, ops, ops]
    texts = [
        next(part["texts"] for part in json.loads(e.change_message) if "texts" in part)
        for e in (reset, reset_here, edit, restore)
    ]
    shipped_text = shipped()[("SignIn", "en")]
    reset_texts = {
        "old": "Custom {{code}}",
        "new": shipped_text,
        "label": "Reset to the shipped text",
    }
    assert texts[0] == texts[1] == reset_texts  # one name, wherever it is done
    assert texts[2] == {"old": shipped_text, "new": "Edited {{code}}"}
    assert texts[3]["old"] == "Custom {{code}}" and texts[3]["new"] == "Kept {{code}}"
    assert texts[3]["label"].startswith("Restored the version of ")

    [limit] = entries(world["ratelimit"])
    assert (limit.user, limit.get_change_message()) == (ops, "Changed Limit.")

    test = Message.objects.get(is_test=True)
    [sent] = entries(test)
    assert (sent.user, sent.action_flag) == (ops, ADDITION)
    assert (
        sent.get_change_message() == "Sent a test SMS to +3361234**** (SignIn, en): sent by locmem"
    )


# --- two tenants ------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["view", "change_template", "test_sms"])
def test_an_operator_of_another_tenant_opens_no_object_of_this_one(
    role, world, client, django_user_model
):
    """Every object URL of the matrix, walked by an operator of a second tenant: none opens
    (blocked prefixes excepted: the gateway's, shared by every tenant)."""
    group = Group.objects.create(name="staging operators")
    Tenant.objects.create(slug="staging", name="Staging", operators=group)
    user = user_with(django_user_model, role)
    user.groups.add(group)
    client.force_login(user)
    opened = []
    for pattern in PAGES:
        if ".pk}" not in pattern or pattern.startswith("{blockedprefix}"):
            continue
        answer = client.get(url(pattern, world))
        if answer.status_code == 200:
            opened.append(pattern)
    assert opened == []
    assert client.get(url("{blockedprefix}/{blockedprefix.pk}/change/", world)).status_code == 200
