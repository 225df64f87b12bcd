"""Single-row reads (and short lists), inserts and updates for hot paths: the token endpoint (decision
0034), the verification API (decision 0038), the audit append every service makes (decision 0039) and
the reads and writes of a request's submission and decision (decision 0052).

The ORM compiles its SQL again at every call (about 0.5 ms a query on the machines we measure on, more
than all the rest of a client-credentials request) and its cursor wrapper adds a fifth to a short
query. Here the SQL is built once per model, statement and database from the model's own fields (so
a field a migration adds is read and written with no change here) and runs on the connection's own
DB-API cursor, inside Django's connection handling: the same connection and transaction, the health
check and broken-transaction check the ORM makes, Django's exception classes. Parameters are prepared
by each field as the ORM prepares them and results pass through the converters the ORM applies, so
instances are the ORM's instances. Not here: signals (no model written here has receivers; the audit
log is written by services, never by signals), ``pre_save`` (no ``auto_now`` fields on these models)
and query logging (``CaptureQueriesContext`` counts none).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Field, Model
from django.db.models.constants import OnConflict

__all__ = ["Insert", "SelectAll", "SelectOne", "Statement", "Update"]

type Converter = Callable[[Any, Any, BaseDatabaseWrapper], Any]
_NAME = re.compile(r"\{(\w+)\}")
_REUSED_KEPT = 256


def _field(model: type[Model], name: str) -> Field[Any, Any]:
    found = model._meta.get_field(name)
    if not isinstance(found, Field):  # a reverse relation has no column
        raise TypeError(f"{model.__name__}.{name} is not a column")
    return found


def _column(field: Field[Any, Any]) -> str:
    if field.column is None:  # only a field without a column (never a concrete one)
        raise TypeError(field)
    return field.column


def _run(connection: BaseDatabaseWrapper, sql: str, params: Sequence[Any]) -> Any:
    """``sql`` on the connection's DB-API cursor, as ``CursorWrapper.execute`` runs it minus the
    placeholder rewriting (done once, at compile time) and query logging."""
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    connection.validate_no_broken_transaction()
    with connection.wrap_database_errors:
        cursor = connection.connection.cursor()
        cursor.execute(sql, params)
        return cursor


def _placeholders(connection: BaseDatabaseWrapper, sql: str) -> str:
    return sql.replace("%s", "?") if connection.vendor == "sqlite" else sql  # sqlite3 is qmark style


class SelectOne[M: Model]:
    """``SELECT <columns> FROM <table> WHERE <where> [ORDER BY <order>] LIMIT 1`` as an instance of
    ``model``: every concrete column, or the ``only`` ones (the others deferred, as ``.only()``).

    ``where`` and ``order`` name fields in braces and take ``%s`` parameters, e.g.
    ``"{client_id} = %s AND {active} = %s"``; ``params`` names, in order, the field that prepares each
    parameter. With ``reuse``, a row identical to one read before gives the instance made then (the
    callers only read it): it saves converting JSON columns and building the instance again. With
    ``for_update``, ``FOR UPDATE`` on databases that have it (SQLite serializes writers itself)."""

    _limit = " LIMIT 1"  # :class:`SelectAll` has none

    def __init__(
        self,
        model: type[M],
        where: str,
        params: Sequence[str] = (),
        *,
        order: str = "",
        only: Sequence[str] = (),
        reuse: bool = False,
        for_update: bool = False,
    ) -> None:
        if reuse and for_update:
            raise TypeError("a row read to be changed is never a shared instance")
        self.model, self.where, self.order, self.reuse = model, where, order, reuse
        self.for_update = for_update
        concrete = list(model._meta.concrete_fields)
        self.fields = [f for f in concrete if not only or f.name in only or f.primary_key]
        self.attnames = [f.attname for f in self.fields]
        self.params = [_field(model, name) for name in params]
        self._compiled: dict[str, tuple[str, list[tuple[int, Any, list[Converter]]]]] = {}
        self._made: dict[tuple[Any, ...], M] = {}

    def _compile(self, connection: BaseDatabaseWrapper) -> tuple[str, list[tuple[int, Any, list[Converter]]]]:
        key = f"{connection.alias}:{connection.vendor}"
        if key not in self._compiled:
            quote = connection.ops.quote_name
            table = self.model._meta.db_table
            columns = {f.name: _column(f) for f in self.model._meta.concrete_fields} | {
                f.attname: _column(f) for f in self.model._meta.concrete_fields
            }

            def named(text: str) -> str:
                return _NAME.sub(lambda m: quote(columns[m.group(1)]), text)

            selected = ", ".join(quote(_column(f)) for f in self.fields)
            sql = f"SELECT {selected} FROM {quote(table)} WHERE {named(self.where)}"  # noqa: S608  (model's names)
            sql += (f" ORDER BY {named(self.order)}" if self.order else "") + self._limit
            if self.for_update and connection.features.has_select_for_update:
                sql += " FOR UPDATE"
            converters = []  # (position, the column expression a converter is given, its converters)
            for i, field in enumerate(self.fields):
                column = field.get_col(table)
                chain = connection.ops.get_db_converters(column) + field.get_db_converters(connection)
                if chain:
                    converters.append((i, column, chain))
            self._compiled[key] = (_placeholders(connection, sql), converters)
        return self._compiled[key]

    def _cursor(self, values: Sequence[Any], using: str) -> Any:
        connection = connections[using]
        sql, _converters = self._compile(connection)
        prepared = [
            f.get_db_prep_value(v, connection, prepared=False) for f, v in zip(self.params, values, strict=True)
        ]
        return _run(connection, sql, prepared)

    def _row(self, values: Sequence[Any], using: str) -> tuple[Any, ...] | None:
        row: tuple[Any, ...] | None = self._cursor(values, using).fetchone()
        return row

    def _instance(self, row: Sequence[Any], using: str) -> M:
        connection = connections[using]
        _sql, converters = self._compile(connection)
        out = list(row)
        for i, column, chain in converters:
            for convert in chain:
                out[i] = convert(out[i], column, connection)
        return self.model.from_db(using, self.attnames, out)

    def found(self, *values: Any, using: str = DEFAULT_DB_ALIAS) -> bool:
        """Whether such a row exists (no instance is made)."""
        return self._row(values, using) is not None

    def first(self, *values: Any, using: str = DEFAULT_DB_ALIAS) -> M | None:
        row = self._row(values, using)
        if row is None:
            return None
        if self.reuse and (made := self._made.get(row)) is not None:
            made._state.fields_cache.clear()  # a related row read through it is read again
            return made
        instance = self._instance(row, using)
        if self.reuse:
            if len(self._made) >= _REUSED_KEPT:
                self._made.clear()
            self._made[tuple(row)] = instance
        return instance


class SelectAll[M: Model](SelectOne[M]):
    """:class:`SelectOne` without the ``LIMIT 1``: every row that matches, in ``order``, as instances
    (for a short list: every row is fetched at once). ``reuse`` and ``found`` are not for lists."""

    _limit = ""

    def all(self, *values: Any, using: str = DEFAULT_DB_ALIAS) -> list[M]:
        return [self._instance(row, using) for row in self._cursor(values, using).fetchall()]


class Insert[M: Model]:
    """``INSERT`` of one row from field values (the model's defaults for the others, an auto primary key
    left to the database). ``ignore_conflicts`` makes a constraint violation a quiet no-op instead of an
    ``IntegrityError``: the caller learns from the answer whether the row was written, and needs no
    savepoint inside a transaction."""

    def __init__(self, model: type[M], *, ignore_conflicts: bool = False) -> None:
        self.model, self.ignore = model, ignore_conflicts
        self.fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        self.by_name = {f.name: f for f in self.fields} | {f.attname: f for f in self.fields}
        self._sql: dict[str, str] = {}

    def _compile(self, connection: BaseDatabaseWrapper) -> str:
        key = f"{connection.alias}:{connection.vendor}"
        if key not in self._sql:
            quote, ops = connection.ops.quote_name, connection.ops
            on_conflict = OnConflict.IGNORE if self.ignore else None
            columns = ", ".join(quote(_column(f)) for f in self.fields)
            marks = ", ".join(["%s"] * len(self.fields))
            suffix = ops.on_conflict_suffix_sql(self.fields, on_conflict, None, None)
            sql = (
                f"{ops.insert_statement(on_conflict=on_conflict)} {quote(self.model._meta.db_table)} ({columns}) "
            )
            self._sql[key] = _placeholders(connection, f"{sql}VALUES ({marks}) {suffix}".rstrip())
        return self._sql[key]

    def add(self, *, using: str = DEFAULT_DB_ALIAS, **values: Any) -> bool:
        """Writes the row; False when a conflict was ignored (nothing written). ``values`` are keyed by
        field name or attname (``client`` or ``client_id``)."""
        unknown = set(values) - set(self.by_name)
        if unknown:
            raise TypeError(f"{self.model.__name__} has no field {sorted(unknown)}")
        given = {self.by_name[name].attname: _pk_of(value) for name, value in values.items()}
        connection = connections[using]
        sql = self._compile(connection)
        row = [
            f.get_db_prep_save(given[f.attname] if f.attname in given else f.get_default(), connection)
            for f in self.fields
        ]
        return bool(_run(connection, sql, row).rowcount)

    def save(self, instance: M, *, using: str = DEFAULT_DB_ALIAS) -> M:
        """Writes ``instance`` as a new row (as ``save(force_insert=True)``) and gives it the primary
        key the database chose; it is then an instance of that database, as the ORM leaves it."""
        if self.ignore:
            raise TypeError("an ignored conflict would leave the instance without a row")
        connection = connections[using]
        sql = self._compile(connection)
        pk = self.model._meta.pk
        if pk is None:  # every concrete model has one
            raise TypeError(self.model)
        row = [f.get_db_prep_save(getattr(instance, f.attname), connection) for f in self.fields]
        if connection.features.can_return_columns_from_insert:
            returning, _params = connection.ops.returning_columns([pk])
            cursor = _run(connection, f"{sql} {returning}", row)
            value = cursor.fetchone()[0]
        else:  # SQLite before 3.35
            value = _run(connection, sql, row).lastrowid
        column = pk.get_col(self.model._meta.db_table)
        for convert in connection.ops.get_db_converters(column):
            value = convert(value, column, connection)
        setattr(instance, pk.attname, value)
        instance._state.adding, instance._state.db = False, using
        return instance


class Update[M: Model]:
    """``UPDATE <table> SET <fields> WHERE <where>``: ``fields`` named as the model names them,
    ``where`` as :class:`SelectOne`'s (fields in braces, ``%s`` parameters prepared by ``params``)."""

    def __init__(self, model: type[M], fields: Sequence[str], where: str, params: Sequence[str] = ()) -> None:
        self.model, self.where = model, where
        self.fields = [_field(model, name) for name in fields]
        self.params = [_field(model, name) for name in params]
        self._sql: dict[str, str] = {}

    def _compile(self, connection: BaseDatabaseWrapper) -> str:
        key = f"{connection.alias}:{connection.vendor}"
        if key not in self._sql:
            quote = connection.ops.quote_name
            columns = {f.name: _column(f) for f in self.model._meta.concrete_fields}
            where = _NAME.sub(lambda m: quote(columns[m.group(1)]), self.where)
            assignments = ", ".join(f"{quote(_column(f))} = %s" for f in self.fields)
            table = quote(self.model._meta.db_table)
            self._sql[key] = _placeholders(connection, f"UPDATE {table} SET {assignments} WHERE {where}")  # noqa: S608
        return self._sql[key]

    def run(self, values: Sequence[Any], where: Sequence[Any], *, using: str = DEFAULT_DB_ALIAS) -> int:
        """Sets the fields to ``values`` (in order) where ``where``'s parameters match; the rows changed."""
        connection = connections[using]
        sql = self._compile(connection)
        params = [f.get_db_prep_save(v, connection) for f, v in zip(self.fields, values, strict=True)]
        params += [
            f.get_db_prep_value(v, connection, prepared=False) for f, v in zip(self.params, where, strict=True)
        ]
        return int(_run(connection, sql, params).rowcount)


