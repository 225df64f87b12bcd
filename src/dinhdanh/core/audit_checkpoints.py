"""Signed checkpoints of the audit chain's head, kept outside the database (decision 0012).

Each line of ``settings.AUDIT_CHECKPOINT_FILE`` is a JSON object: the chain, a seq, the hash of the event
at that seq, the time, the id of the checkpoint key and an HMAC-SHA256 over the rest under that key
(``keys.audit_checkpoint_key``, apart from the chain's key). Someone who can write to the database but
not to the data dir cannot make a rewritten chain agree with them; ``audit.verify`` compares them.

Lines are only ever appended, each in one ``write`` on a file opened with ``O_APPEND`` (several
processes may append at once), and only after the event's transaction committed: a rolled-back event
never has a checkpoint.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
from dataclasses import dataclass
from datetime import UTC
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone

from dinhdanh.core.keys import audit_checkpoint_key

log = logging.getLogger(__name__)

# The chain of the events written before the log was partitioned; every other chain (per province or
# central, per month: decision 0019) writes lines with its own name.
MAIN_CHAIN = "main"


@dataclass(frozen=True)
class Checkpoint:
    chain: str
    seq: int
    hash: str
    at: str


class CheckpointForged(Exception):  # noqa: N818  # a finding, not a failure of the program
    """A line that does not parse or whose signature does not hold (``line`` counts from 1), or that
    was signed under a checkpoint key this node does not have (a node configured with another key)."""

    def __init__(self, line: int, seq: int | None, reason: str = "checkpoint_forged") -> None:
        super().__init__(f"checkpoint line {line}: {reason}")
        self.line = line
        self.seq = seq
        self.reason = reason


def location() -> Path | None:
    """The checkpoint file, or None when checkpoints are switched off (the test settings)."""
    configured = getattr(settings, "AUDIT_CHECKPOINT_FILE", None)
    return Path(configured) if configured else None


def due(seq: int, *, first_under_key: bool) -> bool:
    """A checkpoint follows the first event sealed under a key (anchoring everything before it,
    legacy events included) and every AUDIT_CHECKPOINT_EVERY-th event."""
    if location() is None:
        return False
    every: int = settings.AUDIT_CHECKPOINT_EVERY
    return first_under_key or (every > 0 and seq % every == 0)


def _mac(key: bytes, fields: dict[str, Any]) -> str:
    canonical = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hmac.new(key, canonical.encode(), hashlib.sha256).hexdigest()


def write(*, seq: int, hash: str, chain: str = MAIN_CHAIN) -> Checkpoint:
    """Append one signed line. Raises OSError when the file cannot be written."""
    path = location()
    if path is None:
        raise OSError("audit checkpoints are switched off (AUDIT_CHECKPOINT_FILE)")
    key_id, key = audit_checkpoint_key()
    at = timezone.now().astimezone(UTC).isoformat(timespec="seconds")
    fields: dict[str, Any] = {"chain": chain, "seq": seq, "hash": hash, "at": at, "key_id": key_id}
    line = json.dumps({**fields, "mac": _mac(key, fields)}, sort_keys=True, separators=(",", ":")) + "\n"
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, line.encode())
        os.fsync(fd)
    finally:
        os.close(fd)
    return Checkpoint(chain, seq, hash, at)


def write_after_commit(seq: int, hash: str, *, chain: str = MAIN_CHAIN) -> None:
    """Run by ``transaction.on_commit``: the event is committed whatever happens here, so a failure is
    logged (verify will miss this checkpoint, not the event) instead of turning the answer into an error."""
    try:
        write(seq=seq, hash=hash, chain=chain)
    except OSError:
        log.exception("audit checkpoint for event %s#%s could not be written", chain, seq)


def _parse(raw: str, number: int, key_id: str, key: bytes) -> Checkpoint:
    try:
        entry = json.loads(raw)
        fields = {name: entry[name] for name in ("chain", "seq", "hash", "at", "key_id")}
        mac = entry["mac"]
    except (ValueError, KeyError, TypeError):
        raise CheckpointForged(number, None) from None
    seq = fields["seq"] if isinstance(fields["seq"], int) and not isinstance(fields["seq"], bool) else None
    if (
        seq is None
        or not all(isinstance(fields[name], str) for name in ("chain", "hash", "at", "key_id"))
        or not isinstance(mac, str)
    ):
        raise CheckpointForged(number, seq)
    if fields["key_id"] != key_id:
        raise CheckpointForged(number, seq, "checkpoint_unknown_key")
    if not hmac.compare_digest(mac, _mac(key, fields)):
        raise CheckpointForged(number, seq)
    return Checkpoint(fields["chain"], seq, fields["hash"], fields["at"])


def read() -> list[Checkpoint]:
    """Every checkpoint in the file, in file order; [] when there is none. Raises CheckpointForged."""
    path = location()
    if path is None or not path.exists():
        return []
    key_id, key = audit_checkpoint_key()
    found = []
    with path.open(encoding="utf-8", errors="replace") as fh:
        for number, raw in enumerate(fh, start=1):
            if raw.strip():
                found.append(_parse(raw, number, key_id, key))
    return found
