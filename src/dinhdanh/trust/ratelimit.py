"""Questions per client and minute, counted in the database (decision 0037 §5), so that every node of a
deployment counts the same calls.

A fixed window: the minute a call falls in (UTC). One ``INSERT … ON CONFLICT … DO UPDATE … RETURNING``
a call adds its questions and reads the new total, on SQLite (3.35+) and PostgreSQL alike; a call that
would pass the limit is rolled back, so a refused batch does not use up what a smaller one could still
ask. The first call of a minute also drops the client's older windows: the table stays one row a client.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction

from dinhdanh.federation.models import Client
from dinhdanh.trust.models import RateWindow

__all__ = ["WINDOW", "Allowance", "count", "limit_per_minute", "take", "window_start"]

WINDOW = timedelta(minutes=1)


@dataclass(frozen=True, slots=True)
class Allowance:
    allowed: bool
    limit: int
    used: int  # questions counted in this window, this call's included when allowed
    retry_after: int  # whole seconds to the window's end (at least 1)


def limit_per_minute() -> int:
    return max(0, int(settings.TRUST_VERIFY_PER_MINUTE))


def window_start(now: datetime) -> datetime:
    return now.replace(second=0, microsecond=0)


_upserts: dict[str, str] = {}


def _upsert_sql() -> str:
    """The statement, built once per database (decision 0038: not again at every call)."""
    key = f"{connection.alias}:{connection.vendor}"
    if key not in _upserts:
        _upserts[key] = _build_upsert_sql()
    return _upserts[key]


def _build_upsert_sql() -> str:
    quote = connection.ops.quote_name
    table = quote(RateWindow._meta.db_table)
    columns = {f.name: str(f.column) for f in RateWindow._meta.concrete_fields}
    client, start, count = (quote(columns[name]) for name in ("client", "window_start", "count"))
    return (
        f"INSERT INTO {table} ({client}, {start}, {count}) VALUES (%s, %s, %s) "  # noqa: S608 - names from the model
        f"ON CONFLICT ({client}, {start}) DO UPDATE SET {count} = {table}.{count} + excluded.{count} "
        f"RETURNING {count}"
    )


def count(*, client: Client, questions: int, now: datetime) -> Allowance:
    """Count ``questions`` against ``client``'s window at ``now`` in the caller's transaction, which must
    be rolled back when the answer is a refusal (``take`` does; so does ``verification_counted``)."""
    limit = limit_per_minute()
    start = window_start(now)
    retry_after = max(1, math.ceil((start + WINDOW - now).total_seconds()))
    with connection.cursor() as cursor:
        cursor.execute(_upsert_sql(), [client.pk, connection.ops.adapt_datetimefield_value(start), questions])
        row = cursor.fetchone()
    used = int(row[0]) if row else questions
    if used > limit:
        return Allowance(allowed=False, limit=limit, used=used - questions, retry_after=retry_after)
    if used == questions:  # the minute's first call
        RateWindow.objects.filter(client=client, window_start__lt=start).delete()
    return Allowance(allowed=True, limit=limit, used=used, retry_after=retry_after)


def take(*, client: Client, questions: int, now: datetime) -> Allowance:
    """Count ``questions`` against ``client``'s window at ``now``; not counted when refused."""
    with transaction.atomic():
        allowance = count(client=client, questions=questions, now=now)
        if not allowance.allowed:
            transaction.set_rollback(True)
    return allowance
