"""Tenants' Logto webhook signing keys at rest (README, "Tenants"): encrypted under a
key derived from SECRET_KEY, read with SECRET_KEY_FALLBACKS too, write-only in the
admin, decrypted once per snapshot load; a key that cannot be decrypted is said
(one ERROR line, /readyz, check W070), never a 500."""

from __future__ import annotations

import base64
import io
import logging
from datetime import timedelta

import pytest
from django.contrib.admin.models import LogEntry
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from sms_gateway import checks
from sms_gateway.catalog import snapshot
from sms_gateway.core import sealed
from sms_gateway.models import Message, Tenant

from .test_tenants import logto_webhook, make_tenant  # noqa: F401

KEY = "whsk_StagingKeyA7f3Q9zXw2"  # as Logto shows a webhook's signing key
OLD_KEY = "whsk_StagingOldKey0Pm4Lr8"
NEW_KEY = "whsk_StagingNewKey5Tn6Hd1"
DEFAULT_KEY = "whsk_DefaultKeyFromTheEnv9"
FIRST_SECRET = "first-secret-key-" + "f" * 50
SECOND_SECRET = "second-secret-key-" + "s" * 50
A = "/admin/sms_gateway"


def stored(tenant: Tenant) -> str:
    """The column as the database holds it, read with raw SQL."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT logto_webhook_keys FROM {Tenant._meta.db_table} WHERE id = %s", [tenant.pk]
        )
        return cursor.fetchone()[0]


def holds_no_key(column: str, *keys: str) -> bool:
    """Neither the text nor its base64 decoding (Fernet's token) contains a key."""
    try:
        decoded = base64.urlsafe_b64decode(column + "==")
    except ValueError:
        decoded = b""
    return all(k not in column and k.encode() not in decoded for k in keys)


# --- the sealing itself (pure) -------------------------------------------------------


def test_sealed_keys_hold_no_key_and_open_with_the_secret():
    column = sealed.seal([OLD_KEY, KEY], FIRST_SECRET)
    assert holds_no_key(column, OLD_KEY, KEY)
    assert sealed.unseal(column, [FIRST_SECRET]) == (OLD_KEY, KEY)
    assert sealed.seal([KEY], FIRST_SECRET) != sealed.seal([KEY], FIRST_SECRET)  # random IV
    assert sealed.seal([], FIRST_SECRET) == "" and sealed.unseal("", [FIRST_SECRET]) == ()


def test_a_rotated_secret_opens_them_only_with_the_old_one_as_fallback():
    column = sealed.seal([KEY], FIRST_SECRET)
    assert sealed.unseal(column, [SECOND_SECRET, FIRST_SECRET]) == (KEY,)
    with pytest.raises(sealed.Unreadable):
        sealed.unseal(column, [SECOND_SECRET])
    again = sealed.reseal(column, [SECOND_SECRET, FIRST_SECRET])
    assert sealed.unseal(again, [SECOND_SECRET]) == (KEY,)


def test_altered_or_foreign_values_are_unreadable_not_errors():
    column = sealed.seal([KEY], FIRST_SECRET)
    altered = column[:-8] + ("A" if column[-8] != "A" else "B") + column[-7:]
    for value in (altered, "not a token", KEY, "é"):
        with pytest.raises(sealed.Unreadable):
            sealed.unseal(value, [FIRST_SECRET])


def test_keys_are_parsed_and_described_without_showing_them():
    assert sealed.parse(f"  {KEY} \n\n{OLD_KEY}\r\n{KEY}\n") == (KEY, OLD_KEY)
    shown = sealed.describe((KEY, OLD_KEY))
    assert shown == f"2 keys: …{KEY[-4:]}, …{OLD_KEY[-4:]}"
    assert KEY not in shown and OLD_KEY not in shown
    assert sealed.describe(("short-key",)) == "1 key: a short key"
    assert sealed.describe(()) == "None"


# --- the database and the webhook, over HTTP --------------------------------------------


def sent_codes(tenant: Tenant) -> tuple[Message, Message]:
    """A code of the default tenant and one of ``tenant``, both sent a minute ago."""
    a_code = Message.objects.create(to="+33612345678", type="SignIn", status="sent")
    b_code = Message.objects.create(tenant=tenant, to="+33612345678", type="SignIn", status="sent")
    Message.objects.filter(pk__in=[a_code.pk, b_code.pk]).update(
        created_at=timezone.now() - timedelta(minutes=1)
    )
    return a_code, b_code


def converted(message: Message) -> bool:
    message.refresh_from_db()
    return message.converted_at is not None


def change_form(tenant: Tenant, **fields: str) -> dict:
    token = tenant.tokens.get()
    return {
        "name": tenant.name,
        "slug": tenant.slug,
        "operators": "",
        "new_webhook_keys": "",
        "tokens-TOTAL_FORMS": "1",
        "tokens-INITIAL_FORMS": "1",
        "tokens-0-id": token.pk,
        "tokens-0-tenant": tenant.pk,
        "tokens-0-label": token.label,
        **fields,
    }


@pytest.fixture
def superuser(django_user_model):
    return django_user_model.objects.create_superuser("root", "", "a-long-password-1")


@pytest.mark.django_db(transaction=True)
def test_keys_typed_in_the_admin_are_stored_encrypted_and_verify_the_tenants_webhooks(
    settings,
    client,
    superuser,
    logto_webhook,  # noqa: F811
):
    settings.SMS_LOGTO_WEBHOOK_KEYS = [DEFAULT_KEY]
    b = make_tenant()
    client.force_login(superuser)
    answer = client.post(
        f"{A}/tenant/{b.pk}/change/", change_form(b, new_webhook_keys=f"{OLD_KEY}\n{KEY}\n")
    )
    assert answer.status_code == 302, answer.content.decode()[:2000]
    column = stored(b)
    assert column and holds_no_key(column, OLD_KEY, KEY)
    with connection.cursor() as cursor:  # nowhere in the table
        cursor.execute(f"SELECT * FROM {Tenant._meta.db_table}")
        assert all(holds_no_key(str(v), KEY, OLD_KEY) for row in cursor.fetchall() for v in row)
    b.refresh_from_db()
    assert b.webhook_keys == (OLD_KEY, KEY)

    a_code, b_code = sent_codes(b)
    assert logto_webhook(KEY).status_code == 200
    assert converted(b_code) and not converted(a_code)  # the key says whose codes
    assert logto_webhook("whsk_SomeoneElsesKey000000").status_code == 403
    assert logto_webhook(DEFAULT_KEY).status_code == 200
    assert converted(a_code)


@pytest.mark.django_db(transaction=True)
def test_a_secret_key_rotation_with_the_old_key_as_fallback_keeps_the_webhooks(
    settings,
    logto_webhook,  # noqa: F811
):
    settings.SECRET_KEY = FIRST_SECRET
    b = make_tenant()
    b.set_webhook_keys([KEY])
    b.save()
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = SECOND_SECRET, [FIRST_SECRET]
    snapshot.invalidate()  # as a restart with the new settings would
    _, b_code = sent_codes(b)
    assert logto_webhook(KEY).status_code == 200
    assert converted(b_code)

    # Resealed under the new key, the old one can leave the fallbacks.
    call_command("reseal_webhook_keys", stdout=io.StringIO())
    settings.SECRET_KEY_FALLBACKS = []
    snapshot.invalidate()
    assert sealed.unseal(stored(b), [SECOND_SECRET]) == (KEY,)
    _, b_code = sent_codes(b)
    assert logto_webhook(KEY).status_code == 200
    assert converted(b_code)


@pytest.mark.django_db(transaction=True)
def test_without_the_fallback_the_tenant_is_named_and_its_webhooks_refused_not_a_500(
    settings,
    client,
    superuser,
    caplog,
    logto_webhook,  # noqa: F811
):
    settings.SMS_LOGTO_WEBHOOK_KEYS = [DEFAULT_KEY]
    settings.SECRET_KEY = FIRST_SECRET
    b = make_tenant()
    b.set_webhook_keys([KEY])
    b.save()
    assert client.get("/readyz").json()["checks"]["webhook_keys"] == "ok"
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = SECOND_SECRET, []

    with caplog.at_level(logging.ERROR, logger="sms_gateway.webhooks"):
        for _ in range(3):  # three loads, one line
            snapshot.invalidate()
            snapshot.snapshot()
    lines = [r.getMessage() for r in caplog.records if r.name == "sms_gateway.webhooks"]
    assert len(lines) == 1 and "tenant staging" in lines[0] and "SECRET_KEY" in lines[0]
    assert KEY not in caplog.text

    a_code, b_code = sent_codes(b)
    assert logto_webhook(KEY).status_code == 403  # refused, not a 500
    assert not converted(b_code)
    assert logto_webhook(DEFAULT_KEY).status_code == 200  # other tenants unaffected
    assert converted(a_code)
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["status"] == "degraded"
    assert ready.json()["checks"]["webhook_keys"] == "unreadable: staging"
    [warning] = checks.check_webhook_keys_readable()
    assert warning.id == "sms_gateway.W070" and "staging" in warning.msg
    with pytest.raises(CommandError, match="staging"):
        call_command("reseal_webhook_keys", stdout=io.StringIO())

    client.force_login(superuser)  # the session was signed with the old key
    page = client.get(f"{A}/tenant/{b.pk}/change/")
    assert page.status_code == 200
    assert "cannot be decrypted" in page.content.decode()

    # Entering the key again mends it.
    answer = client.post(f"{A}/tenant/{b.pk}/change/", change_form(b, new_webhook_keys=KEY))
    assert answer.status_code == 302
    assert logto_webhook(KEY).status_code == 200
    assert converted(b_code)
    assert client.get("/readyz").json()["checks"]["webhook_keys"] == "ok"
    assert checks.check_webhook_keys_readable() == []


# --- the admin: write-only --------------------------------------------------------------


@pytest.mark.django_db
def test_the_admin_never_shows_a_stored_key(client, superuser):
    b = make_tenant()
    b.set_webhook_keys([OLD_KEY, KEY])
    b.save()
    client.force_login(superuser)
    page = client.get(f"{A}/tenant/{b.pk}/change/").content.decode()
    assert KEY not in page and OLD_KEY not in page
    assert f"2 keys: …{OLD_KEY[-4:]}, …{KEY[-4:]}" in page
    assert 'name="new_webhook_keys"' in page and 'name="remove_webhook_keys"' in page
    assert stored(b) not in page  # not even encrypted
    add = client.get(f"{A}/tenant/add/").content.decode()
    assert 'name="new_webhook_keys"' in add and 'name="remove_webhook_keys"' not in add


@pytest.mark.django_db
def test_blank_keeps_the_keys_new_ones_replace_them_and_remove_clears_them(client, superuser):
    b = make_tenant()
    b.set_webhook_keys([OLD_KEY, KEY])
    b.save()
    before = stored(b)
    client.force_login(superuser)
    url = f"{A}/tenant/{b.pk}/change/"

    assert client.post(url, change_form(b, name="Staging 2")).status_code == 302
    assert stored(b) == before  # blank: kept, not even encrypted again

    both = client.post(url, change_form(b, new_webhook_keys=NEW_KEY, remove_webhook_keys="on"))
    assert both.status_code == 200 and "Either enter new" in both.content.decode()
    assert NEW_KEY not in both.content.decode()
    bad_slug = client.post(url, change_form(b, slug="not a slug", new_webhook_keys=NEW_KEY))
    assert bad_slug.status_code == 200 and NEW_KEY not in bad_slug.content.decode()
    assert stored(b) == before

    assert client.post(url, change_form(b, new_webhook_keys=f"{NEW_KEY}\n")).status_code == 302
    b.refresh_from_db()
    assert b.webhook_keys == (NEW_KEY,) and holds_no_key(stored(b), NEW_KEY)

    assert client.post(url, change_form(b, remove_webhook_keys="on")).status_code == 302
    assert stored(b) == ""

    history = client.get(f"{A}/tenant/{b.pk}/history/").content.decode()
    messages = " ".join(e.change_message + e.object_repr for e in LogEntry.objects.all())
    for key in (KEY, OLD_KEY, NEW_KEY):
        assert key not in history and key not in messages
    assert "New Logto webhook signing keys" in messages  # that they changed, not what to


@pytest.mark.django_db
def test_a_new_tenants_keys_are_stored_encrypted(client, superuser):
    client.force_login(superuser)
    answer = client.post(
        f"{A}/tenant/add/",
        {
            "name": "Preview",
            "slug": "preview",
            "operators": "",
            "new_webhook_keys": KEY,
            "tokens-TOTAL_FORMS": "0",
            "tokens-INITIAL_FORMS": "0",
        },
    )
    assert answer.status_code == 302, answer.content.decode()[:2000]
    tenant = Tenant.objects.get(slug="preview")
    assert tenant.webhook_keys == (KEY,) and holds_no_key(stored(tenant), KEY)


# --- the upgrade -------------------------------------------------------------------------

BEFORE = [("sms_gateway", "0013_dashboard_tenants")]
AFTER = [("sms_gateway", "0014_webhook_keys_encrypted")]


@pytest.mark.django_db(transaction=True)
def test_migration_0014_encrypts_stored_keys_and_reverses():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    try:
        old = executor.loader.project_state(BEFORE).apps
        OldTenant = old.get_model("sms_gateway", "Tenant")
        staging = OldTenant.objects.create(
            slug="staging", name="Staging", logto_webhook_keys=f"{OLD_KEY}\n {KEY} \n"
        )
        bare = OldTenant.objects.create(slug="bare", name="Bare")

        executor = MigrationExecutor(connection)
        executor.migrate(AFTER)
        column = stored(staging)
        assert column and holds_no_key(column, OLD_KEY, KEY)
        assert Tenant.objects.get(pk=staging.pk).webhook_keys == (OLD_KEY, KEY)
        assert stored(bare) == ""

        executor = MigrationExecutor(connection)
        executor.migrate(BEFORE)  # reversible: the keys in clear again, one per line
        assert stored(staging) == f"{OLD_KEY}\n{KEY}" and stored(bare) == ""
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes("sms_gateway"))
