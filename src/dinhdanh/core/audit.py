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
from datetime import UTC, datetime
from decimal import Decimal
from functools import partial
from typing import TYPE_CHECKING, Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from dinhdanh.core import audit_checkpoints as checkpoints
from dinhdanh.core import tail
from dinhdanh.core.audit_codes import Actions
from dinhdanh.core.context import current_request_id
from dinhdanh.core.keys import audit_chain_key
from dinhdanh.core.models import AuditChainHead, AuditEvent
from dinhdanh.core.rows import Insert, SelectOne, Update

if TYPE_CHECKING:
    from django.db.models import Model

    from dinhdanh.people.models import User

GENESIS = "0" * 64
MAIN = checkpoints.MAIN_CHAIN  # the chain of every event written before the partitioning (decision 0019)
CENTRAL = "central"  # the scope of events with no unit: nationwide decisions, sign-ins, people
READS = "reads"  # the prefix of the chains of read audits
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
    if event.chain != MAIN:  # the same for events written before the chain was partitioned
        fields["chain"] = event.chain
    return fields


def chain_for(*, province_code: str, at: datetime, read: bool = False) -> str:
    """The chain an event belongs to: its province (or ``central``) and its calendar month (UTC), so
    that two provinces' decisions never wait on each other's head row and a month's chain is closed
    once the month is over. Reads have chains of their own: a look never takes a write path's lock."""
    scope = province_code or CENTRAL
    name = f"{scope}:{at.astimezone(UTC):%Y-%m}"
    return f"{READS}:{name}" if read else name


def _unit_of(obj: Model | None) -> Any:
    """The administrative unit an object belongs to, found by duck typing (the kernel knows no app):
    its own ``unit`` or ``head_office``, else that of its ``organization`` or ``application``."""
    if obj is None:
        return None
    for owner in (obj, getattr(obj, "organization", None), getattr(obj, "application", None)):
        for name in ("unit", "head_office"):
            unit = getattr(owner, name, None) if owner is not None else None
            if unit is not None and isinstance(getattr(unit, "province_code", None), str):
                return unit
    return None


# Every service's decision appends here, so its three statements are built once (decision 0039): the
# ORM compiled them again at every call, ≈ 1.4 ms of the ≈ 1.9 ms an append cost.
_LOCK_HEAD = SelectOne(AuditChainHead, "{chain} = %s", ["chain"], for_update=True)
_MOVE_HEAD = Update(AuditChainHead, ["last_seq", "last_hash", "key_id"], "{id} = %s", ["id"])
_APPEND = Insert(AuditEvent)


def _head(chain: str) -> AuditChainHead:
    # Two writers may open a new chain at once: the insert that loses is ignored (no error, no aborted
    # transaction on PostgreSQL) and both then lock the one row.
    head = _LOCK_HEAD.first(chain)
    if head is None:
        AuditChainHead.objects.bulk_create(
            [AuditChainHead(chain=chain, last_seq=0, last_hash=GENESIS)], ignore_conflicts=True
        )
        head = AuditChainHead.objects.select_for_update().get(chain=chain)
    return head


