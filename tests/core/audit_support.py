"""Helpers for the audit tests: building chains and tampering with them as an intruder with SQL access would."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import import_module
from typing import Any

from django.db import connection, transaction

from dinhdanh.core import audit
from dinhdanh.core.models import AuditChainHead, AuditEvent
from dinhdanh.people.audit_actions import PeopleAction

_MIGRATION = import_module("dinhdanh.core.migrations.0006_audit_keyed_chain")
HEX = "0123456789abcdef"


# --- helpers ------------------------------------------------------------------------------------


def _lift(cursor: Any) -> None:
    if connection.vendor == "postgresql":
        # ALTER TABLE is refused while this transaction still has deferred foreign-key checks pending.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("ALTER TABLE core_auditevent DISABLE TRIGGER core_auditevent_no_change")
    else:
        cursor.execute("DROP TRIGGER core_auditevent_no_update")
        cursor.execute("DROP TRIGGER core_auditevent_no_delete")


def _restore(cursor: Any) -> None:
    if connection.vendor == "postgresql":
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("ALTER TABLE core_auditevent ENABLE TRIGGER core_auditevent_no_change")
    else:
        for sql in _MIGRATION.SQLITE_FORWARD:
            cursor.execute(sql)


@contextmanager
def append_only_lifted() -> Iterator[None]:
    """Let UPDATE and DELETE through to the audit table, as an intruder would, then restore the rule."""
    assert connection.in_atomic_block, "tamper only inside the test transaction"
    with connection.cursor() as cursor:
        _lift(cursor)
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            _restore(cursor)


def start_empty_log() -> None:
    """Forget the events written while loading fixtures, so that seq numbers start at 1."""
    with append_only_lifted():
        AuditEvent.objects.all().delete()
    AuditChainHead.objects.all().delete()
    AuditChainHead.objects.create(chain=audit.MAIN, last_seq=0, last_hash=audit.GENESIS, key_id="")


def build_chain(n: int) -> list[AuditEvent]:
    return [
        audit.record(
            PeopleAction.SIGNIN_SUCCEEDED,
            actor=None,
            object_type="test.thing",
            object_id=str(i),
            after={"n": i, "note": f"sự kiện {i}"},
        )
        for i in range(1, n + 1)
    ]


def stored_json(event: AuditEvent) -> str:
    """``before`` and ``after`` exactly as the database holds them."""
    with connection.cursor() as cursor:
        cursor.execute(
            'SELECT CAST("before" AS TEXT), CAST("after" AS TEXT) FROM core_auditevent WHERE id = %s',
            [event.pk],
        )
        row = cursor.fetchone()
    assert row is not None
    return " ".join(part or "" for part in row)


def event(seq: int) -> AuditEvent:
    return AuditEvent.objects.get(seq=seq)


def shift_up_from(seq: int) -> None:
    """Make room at ``seq`` by moving it and every later event one place up (highest first)."""
    top = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    for s in range(top, seq - 1, -1):
        AuditEvent.objects.filter(seq=s).update(seq=s + 1)


def swap(a: int, b: int) -> None:
    AuditEvent.objects.filter(seq=a).update(seq=-1)
    AuditEvent.objects.filter(seq=b).update(seq=a)
    AuditEvent.objects.filter(seq=-1).update(seq=b)


def copy_of(original: AuditEvent, **changes: Any) -> AuditEvent:
    fields = {f.attname: getattr(original, f.attname) for f in AuditEvent._meta.concrete_fields}
    fields.pop("id")
    fields.update(changes)
    return AuditEvent(**fields)


def would_be_next(**payload: Any) -> AuditEvent:
    """The event record() would append now, well-formed in every respect, but not left in the log."""
    with transaction.atomic():
        forged = audit.record(PeopleAction.SIGNOUT, actor=None, **payload)
        transaction.set_rollback(True)
    return copy_of(forged)


def unkeyed_digest(stored: AuditEvent) -> str:
    """SHA-256 of an event's canonical content: what anyone reading the source can compute."""
    canonical = json.dumps(audit._content(stored), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def rewrite_without_the_key(*, from_seq: int = 1, claim_legacy: bool = True, **changes: Any) -> None:
    """An intruder with SQL access only: change event ``from_seq`` (``changes``), then recompute every hash
    from there to the tip and the head with plain SHA-256. ``claim_legacy`` also marks the events as
    written before the chain was keyed, the one unkeyed form the verifier knows."""
    legacy = claim_legacy and any(f.name == "key_id" for f in AuditEvent._meta.concrete_fields)
    # Legacy events are those of the main chain, written before the log was partitioned (decision 0019).
    to_main = legacy and from_seq == 1
    with append_only_lifted():
        prev = event(from_seq - 1).hash if from_seq > 1 else audit.GENESIS
        for stored in AuditEvent.objects.filter(seq__gte=from_seq).order_by("seq"):
            fields: dict[str, Any] = dict(changes) if stored.seq == from_seq else {}
            if legacy:
                fields["key_id"] = ""
            if to_main:
                fields["chain"] = audit.MAIN
            for name, value in fields.items():
                setattr(stored, name, value)
            stored.prev_hash = prev
            fields["prev_hash"] = prev
            fields["hash"] = prev = unkeyed_digest(stored)
            AuditEvent.objects.filter(pk=stored.pk).update(**fields)
            stored.hash = prev
        head_fields: dict[str, Any] = {"last_hash": prev}
        if legacy:
            head_fields["key_id"] = ""
        if to_main:
            moved = AuditChainHead.objects.exclude(chain=audit.MAIN)
            head_fields["last_seq"] = moved.get().last_seq
            moved.delete()
            AuditChainHead.objects.filter(chain=audit.MAIN).update(**head_fields)
        else:
            AuditChainHead.objects.exclude(chain=audit.MAIN).update(**head_fields)
