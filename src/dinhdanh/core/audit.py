"""The append-only, hash-chained audit log.

Every service writes its event with :func:`record` inside its own transaction, so a decision and
its audit event land together or not at all. Each event's hash covers its content and the previous
event's hash; :func:`verify` recomputes the chain and names the first event that does not fit
(edited, deleted, inserted or reordered). Writers are serialized on one head row, which also
remembers the tip so that removing the newest events is caught.

The hash is an HMAC under a key kept outside the database (``keys.audit_chain_key``), so write access
to the database is not enough to recompute a rewritten chain; signed checkpoints of the head, also
outside the database (``audit_checkpoints``), pin what the chain was. Events written before the chain
was keyed keep their plain SHA-256 and are pinned by the first checkpoint (decision 0012).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
import re
from dataclasses import dataclass, field, replace
from datetime import UTC
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from dinhdanh.core import audit_checkpoints as checkpoints
from dinhdanh.core.audit_codes import AuditAction
from dinhdanh.core.context import current_request_id
from dinhdanh.core.keys import audit_chain_key
from dinhdanh.core.models import AuditChainHead, AuditEvent

if TYPE_CHECKING:
    from django.db.models import Model

    from dinhdanh.people.models import User

GENESIS = "0" * 64
LEGACY = ""  # the key id of events sealed before the chain was keyed: plain SHA-256
# Keys whose values never enter the log in clear (SPEC §7: personal ID numbers, secrets, tokens).
_SENSITIVE = ("password", "secret", "token", "otp", "personal_id", "representative_id", "id_number", "key")
REDACTED = "***"
_UNSTORABLE = re.compile(r"[\x00\ud800-\udfff]")


def _is_sensitive(key: str) -> bool:
    lowered = key.lower()
    return any(marker in lowered for marker in _SENSITIVE)


def _redact(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): REDACTED if _is_sensitive(str(k)) else _redact(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_redact(v) for v in value]
    return value


def _text(value: str) -> str:
    # PostgreSQL's jsonb refuses NUL and nothing can encode a lone surrogate (a JSON body may carry
    # "\ud800"): either would make the audited action fail, so both become U+FFFD.
    return _UNSTORABLE.sub("\ufffd", value)


def _number(value: float) -> float | int | str:
    # NaN and infinities are not JSON: no database takes them.
    if not math.isfinite(value):
        return str(value)
    # jsonb keeps a number as the decimal it was written as: "1e+16" comes back as the integer
    # 10000000000000000 and "-0.0" as 0.0, which would then no longer match the hash. Store them so.
    if value == 0:
        return 0.0
    written = repr(value)
    if "e+" in written:
        return int(Decimal(written))
    return value


def _canonical(value: Any) -> Any:
    if isinstance(value, dict):
        return {_text(k): _canonical(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_canonical(v) for v in value]
    if isinstance(value, str):
        return _text(value)
    if isinstance(value, float):
        return _number(value)
    return value


def _jsonable(value: Any) -> Any:
    """What is hashed must be exactly what every database gives back, so go through JSON once and
    store only what SQLite and PostgreSQL (jsonb) return unchanged."""
    if value is None:
        return None
    return _canonical(json.loads(json.dumps(_redact(value), cls=DjangoJSONEncoder, ensure_ascii=False)))


def _seal(fields: dict[str, Any], key: bytes | None) -> str:
    """HMAC-SHA256 of the canonical JSON under ``key``; plain SHA-256 only to check legacy events."""
    canonical = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    if key is None:
        return hashlib.sha256(canonical).hexdigest()
    return hmac.new(key, canonical, hashlib.sha256).hexdigest()


def _content(event: AuditEvent) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "seq": event.seq,
        "occurred_at": event.occurred_at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor_id": event.actor_id,
        "actor_label": event.actor_label,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "before": event.before,
        "after": event.after,
        "request_id": event.request_id,
        "prev_hash": event.prev_hash,
    }
    if event.key_id != LEGACY:  # legacy events were hashed without it, and must still verify
        fields["key_id"] = event.key_id
    return fields


def _head() -> AuditChainHead:
    head = AuditChainHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        # The migration creates this row; a flushed test database may not have it.
        head = AuditChainHead.objects.create(pk=1, last_seq=0, last_hash=GENESIS)
    return head


def record(
    action: AuditAction,
    *,
    actor: User | None,
    obj: Model | None = None,
    object_type: str = "",
    object_id: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event. Values under sensitive keys are replaced by ``***`` before hashing."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    key_id, key = audit_chain_key()
    with transaction.atomic():
        head = _head()
        event = AuditEvent(
            seq=head.last_seq + 1,
            occurred_at=timezone.now(),
            actor=actor if actor is not None and actor.pk else None,
            # A 200-character full name plus the masked ID would not fit the column on PostgreSQL.
            actor_label=(actor.audit_label if actor is not None and actor.pk else "system")[:200],
            action=str(action),
            object_type=object_type[:64],
            object_id=object_id[:64],
            before=_jsonable(before),
            after=_jsonable(after),
            request_id=current_request_id()[:64],
            prev_hash=head.last_hash,
            key_id=key_id,
        )
        event.hash = _seal(_content(event), key)
        event.save(force_insert=True)
        first_under_key = head.key_id != key_id
        head.last_seq, head.last_hash, head.key_id = event.seq, event.hash, key_id
        head.save(update_fields=["last_seq", "last_hash", "key_id"])
        if checkpoints.due(event.seq, first_under_key=first_under_key):
            # After the outermost commit only: a rolled-back event must never be pinned.
            seq, sealed = event.seq, event.hash
            transaction.on_commit(lambda: checkpoints.write_after_commit(seq, sealed))
    return event


@dataclass(frozen=True)
class Verification:
    ok: bool
    checked: int
    broken_seq: int | None = None
    reason: str = ""
    checkpoints: int = 0  # checkpoints found in agreement with the database
    tip_hash: str = field(default="", compare=False)  # the hash of the last event checked


def verify(*, chunk_size: int = 5000) -> Verification:
    """Walk the chain in order; stop at the first event that was edited, removed, inserted, moved or
    sealed without the key; then check that every checkpoint agrees with the database.

    The head is read before the walk and the walk stops at its tip, so an event committed while the
    walk runs is left for the next verification instead of passing for a broken tail.
    """
    head = AuditChainHead.objects.filter(pk=1).first()
    unreadable: checkpoints.CheckpointForged | None = None
    try:
        marks = checkpoints.read()
    except checkpoints.CheckpointForged as forged:  # named after the chain's own faults, if any
        marks, unreadable = [], forged
    pinned: dict[int, str] = {}
    result = _walk(head, {mark.seq for mark in marks}, pinned, chunk_size)
    if not result.ok or checkpoints.location() is None:
        return result
    if unreadable is not None:
        return Verification(False, 0, unreadable.seq, unreadable.reason)
    return _against_checkpoints(result, marks, pinned)


def _seal_fault(event: AuditEvent, key_id: str, key: bytes, keyed: bool) -> str:
    """Why the event's own hash does not hold ("" when it does)."""
    if event.key_id == LEGACY:
        if keyed:  # once keyed, always keyed: an unkeyed event past that point was forged
            return "unkeyed_after_keyed"
        sealed = _seal(_content(event), None)
    elif event.key_id == key_id:
        sealed = _seal(_content(event), key)
    else:  # sealed under a key this node does not have: another node's key, or a forgery
        return "unknown_key"
    return "" if hmac.compare_digest(sealed, event.hash) else "content_mismatch"


