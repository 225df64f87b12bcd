"""The keyed chain (decision 0012): write access to the database is not enough to rewrite the log.

Events are sealed with HMAC-SHA256 under a key outside the database; signed checkpoints of the head,
also outside the database, pin what the chain was. An intruder who rewrites the table and recomputes
every hash (plain SHA-256, or claiming the events predate the key) is caught.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import json
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from dinhdanh.core import audit, audit_checkpoints, keys
from dinhdanh.core.models import AuditChainHead, AuditEvent
from dinhdanh.people.audit_actions import PeopleAction
from tests.core.audit_support import (
    append_only_lifted,
    build_chain,
    event,
    rewrite_without_the_key,
    unkeyed_digest,
)

pytestmark = pytest.mark.django_db

type SettingsWrapper = Any  # pytest-django's settings fixture
type Commits = Callable[..., AbstractContextManager[list[Callable[[], Any]]]]


@pytest.fixture
def checkpoint_file(settings: SettingsWrapper, tmp_path: Path) -> Path:
    """Checkpoints on (the test settings switch them off), every 4 events, in a file of this test."""
    path = tmp_path / "audit" / "checkpoints.jsonl"
    settings.AUDIT_CHECKPOINT_FILE = path
    settings.AUDIT_CHECKPOINT_EVERY = 4
    return path


@pytest.fixture
def committed(django_capture_on_commit_callbacks: Commits) -> Callable[[int], list[AuditEvent]]:
    """build_chain(n) whose transactions' on-commit work (the checkpoints) runs, as it does in production."""

    def build(n: int) -> list[AuditEvent]:
        with django_capture_on_commit_callbacks(execute=True):
            return build_chain(n)

    return build


def lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


# --- the key ------------------------------------------------------------------------------------