def record(
    action: Actions,
    *,
    actor: User | None,
    obj: Model | None = None,
    object_type: str = "",
    object_id: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    unit: Any = None,
    read: bool = False,
) -> AuditEvent:
    """Append one event to its chain (the province of ``unit``, else of ``obj``'s unit or head office,
    else ``central``; ``read=True`` for a look at data, which goes to a reads chain). Values under
    sensitive keys are replaced by ``***`` before hashing. Inside ``core.tail.hot_rows_last`` the
    event is appended when that block ends, with the others of the block (decision 0052)."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    unit = unit if unit is not None else _unit_of(obj)
    event = AuditEvent(
        actor=actor if actor is not None and actor.pk else None,
        # A 200-character full name plus the masked ID would not fit the column on PostgreSQL.
        actor_label=(actor.audit_label if actor is not None and actor.pk else "system")[:200],
        action=str(action),
        object_type=object_type[:64],
        object_id=object_id[:64],
        before=_jsonable(before),
        after=_jsonable(after),
        request_id=current_request_id()[:64],
    )
    pending = (event, getattr(unit, "province_code", "") or "", read)
    batch = tail.held_batch("audit", _append)
    if batch is None:
        _append([pending])
    else:  # written, in order, when the service's ``hot_rows_last`` block ends; ``event`` is then complete
        batch.append(pending)
    return event


def _append(pending: list[tuple[AuditEvent, str, bool]]) -> None:
    """Seal and write the events in order, each chain's head locked once and moved once after its
    events (the head row is what every writer of the chain waits for)."""
    key_id, key = audit_chain_key()
    heads: dict[str, AuditChainHead] = {}
    # Inside a service's transaction no savepoint (two statements more at every decision): an append
    # that fails fails the whole decision, which must not land unaudited anyway.
    with transaction.atomic(savepoint=False):
        for event, province, read in pending:
            event.occurred_at = timezone.now()
            event.chain = chain = chain_for(province_code=province, at=event.occurred_at, read=read)
            head = heads.get(chain)
            if head is None:
                head = heads[chain] = _head(chain)
            event.seq, event.prev_hash, event.key_id = head.last_seq + 1, head.last_hash, key_id
            event.hash = _seal(_content(event), key)
            _APPEND.save(event)
            first_under_key = head.key_id != key_id
            head.last_seq, head.last_hash, head.key_id = event.seq, event.hash, key_id
            if checkpoints.due(event.seq, first_under_key=first_under_key):
                # After the outermost commit only: a rolled-back event must never be pinned.
                transaction.on_commit(partial(checkpoints.write_after_commit, event.seq, event.hash, chain=chain))
        for head in heads.values():
            _MOVE_HEAD.run([head.last_seq, head.last_hash, head.key_id], [head.pk])


@dataclass(frozen=True)
class Verification:
    ok: bool
    checked: int
    broken_seq: int | None = None
    reason: str = ""
    checkpoints: int = 0  # checkpoints found in agreement with the database
    tip_hash: str = field(default="", compare=False)  # the hash of the last event checked (one chain)
    chain: str = field(default="", compare=False)  # the chain at fault, when one is
    chains: int = field(default=0, compare=False)  # how many chains with events were walked
    tips: dict[str, tuple[int, str]] = field(default_factory=dict, compare=False)  # chain -> (seq, hash)


def verify(*, chunk_size: int = 5000) -> Verification:
    """Walk every chain in order; stop at the first event that was edited, removed, inserted, moved or
    sealed without the key; then check that every checkpoint agrees with the database.

    Each chain's head is read before its walk and the walk stops at its tip, so an event committed
    while the walk runs is left for the next verification instead of passing for a broken tail.
    ``checked`` counts the events of the chains walked; ``broken_seq`` is a seq within ``chain``.
    """
    unreadable: checkpoints.CheckpointForged | None = None
    try:
        marks = checkpoints.read()
    except checkpoints.CheckpointForged as forged:  # named after the chains' own faults, if any
        marks, unreadable = [], forged
    heads = {head.chain: head for head in AuditChainHead.objects.order_by("chain")}
    orphans = set(AuditEvent.objects.values_list("chain", flat=True).distinct()) - set(heads)
    names: list[str] = sorted(set(heads) | orphans)
    if not names:  # nothing ever written: no head, no event
        names = [MAIN]
    pinned: dict[tuple[str, int], str] = {}
    checked, tips = 0, {}
    for name in names:
        wanted = {mark.seq for mark in marks if mark.chain == name}
        chain_pins: dict[int, str] = {}
        result = _walk(name, heads.get(name), wanted, chain_pins, chunk_size)
        pinned.update({(name, seq): sealed for seq, sealed in chain_pins.items()})
        if not result.ok:
            return replace(result, checked=checked + result.checked, chain=name)
        checked += result.checked
        if result.checked:
            tips[name] = (result.checked, result.tip_hash)
    result = Verification(True, checked, chains=len(tips), tips=tips)
    if len(tips) == 1:
        result = replace(result, tip_hash=next(iter(tips.values()))[1])
    if checkpoints.location() is None:
        return result
    if unreadable is not None:
        return Verification(False, 0, unreadable.seq, unreadable.reason)
    return _against_checkpoints(result, marks, pinned)


def _seal_fault(event: AuditEvent, key_id: str, key: bytes, keyed: bool) -> str:
    """Why the event's own hash does not hold ("" when it does)."""
    if event.key_id == LEGACY:
        if keyed or event.chain != MAIN:  # once keyed, always keyed; only the main chain predates the key
            return "unkeyed_after_keyed"
        sealed = _seal(_content(event), None)
    elif event.key_id == key_id:
        sealed = _seal(_content(event), key)
    else:  # sealed under a key this node does not have: another node's key, or a forgery
        return "unknown_key"
    return "" if hmac.compare_digest(sealed, event.hash) else "content_mismatch"


