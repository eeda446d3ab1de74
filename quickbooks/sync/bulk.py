"""Bulk INSERT of plain value dicts: what `bulk_create` writes, without building a model instance per row.

A first pull writes a few hundred thousand rows; `bulk_create` spends most of its time on Model.__init__ and on
compiling each value through several layers, not in the database. Here each field's conversion is picked once:
where the driver takes a value as it is (a COPY, SQLite) it goes straight to it, else through Django's own
`get_db_prep_save` (with a shortcut for the common exact types); the rows go out in one `executemany`, or on
PostgreSQL one COPY. `tests/sync/test_bulk.py` holds what is stored equal to what `bulk_create` stores. No pks
come back: for rows nothing reads again (lines, ledger rows, name-list entries).
"""

import json
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import connections, models, router
from django.db.backends.base.base import BaseDatabaseWrapper

Preparer = Callable[[Any], Any]  # a Python value -> its database value

CHUNK = 2000  # rows per executemany: bounded memory for the prepared parameters


def _passes_as_is(field: models.Field) -> type | None:
    """The Python type whose values the database adapter takes as they are for `field` (Django's preparing returns
    them unchanged), or None: text for text, a plain int for integers and integer foreign keys, a bool for booleans."""
    if isinstance(field, models.ForeignKey):
        field = field.target_field
    if isinstance(field, models.CharField | models.TextField):
        return str
    if isinstance(field, models.BooleanField):
        return bool
    if isinstance(field, models.IntegerField):  # the auto fields too
        return int
    return None


def _preparer(field: models.Field, connection: BaseDatabaseWrapper) -> Preparer:
    """value -> database value, as `bulk_create` would prepare it; the common exact types take the short way."""
    prepare = field.get_db_prep_save
    if (native := _passes_as_is(field)) is str:  # choices' members are str too, and pass as they are
        return lambda value: value if isinstance(value, str) or value is None else prepare(value, connection)
    if native is not None:
        return lambda value: value if type(value) is native or value is None else prepare(value, connection)
    if isinstance(field, models.DecimalField):
        adapt, digits, places = connection.ops.adapt_decimalfield_value, field.max_digits, field.decimal_places
        return lambda value: adapt(value, digits, places) if type(value) is Decimal else prepare(value, connection)
    if type(field) is models.DateField:  # not DateTimeField, a subclass with time zone handling
        adapt_date = connection.ops.adapt_datefield_value
        return lambda value: adapt_date(value) if type(value) is date else prepare(value, connection)
    return lambda value: prepare(value, connection)


def _raw_preparer(field: models.Field, connection: BaseDatabaseWrapper) -> Preparer | None:
    """`_preparer` where the driver is given the common values as they are (None: the value goes unchanged), for a
    PostgreSQL COPY and for SQLite; a first pull writes a few million such values.

    Text, integers, booleans, Decimals and dates: Django's preparing is the identity for these on both (a date
    becomes its ISO text), and what it leaves to the driver is done the same way here. psycopg writes them in COPY's
    text format, which the server parses by the column's type; sqlite3 binds text, integers and booleans itself and
    turns Decimals and dates into text through the adapters Django's SQLite backend registers (Decimal -> str,
    date -> ISO text), as for any query. A JSON value goes as its text (Django's own `adapt_json_value` on SQLite,
    json.dumps with the field's encoder), which the server parses into the jsonb column.

    An aware date-time (what the sync parses QuickBooks' times into) takes the two steps Django's preparing takes for
    one: on PostgreSQL none (it goes as it is), on SQLite its text in the connection's time zone, naive
    (`adapt_datetimefield_value`: make_naive, then str). Any other value goes through Django's preparing."""
    if isinstance(field, models.JSONField):
        encode = (field.encoder or json.JSONEncoder)().encode  # json.dumps(value, cls=...) without an encoder a call
        return lambda value: None if value is None else encode(value)
    if _passes_as_is(field) is not None or isinstance(field, models.DecimalField) or type(field) is models.DateField:
        return None
    if isinstance(field, models.DateTimeField) and settings.USE_TZ:
        return _aware_datetime(field, connection)
    return _preparer(field, connection)


def _aware_datetime(field: models.Field, connection: BaseDatabaseWrapper) -> Preparer:
    prepare, zone, sqlite = field.get_db_prep_save, connection.timezone, connection.vendor == "sqlite"

    def aware(value: Any) -> Any:
        if type(value) is not datetime or value.utcoffset() is None:
            return prepare(value, connection)
        return str(value.astimezone(zone).replace(tzinfo=None)) if sqlite else value

    return aware


def _fields(model: type[models.Model], *, with_pk: bool = False) -> list[models.Field]:
    fields = [f for f in model._meta.concrete_fields if with_pk or not f.primary_key]
    # auto_now values are set in pre_save on an instance, which this path never builds.
    if any(getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False) for f in fields):
        raise ValueError(f"{model.__name__} has auto_now fields: use bulk_create")
    return fields


def _statement(
    model: type[models.Model],
    fields: list[models.Field],
    connection: BaseDatabaseWrapper,
    update_fields: list[str] | None,
    unique_fields: list[str] | None,
) -> str:
    quote = connection.ops.quote_name
    # Concrete fields are those with a column (Django: `concrete = column is not None`); the stubs allow None.
    columns = ", ".join(quote(f.column) for f in fields)  # type: ignore[arg-type]
    sql = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({', '.join(['%s'] * len(fields))})"  # noqa: S608
    if update_fields:
        if unique_fields is None:
            raise TypeError("update_fields needs unique_fields, the ON CONFLICT target")
        by_name = {f.name: f for f in fields} | {f.attname: f for f in fields}  # either names a field
        suffix = connection.ops.on_conflict_suffix_sql(
            fields,
            models.constants.OnConflict.UPDATE,
            [by_name[n].column for n in update_fields],
            [by_name[n].column for n in unique_fields],
        )
        sql = f"{sql} {suffix}"
    return sql