def _walk(head: AuditChainHead | None, wanted: set[int], pinned: dict[int, str], chunk_size: int) -> Verification:
    key_id, key = audit_chain_key()
    events = AuditEvent.objects.order_by("seq")
    if head is not None:
        events = events.filter(seq__lte=head.last_seq)
    expected_seq, prev_hash, checked, keyed = 1, GENESIS, 0, False
    for event in events.iterator(chunk_size=chunk_size):
        if event.seq != expected_seq:
            return Verification(False, checked, expected_seq, "missing")
        if event.prev_hash != prev_hash:
            return Verification(False, checked, event.seq, "previous_hash_mismatch")
        if fault := _seal_fault(event, key_id, key, keyed):
            return Verification(False, checked, event.seq, fault)
        keyed = keyed or event.key_id != LEGACY
        if event.seq in wanted:
            pinned[event.seq] = event.hash
        prev_hash, expected_seq, checked = event.hash, expected_seq + 1, checked + 1
    return _at_the_tip(head, checked, prev_hash)


def _at_the_tip(head: AuditChainHead | None, checked: int, prev_hash: str) -> Verification:
    if head is None:
        # record() creates the head with the first event; events without one lost it on the way.
        return Verification(checked == 0, checked, 1 if checked else None, "head_missing" if checked else "")
    if checked < head.last_seq:
        return Verification(False, checked, checked + 1, "tail_missing")
    if prev_hash != head.last_hash:
        # The newest event was rewritten along with its own hash; only the head still knows the original.
        return Verification(False, max(checked - 1, 0), max(checked, 1), "head_mismatch")
    # record() moves the head in the same transaction as it appends, so an event past the tip was put
    # there some other way, unless it was committed after the head was read above: count first, then
    # read the head again (anything committed before the count is visible to the second read).
    beyond = AuditEvent.objects.filter(seq__gt=head.last_seq).aggregate(top=Max("seq"))["top"]
    if beyond is not None:
        tip = AuditChainHead.objects.filter(pk=1).values_list("last_seq", flat=True).first()
        if tip is None or beyond > tip:
            return Verification(False, checked, head.last_seq + 1, "not_in_head")
    return Verification(True, checked, tip_hash=prev_hash)