def _walk(
    chain: str, head: AuditChainHead | None, wanted: set[int], pinned: dict[int, str], chunk_size: int
) -> Verification:
    key_id, key = audit_chain_key()
    events = AuditEvent.objects.filter(chain=chain).order_by("seq")
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
    return _at_the_tip(chain, head, checked, prev_hash)


def _at_the_tip(chain: str, head: AuditChainHead | None, checked: int, prev_hash: str) -> Verification:
    if head is None:
        # record() creates the head with the chain's first event; events without one lost it on the way.
        return Verification(checked == 0, checked, 1 if checked else None, "head_missing" if checked else "")
    if checked < head.last_seq:
        return Verification(False, checked, checked + 1, "tail_missing")
    if prev_hash != head.last_hash:
        # The newest event was rewritten along with its own hash; only the head still knows the original.
        return Verification(False, max(checked - 1, 0), max(checked, 1), "head_mismatch")
    # record() moves the head in the same transaction as it appends, so an event past the tip was put
    # there some other way, unless it was committed after the head was read above: count first, then
    # read the head again (anything committed before the count is visible to the second read).
    beyond = AuditEvent.objects.filter(chain=chain, seq__gt=head.last_seq).aggregate(top=Max("seq"))["top"]
    if beyond is not None:
        tip = AuditChainHead.objects.filter(chain=chain).values_list("last_seq", flat=True).first()
        if tip is None or beyond > tip:
            return Verification(False, checked, head.last_seq + 1, "not_in_head")
    return Verification(True, checked, tip_hash=prev_hash)


def _against_checkpoints(
    result: Verification, marks: list[checkpoints.Checkpoint], pinned: dict[tuple[str, int], str]
) -> Verification:
    """Every checkpoint must name an event of its chain that is still there with the same hash, and
    every chain with events must have at least one. ``checked`` then counts, in the chain at fault, the
    events up to the last checkpoint that agreed: only those are vouched for."""
    by_chain: dict[str, list[checkpoints.Checkpoint]] = {}
    for mark in marks:
        by_chain.setdefault(mark.chain, []).append(mark)
    for chain in sorted(set(by_chain) | set(result.tips)):
        tip = result.tips.get(chain, (0, ""))[0]
        chain_marks = sorted(by_chain.get(chain, []), key=lambda m: m.seq)
        if not chain_marks:
            # The first keyed event of a chain writes one; none at all means the file was lost or the
            # chain (legacy events only) was never pinned: `dinhdanh audit checkpoint` pins it once trusted.
            return Verification(False, 0, 1, "no_checkpoint", chain=chain)
        vouched = 0
        for mark in chain_marks:
            stored = pinned.get((chain, mark.seq))
            if stored is None:  # past the tip read by the walk: committed since, or removed
                stored = (
                    AuditEvent.objects.filter(chain=chain, seq=mark.seq).values_list("hash", flat=True).first()
                )
                if stored is None:  # a chain whose events (and head) are all gone is caught here too
                    return Verification(False, tip, tip + 1, "checkpoint_ahead", chain=chain)
            if not hmac.compare_digest(stored, mark.hash):
                return Verification(False, vouched, vouched + 1, "checkpoint_mismatch", chain=chain)
            vouched = mark.seq
    return replace(result, checkpoints=len(marks))


def checkpoint() -> tuple[Verification, list[checkpoints.Checkpoint]]:
    """Pin every chain's tip in the checkpoint file, once every chain and every earlier checkpoint
    verify: a log that fails is never pinned. Nothing is written for an empty log."""
    result = verify()
    if not result.ok:
        return result, []
    return result, [
        checkpoints.write(seq=seq, hash=sealed, chain=name) for name, (seq, sealed) in result.tips.items()
    ]


def recent(*, limit: int) -> list[AuditEvent]:
    """The newest events first. Callers check ``KernelPermission.VIEW_AUDIT_LOG`` before reading."""
    return list(AuditEvent.objects.select_related("actor").order_by("-occurred_at", "-pk")[:limit])


def storable(value: Any) -> Any:
    """``value`` as it would be stored in the log: sensitive keys redacted, JSON every database keeps
    unchanged. Domain events store their payloads so too."""
    return _jsonable(value)
