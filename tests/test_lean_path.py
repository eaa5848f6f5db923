"""The send path's CPU savings keep every value and every answer: fields shared by the
serializers, the two statements' parameters bound server-side on PostgreSQL."""

from __future__ import annotations

import datetime as dt
import uuid
import warnings
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from sms_gateway.api.serializers import PayloadSerializer, SendMessageSerializer
from sms_gateway.models import Message
from sms_gateway.sending import statements

from .conftest import logto_body
from .services import require_postgres


def test_serializers_build_their_fields_once():
    first, second = SendMessageSerializer(data={}), SendMessageSerializer(data={})
    assert first.fields is second.fields
    assert PayloadSerializer().fields is PayloadSerializer().fields


def validate(body: dict) -> tuple[bool, object]:
    serializer = SendMessageSerializer(data=body)
    if serializer.is_valid():
        data = serializer.validated_data
        return True, (data["to"].e164, data["type"], data["payload"].get("code"), data.get("ip"))
    return False, serializer.errors


def test_shared_fields_keep_each_requests_data_and_errors_apart():
    """Many threads validating at once, each body its own answer, as one at a time."""
    bodies = []
    for n in range(400):
        if n % 3 == 0:
            bodies.append(logto_body(to=f"3361234{n:04d}", payload={"code": f"{n:06d}"}))
        elif n % 3 == 1:
            bodies.append(logto_body(to=str(n)))  # not a number
        else:
            bodies.append(
                logto_body(type="SignIn", payload={"locale": "en"}, ip=f"10.0.0.{n % 250}")
            )
    alone = [validate(body) for body in bodies]
    with ThreadPoolExecutor(max_workers=16) as pool:
        together = list(pool.map(validate, bodies))
    assert together == alone
    assert alone[0] == (True, ("+33612340000", "SignIn", "000000", "203.0.113.7"))
    assert alone[1] == (
        False,
        {"to": ["Not a valid phone number: it does not start with a known country calling code."]},
    )
    assert alone[2] == (False, {"payload": {"code": ["This field is required."]}})


ROW = {
    "to": "+33612345678",
    "country": "FR",
    "type": "SignIn",
    "requested_locale": "fr-FR",
    "ui_locales": "fr-FR fr",
    "ip": "2001:db8::7",
    "template_type": "SignIn",
    "locale": "fr",
    "body": "Votre code : ****** — l'équipe",
    "encoding": "UCS-2",
    "segments": 2,
    "route": "+33",
    "flags": "a,b",
    "status": "accepted",
}


@pytest.mark.django_db
def test_the_two_statements_store_what_the_orm_stores():
    message_id = uuid.uuid4()
    statements.insert(id=message_id, **ROW)
    attempts = [{"provider": "twilio", "status": "sent", "ms": 12, "error": "", "x": [1, None]}]
    changed = statements.update_outcome(
        message_id,
        status="sent",
        provider="twilio",
        provider_message_id="SM" + "0" * 32,
        error="",
        attempts=attempts,
    )
    assert changed == 1
    assert (
        statements.update_outcome(
            uuid.uuid4(),
            **dict.fromkeys(("status", "provider"), ""),
            provider_message_id="",
            error="",
            attempts=[],
        )
        == 0
    )
    stored = Message.objects.get(pk=message_id)
    for name, value in ROW.items():
        if name != "status":
            assert getattr(stored, name) == value, name
    assert stored.status == "sent" and stored.attempts == attempts
    assert stored.created_at <= stored.updated_at <= timezone.now()
    assert timezone.now() - stored.created_at < dt.timedelta(minutes=1)
    assert stored.delivery_status == Message._meta.get_field("delivery_status").get_default()


@pytest.mark.django_db(transaction=True)
def test_with_the_pool_each_statement_takes_a_connection_and_gives_it_back():
    """Outside a transaction, as in production: straight from psycopg_pool, one
    checkout per statement, no connection left with the thread, same values stored."""
    require_postgres()
    pool = connection.pool
    assert pool is not None, "DATABASE_POOL is on by default"
    connection.close()  # the thread holds none, as a request thread after release
    pool.open()
    requests_before = pool.get_stats().get("requests_num", 0)
    message_id = uuid.uuid4()
    statements.insert(id=message_id, **ROW)
    assert connection.connection is None  # Django's path would have kept one open
    attempts = [{"provider": "twilio", "status": "sent", "ms": 12}]
    changed = statements.update_outcome(
        message_id, status="sent", provider="twilio", provider_message_id="SM1", error="",
        attempts=attempts,
    )  # fmt: skip
    assert changed == 1 and connection.connection is None
    assert pool.get_stats()["requests_num"] - requests_before == 2
    # Errors come as Django's, as from its cursor (retrying() catches those).
    with pytest.raises(IntegrityError):
        statements.insert(id=message_id, **ROW)
    assert connection.connection is None
    stored = Message.objects.get(pk=message_id)
    for name, value in ROW.items():
        if name != "status":
            assert getattr(stored, name) == value, name
    assert stored.status == "sent" and stored.attempts == attempts
    assert stored.provider_message_id == "SM1"