def insert_rows(
    model: type[models.Model],
    rows: list[dict],
    *,
    update_fields: list[str] | None = None,
    unique_fields: list[str] | None = None,
) -> int:
    """Insert `rows` (field name or attname -> value; missing fields take their default) into `model`'s table.

    With `update_fields` and `unique_fields`, a row clashing on the unique fields updates those fields instead
    (INSERT .. ON CONFLICT .. DO UPDATE, as `bulk_create(update_conflicts=True)`); `unique_fields=["id"]` updates
    existing rows by primary key, given in each row. Call inside a transaction.
    """
    if not rows:
        return 0
    connection = connections[router.db_for_write(model)]
    fields = _fields(model, with_pk=unique_fields == [model._meta.pk.name])
    copy = connection.vendor == "postgresql" and not update_fields
    raw = copy or connection.vendor == "sqlite"
    values = Values.of_fields(fields, [(_raw_preparer if raw else _preparer)(f, connection) for f in fields])
    if copy:
        _copy(model, fields, connection, map(values.of, rows))
        return len(rows)
    sql = _statement(model, fields, connection, update_fields, unique_fields)
    with connection.wrap_database_errors, connection.cursor() as cursor, _bound(cursor) as writer:
        for start in range(0, len(rows), CHUNK):
            writer.executemany(sql, [values.of(row) for row in rows[start : start + CHUNK]])
    return len(rows)


def _bound(cursor: Any) -> AbstractContextManager:
    """On PostgreSQL a psycopg cursor that sends the values apart from the statement (server-side binding), closed on
    exit: Django's own quotes each value into the SQL text in Python, about a third of an executemany's time, where
    psycopg's binary dumpers are C. Like COPY, it goes round Django's query log and execute wrappers.
    https://www.psycopg.org/psycopg3/docs/basic/from_pg2.html#server-side-binding"""
    if cursor.db.vendor != "postgresql":
        return nullcontext(cursor)
    import psycopg

    return psycopg.Cursor(cursor.cursor.connection)


def hold_until_commit(name: str) -> None:
    """Wait for, then hold until this transaction ends, the lock called `name`: writers that replace the same rows
    by DELETE then INSERT take turns, where under READ COMMITTED the second's DELETE would miss the first's new rows
    and both sets would stay. PostgreSQL: a transaction-level advisory lock
    (https://www.postgresql.org/docs/current/explicit-locking.html#ADVISORY-LOCKS). SQLite lets one transaction
    write at a time already. Call inside a transaction."""
    connection = connections["default"]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [name])


def _copy(
    model: type[models.Model], fields: list[models.Field], connection: BaseDatabaseWrapper, values: Iterable[list]
) -> None:
    """PostgreSQL: the rows through COPY FROM STDIN, streamed, where an INSERT per row costs the server a statement
    each (psycopg's write_row adapts the values as for a query). https://www.postgresql.org/docs/current/sql-copy.html"""
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)  # type: ignore[arg-type]
    with (
        connection.wrap_database_errors,  # psycopg's own cursor: its errors become Django's (IntegrityError, ...)
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN") as copy,
    ):
        for row in values:
            copy.write_row(row)


@dataclass
class Values:
    """A row dict -> its column values in the table's order, prepared for the database."""

    keys: list[tuple[str, Any]]  # (attname, what a row without it takes: a constant default, or a _Missing)
    known: set[str]  # the names a row may use
    prepared: list[tuple[int, Preparer]]  # the columns whose values need preparing, by position

    @classmethod
    def of_fields(cls, fields: list[models.Field], preparers: list[Preparer | None] | None = None) -> "Values":
        """`fields`' values; with `preparers` (one per field, None for a value that goes as it is) prepared."""
        return cls(
            keys=[(f.attname, _fallback(f)) for f in fields],
            known={f.attname for f in fields} | {f.name for f in fields},
            prepared=[(i, prepare) for i, prepare in enumerate(preparers or []) if prepare is not None],
        )

    def of(self, row: dict) -> list:
        if not self.known.issuperset(row):
            raise TypeError(f"Unknown fields: {sorted(set(row) - self.known)}")
        # The common case inline: this runs once per value of every row.
        values = [
            row[attname] if attname in row else (fallback(row) if type(fallback) is _Missing else fallback)
            for attname, fallback in self.keys
        ]
        for position, prepare in self.prepared:
            values[position] = prepare(values[position])
        return values


@dataclass(frozen=True)
class _Missing:
    """A column a row may name by its field name (a related object, whose pk is stored), or that takes a default
    made anew for each row (a callable one)."""

    name: str
    default: Callable[[], Any]

    def __call__(self, row: dict) -> Any:
        if self.name in row:
            value = row[self.name]
            return value.pk if isinstance(value, models.Model) else value
        return self.default()


_CONSTANT = (str, int, Decimal, date, type(None))  # defaults safe to share between rows (bool is an int)


def _fallback(field: models.Field) -> Any:
    """What a row without `field`'s attname takes: its default, worked out once where it is a constant (most of a
    ledger line's columns are empty for most lines), else a _Missing."""
    if field.attname == field.name and (not field.has_default() or not callable(field.default)):
        default = field.get_default()
        if isinstance(default, _CONSTANT):
            return default
    return _Missing(field.name, field.get_default)
