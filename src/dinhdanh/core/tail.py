"""Writes that lock a row every writer shares, held back to the end of a service's transaction.

An audit append locks its chain's head row (``core.audit``) and a counted domain event its daily count
row (``core.events`` and its listeners) until the transaction commits. Written where the service
decides, they kept every other writer of the province waiting while the rest of the transaction ran:
the registry checks, the routing, the other rows (issue 17.4, decision 0052). Inside
:func:`hot_rows_last` they are queued and written when the block ends normally, in the order they
were asked for, still inside the transaction, just before it commits. Nothing else changes: same
rows, same order in each chain, same transaction; an error leaves the block with nothing written, as
the rollback would have undone it.

Use it right inside ``transaction.atomic()`` (``with transaction.atomic(), hot_rows_last():``), and
only around code that does not catch an error of a savepoint and carry on: a queued write from inside
a savepoint that was rolled back would still be written.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

__all__ = ["held_batch", "hot_rows_last"]


@dataclass
class _Held:
    # name -> (the writer of the batch, its items); dicts keep the order the first items came in.
    batches: dict[str, tuple[Callable[[list[Any]], None], list[Any]]] = field(default_factory=dict)


_HELD: ContextVar[_Held | None] = ContextVar("core_tail_held", default=None)


def held_batch(name: str, write: Callable[[list[Any]], None]) -> list[Any] | None:
    """Inside :func:`hot_rows_last`, the list to add ``name``'s items to: ``write`` gets them all, once,
    when the block ends. Outside one, None: the caller writes at once."""
    held = _HELD.get()
    if held is None:
        return None
    if name not in held.batches:
        held.batches[name] = (write, [])
    return held.batches[name][1]


@contextmanager
def hot_rows_last() -> Iterator[None]:
    """Queue the writes of :func:`held_batch`'s callers made in the block; write them when it ends
    without an error (an error discards them with the transaction they belonged to)."""
    if _HELD.get() is not None:  # an outer block writes them, at its own end
        yield
        return
    held = _Held()
    token = _HELD.set(held)
    try:
        yield
    finally:
        _HELD.reset(token)
    for write, items in held.batches.values():
        write(items)
