"""Reads that may lag go to a replica when one is configured (issue 16.5, docs/operations/scale-out.md).

``DATABASE_REPLICA_URL`` adds the ``replica`` alias (a PostgreSQL streaming replica, seconds behind).
Only code that says its reads may lag — dashboards, lists, the audit log page — is sent there, by
``lagging_reads`` (a decorator or a context manager), and only for the tables of figures, lists and
logs (``LAGGING_LABELS``): a person who just decided a request and opens the
request again must see their decision, so nothing is routed by default. Writes, ``select_for_update``
and any read inside a transaction on the primary stay on the primary, so a service called from a
lagging view never decides on stale rows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps
from typing import Any

from django.conf import settings
from django.db import connections

REPLICA = "replica"
# What may be read late: figures, lists and logs. Never accounts, sessions, grants or requests — who a
# person is and what they may do is always read from the primary.
LAGGING_LABELS = frozenset({"campaigns", "registries", "geo", "core.auditevent", "core.domainevent"})
_lagging: ContextVar[bool] = ContextVar("lagging_reads", default=False)


def configured() -> bool:
    return REPLICA in settings.DATABASES


@contextmanager
def lagging() -> Iterator[None]:
    token = _lagging.set(True)
    try:
        yield
    finally:
        _lagging.reset(token)


def lagging_reads[**P, R](view: Callable[P, R]) -> Callable[P, R]:
    @wraps(view)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> R:
        with lagging():
            return view(*args, **kwargs)

    return wrapped


class LaggingReadsRouter:
    """Django's database router: the replica for reads marked as lagging, else the default."""

    def db_for_read(self, model: type, **hints: Any) -> str | None:
        meta = model._meta  # type: ignore[attr-defined]
        if not ({meta.app_label, meta.label_lower} & LAGGING_LABELS):
            return None
        if _lagging.get() and configured() and not connections["default"].in_atomic_block:
            return REPLICA
        return None

    def db_for_write(self, model: type, **hints: Any) -> str | None:
        return None

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        return True  # the same rows, whichever copy they were read from

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool | None:
        return db != REPLICA  # a replica follows the primary's schema by replication