@pytest.mark.django_db
def test_on_postgresql_the_parameters_are_bound_server_side():
    require_postgres()
    message_id = uuid.uuid4()
    with CaptureQueriesContext(connection) as ctx:
        statements.insert(id=message_id, **ROW)
        statements.update_outcome(
            message_id, status="sent", provider="p", provider_message_id="", error="", attempts=[]
        )
    insert, update = (q["sql"] for q in ctx.captured_queries)
    # Client-side binding (Django's default cursor) would have quoted the values in.
    assert "$1" in insert and ROW["to"] not in insert and ROW["body"] not in insert
    assert "$1" in update and str(message_id) not in update


# Values of every type the send path writes, and some it never does.
SAMPLES = (
    "", "x", "+33612345678", "l'équipe — ok", 0, 1, 7, 65535, True, False, None,
    [], [{"a": 1}], {}, {"k": [1, None]}, uuid.UUID(int=7), "2001:db8::7", "203.0.113.7",
    dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC), dt.datetime(2026, 12, 1, 12, 0),
    dt.datetime.now(dt.timezone(dt.timedelta(hours=5, minutes=30))), Message.Status.ACCEPTED, 1.5,
)  # fmt: skip


@pytest.mark.django_db
def test_values_bound_as_they_are_are_those_the_fields_would_prepare_unchanged():
    """``statements.prepared`` skips a field's preparation only where it changes nothing:
    the same parameter as ``get_db_prep_save`` for every field of Message and every
    sample its preparation takes, of the same type (on SQLite and on PostgreSQL)."""
    compared = 0
    for field in Message._meta.concrete_fields:
        for value in SAMPLES:
            with warnings.catch_warnings():  # a naive datetime is made aware, with a warning
                warnings.simplefilter("ignore", RuntimeWarning)
                try:
                    expected = field.get_db_prep_save(value, connection)
                except Exception:  # noqa: BLE001  # not a value this field takes
                    continue
                got = statements.prepared(field, value, connection)
            assert type(got) is type(expected), (field.name, value, got, expected)
            assert got == expected or repr(got) == repr(expected), (field.name, value)
            compared += 1
    assert compared > 200


@pytest.mark.django_db
def test_defaults_written_as_literals_are_only_empty_strings_and_nulls():
    sql, bound = statements._insert(connection.vendor, frozenset({"id", *ROW, "tenant_id"}))
    literals = [f for f in Message._meta.concrete_fields if f not in bound]
    assert literals, sql
    for field in literals:
        assert field.get_default() in ("", None), field.name
        assert not (field.has_default() and callable(field.default)), field.name
    # Every field given is bound; no JSON, enum or number default is written in.
    names = {f.attname for f in bound}
    assert {"id", "tenant_id", *ROW} <= names
    assert {"attempts", "route_reason", "segments", "is_test", "created_at"} <= names
    assert sql.count("%s") == len(bound)


@pytest.mark.django_db
def test_a_row_inserted_with_literal_defaults_reads_back_as_the_orms_defaults():
    message_id = uuid.uuid4()
    statements.insert(id=message_id, **ROW)
    stored = Message.objects.get(pk=message_id)
    orm = Message.objects.create(**ROW)
    for field in Message._meta.concrete_fields:
        if field.attname in {"id", "created_at", "updated_at", *ROW}:
            continue
        assert getattr(stored, field.attname) == getattr(orm, field.attname), field.name


def _prepared_on_every_pooled_connection(pool) -> list[set[str]]:
    """The statements each of the pool's open connections holds prepared (all checked
    out at once, so that each is asked)."""
    held = [pool.getconn() for _ in range(pool.get_stats()["pool_size"])]
    try:
        return [
            {row[0] for row in raw.execute("SELECT statement FROM pg_prepared_statements")}
            for raw in held
        ]
    finally:
        for raw in held:
            pool.putconn(raw)