def test_events_are_sealed_with_hmac_under_the_key_outside_the_database(empty_log: None) -> None:
    first, second = build_chain(2)
    key_id, key = keys.audit_chain_key()
    stored = event(2)
    canonical = json.dumps(audit._content(stored), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert stored.key_id == key_id == keys.key_id(key)
    assert stored.hash == hmac.new(key, canonical.encode(), hashlib.sha256).hexdigest()
    assert stored.hash != unkeyed_digest(stored)
    assert second.prev_hash == first.hash
    assert AuditChainHead.objects.exclude(chain=audit.MAIN).get().key_id == key_id
    assert audit.verify() == audit.Verification(True, 2)


def test_the_chain_key_is_a_0600_file_in_the_data_dir_unless_the_environment_gives_one(
    settings: SettingsWrapper,
) -> None:
    path = Path(settings.DATA_DIR) / "keys" / keys.AUDIT_CHAIN
    _, key = keys.audit_chain_key()
    assert path.read_text().strip() == key.hex()
    assert path.stat().st_mode & 0o077 == 0
    settings.AUDIT_KEY = "ab" * 32
    assert keys.audit_chain_key() == (keys.key_id(bytes.fromhex("ab" * 32)), bytes.fromhex("ab" * 32))
    assert keys.audit_checkpoint_key()[1] != bytes.fromhex("ab" * 32)


def test_a_chain_recomputed_without_the_key_is_detected(empty_log: None) -> None:
    build_chain(5)
    rewrite_without_the_key(from_seq=3, claim_legacy=False, actor_label="Người khác")
    result = audit.verify()
    assert not result.ok
    assert result.broken_seq == 3


def test_a_chain_recomputed_without_the_key_and_claimed_legacy_past_a_keyed_event_is_detected(
    empty_log: None,
) -> None:
    build_chain(5)
    rewrite_without_the_key(from_seq=3, after={"n": 30})
    assert audit.verify() == audit.Verification(False, 2, 3, "unkeyed_after_keyed")


def test_events_sealed_under_another_key_are_named(empty_log: None, settings: SettingsWrapper) -> None:
    build_chain(2)
    settings.AUDIT_KEY = "cd" * 32  # a node configured with another key
    assert audit.verify() == audit.Verification(False, 0, 1, "unknown_key")


def test_legacy_events_written_before_the_key_still_verify(empty_log: None) -> None:
    """An upgraded database: its unkeyed events keep their SHA-256; keyed events follow them."""
    build_chain(3)
    rewrite_without_the_key(from_seq=1)  # what the events written before this version look like
    assert {e.key_id for e in AuditEvent.objects.all()} == {""}
    assert audit.verify() == audit.Verification(True, 3)
    build_chain(2)
    assert [e.key_id != "" for e in AuditEvent.objects.order_by("pk")] == [False] * 3 + [True] * 2
    assert audit.verify() == audit.Verification(True, 5)


# --- checkpoints --------------------------------------------------------------------------------


def test_checkpoints_follow_the_first_keyed_event_and_every_nth(
    empty_log: None, checkpoint_file: Path, committed: Callable[[int], list[AuditEvent]]
) -> None:
    events = committed(9)
    written = lines(checkpoint_file)
    assert [(c["chain"], c["seq"], c["hash"]) for c in written] == [
        (e.chain, e.seq, e.hash) for e in (events[0], events[3], events[7])
    ]
    _, key = keys.audit_checkpoint_key()
    for line in written:
        fields = {k: v for k, v in line.items() if k != "mac"}
        canonical = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        assert line["mac"] == hmac.new(key, canonical.encode(), hashlib.sha256).hexdigest()
    assert checkpoint_file.stat().st_mode & 0o077 == 0
    assert audit.verify() == audit.Verification(True, 9, checkpoints=3)


def test_a_rolled_back_event_writes_no_checkpoint(
    empty_log: None, checkpoint_file: Path, django_capture_on_commit_callbacks: Commits
) -> None:
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        build_chain(4)
        transaction.set_rollback(True)
    assert not checkpoint_file.exists()


def test_a_whole_chain_rewritten_as_legacy_is_caught_by_the_checkpoints(
    empty_log: None, checkpoint_file: Path, committed: Callable[[int], list[AuditEvent]]
) -> None:
    """Unkeyed events are accepted before the first keyed one; a chain rewritten entirely so, with
    every hash and the head recomputed, is consistent in itself. The checkpoints are not."""
    committed(6)
    # Only the main chain may hold unkeyed events: the rewrite moves them there, and the checkpoints
    # of the chain they left name events that are gone.
    rewrite_without_the_key(from_seq=1, after={"n": 10, "note": "sửa"})
    assert audit.verify() == audit.Verification(False, 0, 1, "checkpoint_ahead")


def test_a_truncated_chain_with_its_head_moved_back_is_caught_by_the_checkpoints(
    empty_log: None, checkpoint_file: Path, committed: Callable[[int], list[AuditEvent]]
) -> None:
    events = committed(6)
    with append_only_lifted():
        AuditEvent.objects.filter(seq__gte=4).delete()
    AuditChainHead.objects.exclude(chain=audit.MAIN).update(last_seq=3, last_hash=events[2].hash)
    assert audit.verify() == audit.Verification(False, 3, 4, "checkpoint_ahead")


@pytest.mark.parametrize(
    "forge",
    [
        lambda line: {**line, "hash": "0" * 64},
        lambda line: {**line, "seq": line["seq"] + 1},
        lambda line: {**line, "mac": "f" * 64},
        lambda line: {k: v for k, v in line.items() if k != "mac"},
        lambda line: "not json",
    ],
    ids=["hash", "seq", "mac", "no-mac", "garbage"],
)
def test_a_forged_checkpoint_is_named(
    empty_log: None,
    checkpoint_file: Path,
    committed: Callable[[int], list[AuditEvent]],
    forge: Callable[[dict[str, Any]], Any],
) -> None:
    committed(4)
    forged = forge(lines(checkpoint_file)[0])
    with checkpoint_file.open("a") as fh:
        fh.write((forged if isinstance(forged, str) else json.dumps(forged)) + "\n")
    result = audit.verify()
    assert (result.ok, result.reason) == (False, "checkpoint_forged")


def test_checkpoints_under_another_key_are_named_after_the_chain(
    empty_log: None, checkpoint_file: Path, committed: Callable[[int], list[AuditEvent]], settings: SettingsWrapper
) -> None:
    committed(4)
    settings.AUDIT_CHECKPOINT_KEY = "ef" * 32  # a node configured with another checkpoint key
    result = audit.verify()
    assert (result.ok, result.reason) == (False, "checkpoint_unknown_key")
    settings.AUDIT_KEY = "cd" * 32  # and another chain key: the chain's fault comes first
    assert audit.verify() == audit.Verification(False, 0, 1, "unknown_key")


def test_events_without_any_checkpoint_are_not_vouched_for(empty_log: None, checkpoint_file: Path) -> None:
    build_chain(2)  # never committed: no checkpoint was written
    assert audit.verify() == audit.Verification(False, 0, 1, "no_checkpoint")


def test_an_empty_log_needs_no_checkpoint(empty_log: None, checkpoint_file: Path) -> None:
    assert audit.verify() == audit.Verification(True, 0)
    assert audit.checkpoint() == (audit.Verification(True, 0), [])
    assert not checkpoint_file.exists()


def test_the_checkpoint_command_pins_a_verified_chain_and_refuses_a_broken_one(
    empty_log: None, checkpoint_file: Path
) -> None:
    events = build_chain(3)
    # Legacy events only (an upgraded database): pinned on demand.
    rewrite_without_the_key(from_seq=1)
    result, written = audit.checkpoint()
    assert result == audit.Verification(False, 0, 1, "no_checkpoint")
    assert written == []

    checkpoint_file.parent.mkdir(parents=True)
    audit_checkpoints.write(seq=1, hash=event(1).hash)
    result, written = audit.checkpoint()
    assert result.ok
    assert [(mark.chain, mark.seq, mark.hash) for mark in written] == [(audit.MAIN, 3, event(3).hash)]
    assert audit.verify() == audit.Verification(True, 3, checkpoints=2)

    with append_only_lifted():
        AuditEvent.objects.filter(seq=2).update(actor_label="Kẻ gian")
    result, written = audit.checkpoint()
    assert (result.ok, written) == (False, [])
    assert len(lines(checkpoint_file)) == 2
    assert events[0].seq == 1


@dataclasses.dataclass
class _AppendAndPinBeforeQuery:
    """Records one event and writes its checkpoint just before verify()'s query number ``position``."""

    position: int
    seen: int = 0
    busy: bool = False
    done: bool = False

    def __call__(self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        if not self.busy:
            if self.seen == self.position:
                self.busy = True
                try:
                    added = audit.record(PeopleAction.SIGNOUT, actor=None, after={"during": "verify"})
                    audit_checkpoints.write(seq=added.seq, hash=added.hash, chain=added.chain)
                finally:
                    self.busy, self.done = False, True
            self.seen += 1
        return execute(sql, params, many, context)


def test_an_event_pinned_while_verify_runs_is_not_taken_for_tampering(
    empty_log: None, checkpoint_file: Path, committed: Callable[[int], list[AuditEvent]]
) -> None:
    """Another process may append and pin between any two of verify()'s queries."""
    committed(3)
    with CaptureQueriesContext(connection) as queries:
        assert audit.verify().ok
    for position in range(len(queries.captured_queries) + 1):
        append = _AppendAndPinBeforeQuery(position)
        with connection.execute_wrapper(append):
            result = audit.verify()
        assert result.ok, (position, result)
    assert audit.verify().ok