def _against_checkpoints(
    result: Verification, marks: list[checkpoints.Checkpoint], pinned: dict[int, str]
) -> Verification:
    """Every checkpoint must name an event that is still there with the same hash. ``checked`` then
    counts the events up to the last checkpoint that agreed: only those are vouched for."""
    if not marks:
        # The first keyed event writes one; none at all means the file was lost or the chain (legacy
        # events only) was never pinned: `dinhdanh audit checkpoint` pins it once it is trusted.
        return result if result.checked == 0 else Verification(False, 0, 1, "no_checkpoint")
    vouched = 0
    for mark in sorted(marks, key=lambda m: m.seq):
        if mark.chain != checkpoints.MAIN_CHAIN:
            return Verification(False, vouched, mark.seq, "checkpoint_unknown_chain")
        stored = pinned.get(mark.seq)
        if stored is None:  # past the tip read by the walk: committed since, or removed
            stored = AuditEvent.objects.filter(seq=mark.seq).values_list("hash", flat=True).first()
            if stored is None:
                return Verification(False, result.checked, result.checked + 1, "checkpoint_ahead")
        if not hmac.compare_digest(stored, mark.hash):
            return Verification(False, vouched, vouched + 1, "checkpoint_mismatch")
        vouched = mark.seq
    return replace(result, checkpoints=len(marks))


def checkpoint() -> tuple[Verification, checkpoints.Checkpoint | None]:
    """Pin the chain's tip in the checkpoint file, once the chain and every earlier checkpoint verify:
    a chain that fails is never pinned. Nothing is written for an empty chain."""
    result = verify()
    if not result.ok or result.checked == 0:
        return result, None
    return result, checkpoints.write(seq=result.checked, hash=result.tip_hash)


def recent(*, limit: int) -> list[AuditEvent]:
    """The newest events first. Callers check ``Permission.VIEW_AUDIT_LOG`` before reading."""
    return list(AuditEvent.objects.select_related("actor").order_by("-seq")[:limit])
