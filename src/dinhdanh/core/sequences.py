"""Named counters that only grow (issue 11.7: one home for counters over ``core.models.Sequence``).

Request numbers and organization identification numbers are both taken here. The increment is one
UPDATE, which takes the row lock on PostgreSQL and the write lock on SQLite before the value is read
back, so two transactions can never read the same value; a read-then-write would let them both read
it on SQLite, where SELECT … FOR UPDATE locks nothing. Call it inside the business transaction: when
that rolls back the counter rolls back with it, so a number is never held by two things (a gap is
possible only that way, never a repeat).
"""

from __future__ import annotations

from django.db import DEFAULT_DB_ALIAS, IntegrityError, transaction
from django.db.backends.base.base import BaseDatabaseWrapper

from dinhdanh.core.models import Sequence
from dinhdanh.core.rows import Statement

__all__ = ["next_value"]


def _increment_sql(connection: BaseDatabaseWrapper) -> str:
    quote = connection.ops.quote_name
    table, value, name = (quote(n) for n in (Sequence._meta.db_table, "last_value", "name"))
    return f"UPDATE {table} SET {value} = {value} + 1 WHERE {name} = %s RETURNING {value}"  # noqa: S608  (model's names)


# One statement (PostgreSQL, SQLite ≥ 3.35 both have RETURNING): the increment and the value read back
# under the lock it took, where the ORM needed a savepoint, the UPDATE and a SELECT (issue 17.4).
_INCREMENT = Statement(_increment_sql)


def _increment(name: str) -> int | None:
    row = _INCREMENT.fetch_one([name], using=DEFAULT_DB_ALIAS)
    return None if row is None else int(row[0])


def next_value(name: str) -> int:
    """The counter ``name`` plus one, created at 1 the first time (then in a savepoint)."""
    value = _increment(name)
    if value is not None:
        return value
    with transaction.atomic():
        try:
            with transaction.atomic():
                Sequence.objects.create(name=name, last_value=0)
        except IntegrityError:  # created meanwhile by a concurrent transaction: use that row
            pass
        value = _increment(name)
    if value is None:  # the row was there a moment ago; a counter is never deleted
        raise RuntimeError(f"the counter {name!r} vanished")
    return value
