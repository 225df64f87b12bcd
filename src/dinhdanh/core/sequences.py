"""Named counters that only grow (issue 11.7: one home for counters over ``core.models.Sequence``).

Request numbers and organization identification numbers are both taken here. The increment is one
UPDATE, which takes the row lock on PostgreSQL and the write lock on SQLite before the value is read
back, so two transactions can never read the same value; a read-then-write would let them both read
it on SQLite, where SELECT … FOR UPDATE locks nothing. Call it inside the business transaction: when
that rolls back the counter rolls back with it, so a number is never held by two things (a gap is
possible only that way, never a repeat).
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import F

from dinhdanh.core.models import Sequence

__all__ = ["next_value"]


def next_value(name: str) -> int:
    """The counter ``name`` plus one, created at 1 the first time (a savepoint if not in a transaction)."""
    with transaction.atomic():
        if not Sequence.objects.filter(name=name).update(last_value=F("last_value") + 1):
            try:
                with transaction.atomic():
                    Sequence.objects.create(name=name, last_value=0)
            except IntegrityError:  # created meanwhile by a concurrent transaction: use that row
                pass
            Sequence.objects.filter(name=name).update(last_value=F("last_value") + 1)
        return int(Sequence.objects.values_list("last_value", flat=True).get(name=name))