@pytest.mark.django_db(transaction=True)
def test_with_the_pool_the_two_statements_are_prepared_once_per_connection(caplog):
    """DATABASE_PREPARE (on by default): PostgreSQL parses and plans the INSERT and the
    UPDATE once per pooled connection, not once per SMS; other queries stay unprepared."""
    require_postgres()
    connection.close()
    connection.close_pool()  # new connections: none holds what an earlier test prepared
    pool = connection.pool
    pool.open()
    for _ in range(3):
        message_id = uuid.uuid4()
        statements.insert(id=message_id, **ROW)
        statements.update_outcome(
            message_id, status="sent", provider="p", provider_message_id="", error="", attempts=[]
        )
    prepared = set().union(*_prepared_on_every_pooled_connection(pool))
    table = Message._meta.db_table
    assert any(sql.startswith(f'INSERT INTO "{table}"') for sql in prepared), prepared
    assert any(sql.startswith(f'UPDATE "{table}"') for sql in prepared), prepared
    assert len(prepared) == 2, prepared  # nothing else is
    assert Message.objects.filter(status="sent").count() == 3
    assert "prepared statement" not in caplog.text


@pytest.mark.django_db(transaction=True)
def test_with_prepare_off_nothing_is_prepared(settings):
    require_postgres()
    settings.SMS_DATABASE_PREPARE = False
    connection.close()
    connection.close_pool()  # new connections: none holds a statement an earlier test prepared
    pool = connection.pool
    pool.open()
    statements.insert(id=uuid.uuid4(), **ROW)
    assert set().union(*_prepared_on_every_pooled_connection(pool)) == set()


def _prepare_both(raw) -> None:
    """Record one message on psycopg connection ``raw`` with both statements prepared."""
    from django.db.backends.postgresql.base import ServerBindingCursor

    cursor, message_id = ServerBindingCursor(raw), uuid.uuid4()
    cursor.execute(*statements.insert_statement(connection, id=message_id, **ROW), prepare=True)
    cursor.execute(
        *statements.update_statement(
            connection, message_id, status="sent", provider="p", provider_message_id="",
            error="", attempts=[],
        ),
        prepare=True,
    )  # fmt: skip


@pytest.fixture
def preparing_again():
    yield
    statements.preparing.stopped = False


@pytest.mark.django_db(transaction=True)
def test_a_pooler_that_loses_prepared_statements_gets_them_unprepared(caplog, preparing_again):
    """What a transaction-pooling PgBouncer before 1.21 does: the next transaction runs on
    a server connection that does not hold the statement psycopg prepared. Here the
    server's prepared statements are dropped behind psycopg's back (libpq directly)."""
    require_postgres()
    connection.close()
    connection.close_pool()
    pool = connection.pool
    pool.open()
    # Every pooled connection prepares both statements (whichever one the pool hands
    # out next), then loses them on the server: psycopg still believes them prepared.
    held = [pool.getconn() for _ in range(pool.get_stats()["pool_size"])]
    for raw in held:
        _prepare_both(raw)
        raw.pgconn.exec_(b"DEALLOCATE ALL")
    for raw in held:
        pool.putconn(raw)
    caplog.set_level("ERROR", logger="sms_gateway.sms")

    sent = [uuid.uuid4() for _ in range(3)]
    for message_id in sent:
        statements.insert(id=message_id, **ROW)
        assert statements.update_outcome(
            message_id, status="sent", provider="p", provider_message_id="", error="", attempts=[]
        ) == 1  # fmt: skip

    assert Message.objects.filter(id__in=sent, status="sent").count() == 3
    errors = [r for r in caplog.records if "prepared statement" in r.getMessage()]
    assert len(errors) == 1, caplog.text  # once, however many statements follow
    assert "DATABASE_PREPARE=0" in errors[0].getMessage()
    assert not statements.preparing  # this process prepares no more
    connection.close()
    connection.close_pool()  # its connections believe in statements the server lost


@pytest.mark.django_db(transaction=True)
def test_the_query_log_keeps_the_text_of_statements_prepared_on_its_connection():
    """Django's path (DEBUG's or a test's query log) on a pooled connection where the
    pool's path prepared both statements: run unprepared, so the log has their text
    (psycopg keeps no text of a statement it runs as prepared)."""
    require_postgres()
    connection.close()
    connection.close_pool()  # none of an earlier test's connections
    connection.ensure_connection()  # Django holds one of the pool's connections
    _prepare_both(connection.connection)
    message_id = uuid.uuid4()
    with CaptureQueriesContext(connection) as ctx:
        statements.insert(id=message_id, **ROW)
        statements.update_outcome(
            message_id, status="sent", provider="p", provider_message_id="", error="", attempts=[]
        )
    assert [(q["sql"] or "").split()[:1] for q in ctx.captured_queries] == [["INSERT"], ["UPDATE"]]
    connection.close()
