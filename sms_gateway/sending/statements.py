"""The send path's two SQL statements, built once from the model and run as they are.

Every SMS writes the same INSERT (record) and the same UPDATE (finalize). The
ORM's ``save()`` and ``update()`` rebuild them per call: about 0.5 ms of CPU
each, measured, a sixth of what the gateway spends on an SMS. Here the SQL is
built once per database vendor (and, for the INSERT, set of fields given) from
``Message._meta``; per SMS only the parameters are computed, by each field's own
``get_db_prep_save`` unless it would return the value unchanged (``prepared``), so
the database stores the values exactly as the ORM would. Defaults of '' and NULL
for fields not given are written into the INSERT as literals.

On PostgreSQL the parameters are bound server-side: Django's psycopg cursors
quote each one into the SQL text (client-side binding, its default for every
query), about 0.1 ms of CPU per SMS for these two statements' 26 parameters.

With the pool (``DATABASE_POOL``), a thread that holds no connection runs each
statement on a connection it takes from psycopg_pool and gives back at once, under
Django's error wrapping: Django's connect and close around one statement (its
connection parameters rebuilt, its state initialised, its signal sent) cost more CPU
than the statement itself. Anywhere else (no pool, a transaction, a connection
already held, queries logged or wrapped, as in tests) Django's cursor runs it.

On the pool's path the two statements are also prepared (``DATABASE_PREPARE``, on by
default; Django prepares none): PostgreSQL parses and plans each once per connection
instead of once per SMS, about 0.5 ms of its CPU per SMS (both statements, measured
at one connection). A pooler between us and PostgreSQL that does not keep prepared
statements (PgBouncer in transaction mode before 1.21, or 1.21-1.23 without
``max_prepared_statements``) makes PostgreSQL answer that a prepared statement does
not exist, already exists or takes other parameters: the statement is then run
unprepared, and this process prepares no more, with one ERROR line saying so.
"""

from __future__ import annotations

import datetime
import functools
import logging
import uuid
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.utils import CursorWrapper
from django.utils import timezone

from ..models import Message

logger = logging.getLogger("sms_gateway.sms")

# Written by finalize; everything else is written once, by record.
OUTCOME_FIELDS = ("status", "provider", "provider_message_id", "error", "attempts", "updated_at")

# Field classes whose preparation (get_db_prep_save) returns a value of exactly this
# type unchanged, on SQLite and PostgreSQL (tests/test_lean_path.py compares both on
# every field of Message): such a value is bound as it is.
AS_IS = {
    models.CharField: str,
    models.TextField: str,
    models.BooleanField: bool,
}  # not integers: on PostgreSQL, Django wraps them in psycopg's Int2, Int4...
# And on one backend only (SQLite, for one, turns both into text).
AS_IS_ON = {
    "postgresql": {
        **AS_IS,
        models.DateTimeField: datetime.datetime,  # aware, with USE_TZ
        models.UUIDField: uuid.UUID,
    },
}
# A default written as an SQL literal when the caller gives no value: one parameter less
# to prepare, send and bind. Only these two, whose literal is the same on every backend.
LITERALS = {"": "''", None: "NULL"}


@functools.cache
def _fields() -> tuple[Any, ...]:
    return tuple(Message._meta.concrete_fields)


@functools.cache
def _outcome_fields() -> tuple[Any, ...]:
    return tuple(Message._meta.get_field(name) for name in OUTCOME_FIELDS)


def prepared(field: Any, value: Any, connection: BaseDatabaseWrapper) -> Any:
    """``field.get_db_prep_save(value, connection)``, without the calls when they would
    return ``value`` itself: a str in a CharField, None in a nullable non-JSON field..."""
    kind = AS_IS_ON.get(connection.vendor, AS_IS).get(type(field))
    if type(value) is kind:
        if kind is not datetime.datetime or value.tzinfo is not None:  # naive: made aware
            return value
    elif value is None and field.null and not isinstance(field, models.JSONField):
        return value
    return field.get_db_prep_save(value, connection)


def literal(field: Any) -> str | None:
    """The SQL literal of ``field``'s default when it is one of ``LITERALS``, else None."""
    if field.has_default() and callable(field.default):
        return None
    default = field.get_default()
    if type(default) is not str and default is not None:
        return None
    if default is None and not field.null:
        return None
    return LITERALS[default]


@functools.cache
def _insert(vendor: str, given: frozenset[str]) -> tuple[str, tuple[Any, ...]]:
    """The INSERT when the fields ``given`` (attnames) have values, and the fields it binds:
    the others' defaults are written in as literals when they are '' or NULL."""
    quote = connections[DEFAULT_DB_ALIAS].ops.quote_name
    columns, marks, bound = [], [], []
    for field in _fields():
        fixed = None if field.attname in given else literal(field)
        columns.append(quote(field.column))
        marks.append(fixed or "%s")
        if fixed is None:
            bound.append(field)
    # Only identifiers from the model, quoted, and the two literals: no value is formatted in.
    sql = (
        f"INSERT INTO {quote(Message._meta.db_table)} ({', '.join(columns)}) "  # noqa: S608
        f"VALUES ({', '.join(marks)})"
    )
    return sql, tuple(bound)


