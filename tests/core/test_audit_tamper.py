"""verify() on tampered chains: every edit, deletion, insertion or reordering is named."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from dinhdanh.core import audit
from dinhdanh.core.audit_actions import KernelAction
from dinhdanh.core.models import AuditChainHead, AuditEvent
from dinhdanh.people.audit_actions import PeopleAction
from tests.core.audit_support import (
    HEX,
    append_only_lifted,
    build_chain,
    copy_of,
    event,
    shift_up_from,
    start_empty_log,
    swap,
    would_be_next,
)

pytestmark = pytest.mark.django_db

# --- verify() on a tampered chain ----------------------------------------------------------------


def test_an_edited_after_value_is_named(empty_log: None) -> None:
    build_chain(5)
    with append_only_lifted():
        AuditEvent.objects.filter(seq=3).update(after={"n": 30, "note": "sự kiện 3"})
    assert audit.verify() == audit.Verification(False, 2, 3, "content_mismatch")


def test_an_edited_actor_label_is_named(empty_log: None) -> None:
    build_chain(5)
    with append_only_lifted():
        AuditEvent.objects.filter(seq=4).update(actor_label="Nguyễn Văn Giả (0011******21)")
    assert audit.verify() == audit.Verification(False, 3, 4, "content_mismatch")


@pytest.mark.parametrize(
    "change",
    [
        {"before": {"n": 0}},
        {"after": None},
        {"action": PeopleAction.SIGNIN_FAILED.value},
        {"object_type": "people.user"},
        {"object_id": "999"},
        {"request_id": "forged-request-id"},
        {"hash": "f" * 64},
    ],
    ids=lambda change: next(iter(change)),
)
def test_any_edited_column_is_named(empty_log: None, change: dict[str, Any]) -> None:
    build_chain(4)
    with append_only_lifted():
        AuditEvent.objects.filter(seq=2).update(**change)
    assert audit.verify() == audit.Verification(False, 1, 2, "content_mismatch")


def test_an_edited_time_is_named(empty_log: None) -> None:
    events = build_chain(4)
    with append_only_lifted():
        AuditEvent.objects.filter(seq=2).update(occurred_at=events[1].occurred_at - timedelta(microseconds=1))
    assert audit.verify() == audit.Verification(False, 1, 2, "content_mismatch")


def test_an_edited_link_is_named(empty_log: None) -> None:
    build_chain(4)
    with append_only_lifted():
        AuditEvent.objects.filter(seq=3).update(prev_hash="0" * 63 + "1")
    assert audit.verify() == audit.Verification(False, 2, 3, "previous_hash_mismatch")


def test_a_deleted_middle_event_is_missing(empty_log: None) -> None:
    build_chain(5)
    with append_only_lifted():
        AuditEvent.objects.filter(seq=3).delete()
    assert audit.verify() == audit.Verification(False, 2, 3, "missing")


def test_a_deleted_first_event_is_missing(empty_log: None) -> None:
    build_chain(3)
    with append_only_lifted():
        AuditEvent.objects.filter(seq=1).delete()
    assert audit.verify() == audit.Verification(False, 0, 1, "missing")


def test_a_deleted_last_event_is_caught_through_the_head(empty_log: None) -> None:
    build_chain(5)
    with append_only_lifted():
        AuditEvent.objects.filter(seq=5).delete()
    assert audit.verify() == audit.Verification(False, 4, 5, "tail_missing")


def test_deleting_several_newest_events_names_the_first_of_them(empty_log: None) -> None:
    build_chain(5)
    with append_only_lifted():
        AuditEvent.objects.filter(seq__gte=3).delete()
    assert audit.verify() == audit.Verification(False, 2, 3, "tail_missing")


def test_deleting_every_event_is_caught(empty_log: None) -> None:
    build_chain(2)
    with append_only_lifted():
        AuditEvent.objects.all().delete()
    assert audit.verify() == audit.Verification(False, 0, 1, "tail_missing")


@pytest.mark.parametrize(("a", "b"), [(2, 3), (2, 4), (1, 5), (4, 5)])
def test_swapped_events_are_named(empty_log: None, a: int, b: int) -> None:
    build_chain(5)
    with append_only_lifted():
        swap(a, b)
    assert audit.verify() == audit.Verification(False, a - 1, a, "previous_hash_mismatch")


def test_an_event_inserted_with_a_forged_hash_is_named(empty_log: None) -> None:
    build_chain(5)
    template = event(3)
    with append_only_lifted():
        shift_up_from(3)
        copy_of(template, seq=3, after={"n": 99}, hash="ab" * 32).save(force_insert=True)
    assert audit.verify() == audit.Verification(False, 2, 3, "content_mismatch")


def test_a_well_formed_event_slipped_into_the_middle_breaks_the_next_link(empty_log: None) -> None:
    # An intruder who recomputes the inserted event's hash still cannot fix the link of the one after.
    build_chain(2)
    forged = would_be_next(after={"n": "chèn"})
    build_chain(2)
    with append_only_lifted():
        shift_up_from(3)
        forged.save(force_insert=True)
    assert audit.verify() == audit.Verification(False, 3, 4, "previous_hash_mismatch")


def test_an_event_appended_behind_records_back_is_named(empty_log: None) -> None:
    build_chain(3)
    forged = would_be_next(after={"n": "thêm"})  # a perfect seq 4, but the head never heard of it
    forged.save(force_insert=True)
    assert audit.verify() == audit.Verification(False, 3, 4, "not_in_head")


def test_an_appended_event_with_a_forged_hash_is_named(empty_log: None) -> None:
    build_chain(3)
    copy_of(event(3), seq=4, prev_hash=event(3).hash, hash="cd" * 32).save(force_insert=True)
    assert audit.verify() == audit.Verification(False, 3, 4, "not_in_head")


def test_the_newest_event_rewritten_with_its_hash_is_caught_through_the_head(empty_log: None) -> None:
    build_chain(3)
    rewritten = would_be_next(after={"n": "bản sửa"})
    audit.record(PeopleAction.SIGNOUT, actor=None, after={"n": "bản gốc"})
    with append_only_lifted():
        AuditEvent.objects.filter(seq=4).update(
            **{f: getattr(rewritten, f) for f in ("occurred_at", "after", "hash")}
        )
    assert audit.verify() == audit.Verification(False, 3, 4, "head_mismatch")


def test_moving_the_head_back_does_not_hide_the_newer_events(empty_log: None) -> None:
    events = build_chain(4)
    AuditChainHead.objects.exclude(chain=audit.MAIN).update(last_seq=2, last_hash=events[1].hash)
    assert audit.verify() == audit.Verification(False, 2, 3, "not_in_head")


def test_an_event_committed_while_verify_runs_is_not_taken_for_tampering(empty_log: None) -> None:
    """Another request may append between any two of verify()'s queries."""
    build_chain(3)
    with CaptureQueriesContext(connection) as queries:
        assert audit.verify().ok
    appended = 0
    for position in range(len(queries.captured_queries)):
        append = _AppendBeforeQuery(position)
        with connection.execute_wrapper(append):
            result = audit.verify()
        assert append.done
        appended += 1
        assert result.ok, (position, result)
    assert audit.verify() == audit.Verification(True, 3 + appended)


