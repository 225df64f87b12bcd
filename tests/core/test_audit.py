"""The hash-chained audit log: what record() stores and what verify() catches.

Tampering needs what an intruder with SQL access would do: switch off the trigger that makes the table
append-only. That DDL runs inside the test's transaction and is undone with it on both SQLite and
PostgreSQL (``test_lifting_the_trigger_is_undone_by_rollback``); ``append_only_lifted`` also puts the
trigger back as soon as the tampering is done, so everything after it runs under the real rules.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from importlib import import_module
from typing import Any

import pytest
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from dinhdanh.core import audit
from dinhdanh.core.audit_codes import AuditAction
from dinhdanh.core.context import reset_request_id, set_request_id
from dinhdanh.core.models import AuditChainHead, AuditEvent
from dinhdanh.people.services import user_create
from tests.conftest import PASSWORD, make_user

pytestmark = pytest.mark.django_db

_MIGRATION = import_module("dinhdanh.core.migrations.0003_audit_append_only")
HEX = "0123456789abcdef"


# --- helpers ------------------------------------------------------------------------------------


def _lift(cursor: Any) -> None:
    if connection.vendor == "postgresql":
        # ALTER TABLE is refused while this transaction still has deferred foreign-key checks pending.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("ALTER TABLE core_auditevent DISABLE TRIGGER core_auditevent_no_change")
    else:
        cursor.execute("DROP TRIGGER core_auditevent_no_update")


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
    AuditChainHead.objects.update_or_create(pk=1, defaults={"last_seq": 0, "last_hash": audit.GENESIS})


@pytest.fixture
def empty_log() -> None:
    start_empty_log()


def build_chain(n: int) -> list[AuditEvent]:
    return [
        audit.record(
            AuditAction.SIGNIN_SUCCEEDED,
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
        forged = audit.record(AuditAction.SIGNOUT, actor=None, **payload)
        transaction.set_rollback(True)
    return copy_of(forged)


# --- record() -----------------------------------------------------------------------------------


def test_record_builds_a_gapless_chain_from_genesis(empty_log: None) -> None:
    events = build_chain(5)

    stored = list(AuditEvent.objects.order_by("seq"))
    assert [e.seq for e in stored] == [1, 2, 3, 4, 5]
    assert stored[0].prev_hash == audit.GENESIS
    for earlier, later in itertools.pairwise(stored):
        assert later.prev_hash == earlier.hash
    assert len({e.hash for e in stored}) == 5
    assert all(len(e.hash) == 64 and set(e.hash) <= set(HEX) for e in stored)
    assert [e.hash for e in stored] == [e.hash for e in events]
    head = AuditChainHead.objects.get(pk=1)
    assert (head.last_seq, head.last_hash) == (5, stored[-1].hash)
    assert audit.verify() == audit.Verification(ok=True, checked=5)


def test_an_empty_log_verifies(empty_log: None) -> None:
    assert audit.verify() == audit.Verification(ok=True, checked=0)


def test_the_chain_continues_after_the_events_already_there() -> None:
    tip = AuditEvent.objects.order_by("-seq").first()
    added = audit.record(AuditAction.SIGNOUT, actor=None)
    assert added.seq == (tip.seq + 1 if tip else 1)
    assert added.prev_hash == (tip.hash if tip else audit.GENESIS)
    assert audit.verify().ok


def test_record_names_the_object_and_the_actor(empty_log: None) -> None:
    user = make_user("Trần Thị Bích")
    by_user = audit.record(AuditAction.SIGNIN_SUCCEEDED, actor=user, obj=user, after={"level": 2})
    assert (by_user.object_type, by_user.object_id) == ("people.user", str(user.pk))
    assert by_user.actor_id == user.pk
    assert by_user.actor_label == user.audit_label
    assert "Trần Thị Bích" in by_user.actor_label

    by_system = audit.record(AuditAction.DEMO_LOADED, actor=None)
    assert (by_system.actor_id, by_system.actor_label) == (None, "system")
    assert (by_system.object_type, by_system.object_id, by_system.after) == ("", "", None)
    assert audit.verify().ok


def test_an_actor_with_the_longest_name_still_fits() -> None:
    # 200 characters is the longest full name accepted; with the masked ID it exceeds the column.
    user = make_user("Nguyễn " + "A" * 193)
    recorded = audit.record(AuditAction.SIGNIN_SUCCEEDED, actor=user)
    recorded.refresh_from_db()
    assert len(recorded.actor_label) <= 200
    assert recorded.actor_label.startswith("Nguyễn AAAA")
    assert audit.verify().ok


def test_the_request_id_is_recorded() -> None:
    token = set_request_id("req-0123456789abcdef")
    try:
        with_id = audit.record(AuditAction.SIGNOUT, actor=None)
    finally:
        reset_request_id(token)
    without_id = audit.record(AuditAction.SIGNOUT, actor=None)

    assert AuditEvent.objects.get(pk=with_id.pk).request_id == "req-0123456789abcdef"
    assert AuditEvent.objects.get(pk=without_id.pk).request_id == ""
    assert audit.verify().ok


def test_an_oversized_request_id_is_cut_to_the_column() -> None:
    token = set_request_id("r" * 500)
    try:
        recorded = audit.record(AuditAction.SIGNOUT, actor=None)
    finally:
        reset_request_id(token)
    assert AuditEvent.objects.get(pk=recorded.pk).request_id == "r" * 64
    assert audit.verify().ok


SECRETS = ["hunter2-pw", "0911900012345", "tok-abcdef", "otp-424242", "s3cr3t-answer", "api-key-99"]


@pytest.mark.parametrize(
    "payload",
    [
        {"password": "hunter2-pw"},
        {"Password": "hunter2-pw", "PERSONAL_ID": "0911900012345"},
        {"new_password1": "hunter2-pw", "representative_id": "0911900012345"},
        {"access_token": "tok-abcdef", "otp_code": "otp-424242", "secret_answer": "s3cr3t-answer"},
        {"api_key": "api-key-99", "id_number": "0911900012345"},
        {"user": {"profile": {"personal_id": "0911900012345", "name": "An"}}},
        {"factors": [{"kind": "sms", "otp": "otp-424242"}, {"kind": "app", "secret": "s3cr3t-answer"}]},
        {"rows": [[{"token": "tok-abcdef"}]], "nested": ({"password": "hunter2-pw"},)},
        {"password": {"old": "hunter2-pw", "new": "hunter2-pw"}},
        {"token": ["tok-abcdef", "tok-abcdef"]},
    ],
)
def test_sensitive_values_never_reach_the_database(payload: dict[str, Any]) -> None:
    recorded = audit.record(AuditAction.SIGNIN_FAILED, actor=None, before=payload, after=payload)

    text = stored_json(recorded)
    assert audit.REDACTED in text
    for secret in SECRETS:
        assert secret not in text
    assert audit.verify().ok


def test_redaction_keeps_the_shape_and_the_harmless_values() -> None:
    recorded = audit.record(
        AuditAction.SIGNIN_FAILED,
        actor=None,
        after={
            "name": "An",
            "password": "hunter2-pw",
            "factors": [{"kind": "sms", "otp": "otp-424242"}],
            "profile": {"personal_id": {"value": "0911900012345"}, "level": 2},
        },
    )
    assert AuditEvent.objects.get(pk=recorded.pk).after == {
        "name": "An",
        "password": "***",
        "factors": [{"kind": "sms", "otp": "***"}],
        "profile": {"personal_id": "***", "level": 2},
    }


def test_creating_an_account_does_not_log_the_personal_id() -> None:
    user = user_create(actor=None, personal_id="001190054321", full_name="Lê Văn Bình", password=PASSWORD)
    created = AuditEvent.objects.get(action=AuditAction.USER_CREATED, object_id=str(user.pk))
    assert "001190054321" not in stored_json(created)
    assert "001190054321" not in created.actor_label


@pytest.mark.parametrize(
    "value",
    [
        "nul\x00inside",
        "lone \ud800 surrogate",
        float("nan"),
        float("inf"),
        -float("inf"),
        1e16,
        1.5e17,
        1e300,
        -0.0,
        5e-324,
        2**70,
        {"k\x00ey": ["\udfff", 1e20]},
    ],
)
def test_awkward_values_are_stored_and_still_verify(value: Any) -> None:
    """Hostile or unusual payloads must neither make the audited action fail nor pass for tampering."""
    recorded = audit.record(AuditAction.SIGNIN_FAILED, actor=None, after={"value": value})
    stored = AuditEvent.objects.get(pk=recorded.pk)
    assert stored.after == recorded.after
    assert "\x00" not in json.dumps(stored.after)
    assert audit.verify().ok


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**80), max_value=2**80)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
)


@hypothesis_settings(max_examples=25, deadline=None)
@given(before=st.dictionaries(st.text(max_size=8), json_values, max_size=4), after=json_values)
def test_any_json_payload_round_trips_through_the_database(before: dict[str, Any], after: Any) -> None:
    with transaction.atomic():
        recorded = audit.record(AuditAction.SIGNIN_FAILED, actor=None, before=before, after={"v": after})
        stored = AuditEvent.objects.get(pk=recorded.pk)
        assert (stored.before, stored.after) == (recorded.before, recorded.after)
        assert audit.verify().ok
        transaction.set_rollback(True)


# --- the append-only rule -----------------------------------------------------------------------


def test_the_orm_cannot_change_a_recorded_event() -> None:
    recorded = audit.record(AuditAction.SIGNOUT, actor=None, after={"n": 1})

    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=recorded.pk).update(actor_label="Người khác")
    recorded.after = {"n": 2}
    with pytest.raises(DatabaseError), transaction.atomic():
        recorded.save()
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=recorded.pk).update(seq=10**9)

    assert AuditEvent.objects.get(pk=recorded.pk).after == {"n": 1}
    assert audit.verify().ok


def test_deleting_is_refused_by_postgresql_and_caught_by_verify_everywhere(empty_log: None) -> None:
    build_chain(3)
    if connection.vendor == "postgresql":
        with pytest.raises(DatabaseError), transaction.atomic():
            AuditEvent.objects.filter(seq=2).delete()
        assert AuditEvent.objects.count() == 3
        with append_only_lifted():
            AuditEvent.objects.filter(seq=2).delete()
    else:
        # SQLite has no DELETE trigger (the test flush deletes rows); verify() is the guard there.
        AuditEvent.objects.filter(seq=2).delete()
    assert audit.verify() == audit.Verification(False, 1, 2, "missing")


def test_lifting_the_trigger_is_undone_by_rollback() -> None:
    """The tamper tests rely on the test transaction to undo their DDL; check that it does."""
    recorded = audit.record(AuditAction.SIGNOUT, actor=None)
    with transaction.atomic():
        with connection.cursor() as cursor:
            _lift(cursor)
        AuditEvent.objects.filter(pk=recorded.pk).update(actor_label="Kẻ gian")
        transaction.set_rollback(True)

    assert AuditEvent.objects.get(pk=recorded.pk).actor_label == "system"
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=recorded.pk).update(actor_label="Kẻ gian")


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
        {"action": AuditAction.SIGNIN_FAILED.value},
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
    audit.record(AuditAction.SIGNOUT, actor=None, after={"n": "bản gốc"})
    with append_only_lifted():
        AuditEvent.objects.filter(seq=4).update(
            **{f: getattr(rewritten, f) for f in ("occurred_at", "after", "hash")}
        )
    assert audit.verify() == audit.Verification(False, 3, 4, "head_mismatch")


def test_moving_the_head_back_does_not_hide_the_newer_events(empty_log: None) -> None:
    events = build_chain(4)
    AuditChainHead.objects.filter(pk=1).update(last_seq=2, last_hash=events[1].hash)
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
                    audit.record(AuditAction.SIGNOUT, actor=None, after={"during": "verify"})
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
            victim.update(action=AuditAction.ACCESS_DENIED.value)
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
