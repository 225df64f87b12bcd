"""Single-row reads and inserts for the token endpoint's hot path (decision 0034).

The ORM compiles its SQL again at every call: about 0.5 ms a query on the machines we measure on, more
than everything else a client-credentials request does. Here the SQL is built once per model, query
and database backend from the model's own fields (so a field added by a migration is read and written
without a change here), parameters are prepared by each field as the ORM prepares them, and results go
through the same converters the ORM applies — so the instances are the ORM's instances: same types,
same defaults, ``from_db`` state. What is not here: signals (no federation model has receivers; the
audit log is written explicitly by services, never by signals) and anything but one-row operations.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Field, Model
from django.db.models.constants import OnConflict

__all__ = ["Insert", "SelectOne"]

type Converter = Callable[[Any, Any, BaseDatabaseWrapper], Any]
_NAME = re.compile(r"\{(\w+)\}")


def _columns(model: type[Model]) -> list[Field[Any, Any]]:
    return list(model._meta.concrete_fields)


class SelectOne[M: Model]:
    """``SELECT <every concrete column> FROM <table> WHERE <where> LIMIT 1`` as an instance of ``model``.

    ``where`` (and ``order``) name fields in braces and take ``%s`` parameters, e.g.
    ``"{client_id} = %s AND {active} = %s"``; ``params`` names, in order, the field each parameter is
    prepared by."""

    def __init__(self, model: type[M], where: str, params: Sequence[str] = (), *, order: str = "") -> None:
        self.model, self.where, self.order = model, where, order
        self.fields = _columns(model)
        self.params = [model._meta.get_field(name) for name in params]
        self._compiled: dict[str, tuple[str, list[tuple[int, Any, list[Converter]]]]] = {}

    def _compile(self, connection: BaseDatabaseWrapper) -> tuple[str, list[tuple[int, Any, list[Converter]]]]:
        key = f"{connection.alias}:{connection.vendor}"
        if key not in self._compiled:
            quote = connection.ops.quote_name
            table = self.model._meta.db_table
            by_name = {f.name: f for f in self.fields} | {f.attname: f for f in self.fields}
            where = _NAME.sub(lambda m: quote(by_name[m.group(1)].column), self.where)
            order = _NAME.sub(lambda m: quote(by_name[m.group(1)].column), self.order)
            columns = ", ".join(quote(f.column) for f in self.fields)
            sql = f"SELECT {columns} FROM {quote(table)} WHERE {where}"  # noqa: S608  (names from the model)
            sql += f" ORDER BY {order} LIMIT 1" if order else " LIMIT 1"
            converters = []  # (position, the column expression converters are given, converters)
            for i, field in enumerate(self.fields):
                column = field.get_col(table)
                chain = connection.ops.get_db_converters(column) + field.get_db_converters(connection)
                if chain:
                    converters.append((i, column, chain))
            self._compiled[key] = (sql, converters)
        return self._compiled[key]

    def first(self, *values: Any, using: str = DEFAULT_DB_ALIAS) -> M | None:
        connection = connections[using]
        sql, converters = self._compile(connection)
        prepared = [
            f.get_db_prep_value(v, connection, prepared=False) for f, v in zip(self.params, values, strict=True)
        ]
        with connection.cursor() as cursor:
            cursor.execute(sql, prepared)
            row = cursor.fetchone()
        if row is None:
            return None
        out = list(row)
        for i, column, chain in converters:
            for convert in chain:
                out[i] = convert(out[i], column, connection)
        return self.model.from_db(using, [f.attname for f in self.fields], out)


class Insert[M: Model]:
    """``INSERT`` of one instance (every concrete field but an unset auto primary key), returning the key;
    ``ignore_conflicts`` makes a constraint violation a quiet no-op instead of an ``IntegrityError``, so
    a caller inside a transaction needs no savepoint to learn that the row was already there."""

    def __init__(self, model: type[M], *, ignore_conflicts: bool = False) -> None:
        self.model, self.ignore = model, ignore_conflicts
        self.fields = [f for f in _columns(model) if not f.primary_key]
        self._sql: dict[str, str] = {}

    def _compile(self, connection: BaseDatabaseWrapper) -> str:
        key = f"{connection.alias}:{connection.vendor}"
        if key not in self._sql:
            quote, ops = connection.ops.quote_name, connection.ops
            on_conflict = OnConflict.IGNORE if self.ignore else None
            pk = self.model._meta.pk
            if pk is None:  # never for a concrete model; narrows the type
                raise TypeError(self.model)
            columns = ", ".join(quote(f.column) for f in self.fields)
            marks = ", ".join(["%s"] * len(self.fields))
            suffix = ops.on_conflict_suffix_sql(self.fields, on_conflict, None, None)  # type: ignore[arg-type]
            self._sql[key] = (
                f"{ops.insert_statement(on_conflict=on_conflict)} {quote(self.model._meta.db_table)} ({columns}) "
                f"VALUES ({marks}) {suffix} RETURNING {quote(pk.column)}"
            )
        return self._sql[key]

    def save(self, obj: M, *, using: str = DEFAULT_DB_ALIAS) -> bool:
        """Writes ``obj`` and sets its primary key; False (nothing written) on a conflict ignored."""
        connection = connections[using]
        sql = self._compile(connection)
        values = [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in self.fields]
        with connection.cursor() as cursor:
            cursor.execute(sql, values)
            row = cursor.fetchone()
        if row is None:
            return False
        obj.pk = row[0]
        obj._state.adding, obj._state.db = False, using
        return True