@dataclasses.dataclass
class _AppendBeforeQuery:
    """Records one event just before verify()'s query number ``position`` (0-based) is executed."""

    position: int
    seen: int = 0
    busy: bool = False
    done: bool = False

    def __call__(self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        if not self.busy:
            if self.seen == self.position:
                self.busy = True
                try:
                    audit.record(PeopleAction.SIGNOUT, actor=None, after={"during": "verify"})
                finally:
                    self.busy, self.done = False, True
            self.seen += 1
        return execute(sql, params, many, context)


# --- any single tampering is caught --------------------------------------------------------------

TAMPERINGS = (
    "edit_after",
    "edit_before",
    "edit_actor_label",
    "edit_action",
    "edit_time",
    "edit_hash",
    "edit_prev_hash",
    "delete",
    "swap",
    "insert_forged",
)


def _tamper(how: str, target: int, k: int, data: st.DataObject) -> int:
    """Apply one tampering around event ``target`` of a chain of ``k``; return the seq it touched first."""
    victim = AuditEvent.objects.filter(seq=target)
    original = event(target)
    match how:
        case "edit_after":
            victim.update(after={"n": data.draw(st.integers().filter(lambda n: n != target), label="n")})
        case "edit_before":
            victim.update(before={"n": target})
        case "edit_actor_label":
            label = st.text(st.characters(exclude_categories=("Cs", "Cc")), min_size=1, max_size=20)
            victim.update(actor_label=data.draw(label.filter(lambda t: t != "system"), label="label"))
        case "edit_action":
            victim.update(action=KernelAction.ACCESS_DENIED.value)
        case "edit_time":
            victim.update(
                occurred_at=original.occurred_at + timedelta(microseconds=data.draw(st.integers(1, 10**9)))
            )
        case "edit_hash":
            victim.update(
                hash=data.draw(st.text(HEX, min_size=64, max_size=64).filter(lambda h: h != original.hash))
            )
        case "edit_prev_hash":
            victim.update(
                prev_hash=data.draw(
                    st.text(HEX, min_size=64, max_size=64).filter(lambda h: h != original.prev_hash)
                )
            )
        case "delete":
            victim.delete()
        case "swap":
            other = data.draw(st.integers(1, k).filter(lambda s: s != target), label="other")
            swap(target, other)
            return min(target, other)
        case "insert_forged":
            forged_hash = data.draw(st.text(HEX, min_size=64, max_size=64), label="forged hash")
            shift_up_from(target)
            copy_of(original, after={"forged": True}, hash=forged_hash).save(force_insert=True)
    return target


@hypothesis_settings(max_examples=25, deadline=None)
@given(k=st.integers(2, 8), how=st.sampled_from(TAMPERINGS), data=st.data())
def test_any_single_tampering_is_caught_at_or_before_the_event_touched(
    k: int, how: str, data: st.DataObject
) -> None:
    with transaction.atomic():
        start_empty_log()
        build_chain(k)
        assert audit.verify() == audit.Verification(True, k)
        target = data.draw(st.integers(1, k), label="target")

        with append_only_lifted():
            touched = _tamper(how, target, k, data)
        result = audit.verify()

        assert not result.ok
        assert result.broken_seq is not None
        assert result.broken_seq <= touched
        assert result.checked == result.broken_seq - 1
        transaction.set_rollback(True)