@functools.cache
def _update_sql(vendor: str) -> str:
    quote = connections[DEFAULT_DB_ALIAS].ops.quote_name
    sets = ", ".join(f"{quote(Message._meta.get_field(n).column)} = %s" for n in OUTCOME_FIELDS)
    pk = quote(Message._meta.pk.column)
    return f"UPDATE {quote(Message._meta.db_table)} SET {sets} WHERE {pk} = %s"  # noqa: S608


@functools.cache
def _unprepared_cursor_class() -> type:
    from django.db.backends.postgresql.base import ServerBindingCursor

    class UnpreparedCursor(ServerBindingCursor):
        """Never runs a statement as prepared, even one the pool's path prepared on
        this connection: Django's query log (DEBUG, tests) keeps its text."""

        def execute(self, query: Any, params: Any = None, **options: Any) -> Any:
            options.setdefault("prepare", False)
            return super().execute(query, params, **options)

    return UnpreparedCursor


def _cursor(connection: BaseDatabaseWrapper) -> CursorWrapper:
    """Django's cursor (its error wrapping, its query log); on PostgreSQL one that
    binds the parameters server-side, on the same connection and type adapters."""
    if connection.vendor != "postgresql":
        return connection.cursor()
    connection.ensure_connection()
    raw = _unprepared_cursor_class()(connection.connection)
    if connection.queries_logged:
        return connection.make_debug_cursor(raw)
    return connection.make_cursor(raw)


class _Preparing:
    """Whether this process still prepares the two statements (``DATABASE_PREPARE``)."""

    stopped = False  # the server did not keep a prepared statement: never again here

    def __bool__(self) -> bool:
        return settings.SMS_DATABASE_PREPARE and not self.stopped

    def stop(self, err: Exception) -> None:
        if not self.stopped:
            self.stopped = True
            logger.error(
                "the database did not keep a prepared statement (%s: %s); the send path's "
                "statements run unprepared in this process from now on. Behind a "
                "transaction-pooling PgBouncer before 1.21 (or without "
                "max_prepared_statements), set DATABASE_PREPARE=0.",
                type(err).__name__,
                str(err).splitlines()[0][:200] if str(err) else "",
            )


preparing = _Preparing()


def _not_kept(err: Exception) -> bool:
    """PostgreSQL's answer when a pooler gave us a server connection that does not hold
    the statement psycopg prepared on another (or holds another one by that name)."""
    import psycopg.errors

    if isinstance(err, (psycopg.errors.InvalidSqlStatementName,
                        psycopg.errors.DuplicatePreparedStatement)):  # fmt: skip
        return True
    return isinstance(err, psycopg.errors.ProtocolViolation) and "prepared statement" in str(err)


def _run(connection: BaseDatabaseWrapper, sql: str, params: list[Any]) -> int:
    """Run one statement; the number of rows it changed."""
    pool = getattr(connection, "pool", None)
    if (
        pool is not None
        and not pool.closed  # else Django's connect opens it
        and connection.connection is None
        and not connection.in_atomic_block
        and not connection.queries_logged
        and not connection.execute_wrappers
    ):
        import psycopg
        from django.db.backends.postgresql.base import ServerBindingCursor

        with connection.wrap_database_errors, pool.connection() as raw:
            cursor = ServerBindingCursor(raw)
            prepare = bool(preparing)
            try:
                cursor.execute(sql, params, prepare=prepare)
            except psycopg.Error as err:
                if not (prepare and _not_kept(err)):
                    raise
                preparing.stop(err)
                raw.rollback()  # the failed statement's transaction
                cursor.execute(sql, params, prepare=False)
            return cursor.rowcount
    with _cursor(connection) as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def insert_statement(connection: BaseDatabaseWrapper, **values: Any) -> tuple[str, list[Any]]:
    """The INSERT of one message and its parameters; fields not given take their
    defaults, timestamps now."""
    now = timezone.now()
    values.setdefault("created_at", now)
    values.setdefault("updated_at", now)
    sql, bound = _insert(connection.vendor, frozenset(values))
    params = [
        prepared(field, values[field.attname], connection)
        if field.attname in values
        else prepared(field, field.get_default(), connection)
        for field in bound
    ]
    return sql, params


def update_statement(
    connection: BaseDatabaseWrapper, message_id: Any, **values: Any
) -> tuple[str, list[Any]]:
    """The UPDATE of one message's outcome and its parameters."""
    values.setdefault("updated_at", timezone.now())
    params = [
        prepared(field, values[name], connection)
        for field, name in zip(_outcome_fields(), OUTCOME_FIELDS, strict=True)
    ]
    params.append(Message._meta.pk.get_db_prep_value(message_id, connection))
    return _update_sql(connection.vendor), params


def insert(**values: Any) -> None:
    """INSERT one message; fields not given take their defaults, timestamps now."""
    connection = connections[DEFAULT_DB_ALIAS]  # once, not through the proxy per field
    _run(connection, *insert_statement(connection, **values))


def update_outcome(message_id: Any, **values: Any) -> int:
    """UPDATE the outcome of one message; returns the rows changed (0 or 1)."""
    connection = connections[DEFAULT_DB_ALIAS]
    return _run(connection, *update_statement(connection, message_id, **values))
