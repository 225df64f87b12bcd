"""Reading ``core.DomainEvent`` in order, once per reader, without skipping a late commit (decision 0037).

Event ids are handed out when a transaction inserts, not when it commits: on PostgreSQL an event with a
smaller id can become visible after a larger one was read. So each read takes every event past the
cursor *and* those of the last ``REREAD`` seconds again; the cursor moves only past events older than
that window. Readers must therefore be idempotent (notices are unique per event, an attestation's status
set to what it already is changes nothing).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from dinhdanh.core.models import DomainEvent
from dinhdanh.trust.models import EventCursor

__all__ = ["REREAD", "read"]

REREAD = timedelta(minutes=5)
BATCH = 500


def read(
    name: str, handle: Callable[[DomainEvent], object], *, types: frozenset[str], now: datetime | None = None
) -> int:
    """Hand every event of ``types`` not yet done by reader ``name`` to ``handle`` (in id order, in one
    transaction per batch with the cursor's move); returns how many were handed. An exception in
    ``handle`` rolls its batch back, cursor included, and propagates: the next run starts there again."""
    now = now or timezone.now()
    settled_before = now - REREAD
    handed = 0
    while True:
        with transaction.atomic():
            cursor, _created = EventCursor.objects.select_for_update().get_or_create(name=name)
            recent = DomainEvent.objects.filter(occurred_at__gte=settled_before, type__in=types)
            batch = list(
                (DomainEvent.objects.filter(pk__gt=cursor.last_id, type__in=types) | recent).order_by("pk")[:BATCH]
            )
            for event in batch:
                handle(event)
            settled = [e.pk for e in batch if e.occurred_at < settled_before]
            if settled and max(settled) > cursor.last_id:
                cursor.last_id, cursor.updated_at = max(settled), now
                cursor.save(update_fields=["last_id", "updated_at"])
            handed += len(batch)
        if len(batch) < BATCH or not settled:
            return handed