class Statement:
    """Any statement of the caller's, built once per database by ``build(connection)`` (``%s``
    placeholders; table and column names from the model: ``connection.ops.quote_name``), run with
    parameters already in the database's form (``connection.ops.adapt_*``)."""

    def __init__(self, build: Callable[[BaseDatabaseWrapper], str]) -> None:
        self.build = build
        self._sql: dict[str, str] = {}

    def _execute(self, params: Sequence[Any], using: str) -> Any:
        connection = connections[using]
        key = f"{connection.alias}:{connection.vendor}"
        sql = self._sql.get(key)
        if sql is None:
            sql = self._sql[key] = _placeholders(connection, self.build(connection))
        return _run(connection, sql, params)

    def run(self, params: Sequence[Any], *, using: str = DEFAULT_DB_ALIAS) -> int:
        """Runs it; the rows it changed."""
        return int(self._execute(params, using).rowcount)

    def fetch_one(self, params: Sequence[Any], *, using: str = DEFAULT_DB_ALIAS) -> tuple[Any, ...] | None:
        """Runs it; the first row it gave (``RETURNING`` or a ``SELECT``), as the DB-API returns it."""
        row: tuple[Any, ...] | None = self._execute(params, using).fetchone()
        return row


def _pk_of(value: Any) -> Any:
    return value.pk if isinstance(value, Model) else value
