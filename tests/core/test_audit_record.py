"""The hash-chained audit log: what record() stores and what verify() catches.

Tampering needs what an intruder with SQL access would do: switch off the trigger that makes the table
append-only. That DDL runs inside the test's transaction and is undone with it on both SQLite and
PostgreSQL (``test_lifting_the_trigger_is_undone_by_rollback``); ``append_only_lifted`` also puts the
trigger back as soon as the tampering is done, so everything after it runs under the real rules.
"""

from __future__ import annotations

import itertools
import json
from typing import Any

import pytest
from django.db import DatabaseError, connection, transaction
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from dinhdanh.core import audit
from dinhdanh.core.context import reset_request_id, set_request_id
from dinhdanh.core.models import AuditChainHead, AuditEvent
from dinhdanh.demo.audit_actions import DemoAction
from dinhdanh.people.audit_actions import PeopleAction
from dinhdanh.people.services import user_create
from tests.conftest import PASSWORD, make_user
from tests.core.audit_support import (
    HEX,
    _lift,
    append_only_lifted,
    build_chain,
    stored_json,
)

pytestmark = pytest.mark.django_db

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
    head = AuditChainHead.objects.exclude(chain=audit.MAIN).get()
    assert (head.last_seq, head.last_hash) == (5, stored[-1].hash)
    assert audit.verify() == audit.Verification(ok=True, checked=5)


def test_an_empty_log_verifies(empty_log: None) -> None:
    assert audit.verify() == audit.Verification(ok=True, checked=0)


def test_the_chain_continues_after_the_events_already_there() -> None:
    tip = AuditEvent.objects.order_by("-seq").first()
    added = audit.record(PeopleAction.SIGNOUT, actor=None)
    assert added.seq == (tip.seq + 1 if tip else 1)
    assert added.prev_hash == (tip.hash if tip else audit.GENESIS)
    assert audit.verify().ok


def test_a_decision_that_fails_after_its_event_leaves_neither_event_nor_head_moved(empty_log: None) -> None:
    # record() joins the service's transaction without a savepoint of its own (decision 0039): what the
    # service rolls back takes the event and the head's move with it.
    kept = audit.record(DemoAction.DEMO_LOADED, actor=None, object_type="demo", object_id="kept")

    def failing_decision() -> None:
        with transaction.atomic():
            audit.record(DemoAction.DEMO_LOADED, actor=None, object_type="demo", object_id="lost")
            raise RuntimeError("the decision failed after its audit")

    with pytest.raises(RuntimeError):
        failing_decision()
    assert list(AuditEvent.objects.values_list("object_id", flat=True)) == ["kept"]
    assert AuditChainHead.objects.get(chain=kept.chain).last_seq == 1
    audit.record(DemoAction.DEMO_LOADED, actor=None, object_type="demo", object_id="next")
    assert list(AuditEvent.objects.order_by("seq").values_list("seq", "object_id")) == [(1, "kept"), (2, "next")]
    assert audit.verify().ok


def test_record_names_the_object_and_the_actor(empty_log: None) -> None:
    user = make_user("Trần Thị Bích")
    by_user = audit.record(PeopleAction.SIGNIN_SUCCEEDED, actor=user, obj=user, after={"level": 2})
    assert (by_user.object_type, by_user.object_id) == ("people.user", str(user.pk))
    assert by_user.actor_id == user.pk
    assert by_user.actor_label == user.audit_label
    assert "Trần Thị Bích" in by_user.actor_label

    by_system = audit.record(DemoAction.DEMO_LOADED, actor=None)
    assert (by_system.actor_id, by_system.actor_label) == (None, "system")
    assert (by_system.object_type, by_system.object_id, by_system.after) == ("", "", None)
    assert audit.verify().ok


def test_an_actor_with_the_longest_name_still_fits() -> None:
    # 200 characters is the longest full name accepted; with the masked ID it exceeds the column.
    user = make_user("Nguyễn " + "A" * 193)
    recorded = audit.record(PeopleAction.SIGNIN_SUCCEEDED, actor=user)
    recorded.refresh_from_db()
    assert len(recorded.actor_label) <= 200
    assert recorded.actor_label.startswith("Nguyễn AAAA")
    assert audit.verify().ok


def test_the_request_id_is_recorded() -> None:
    token = set_request_id("req-0123456789abcdef")
    try:
        with_id = audit.record(PeopleAction.SIGNOUT, actor=None)
    finally:
        reset_request_id(token)
    without_id = audit.record(PeopleAction.SIGNOUT, actor=None)

    assert AuditEvent.objects.get(pk=with_id.pk).request_id == "req-0123456789abcdef"
    assert AuditEvent.objects.get(pk=without_id.pk).request_id == ""
    assert audit.verify().ok


def test_an_oversized_request_id_is_cut_to_the_column() -> None:
    token = set_request_id("r" * 500)
    try:
        recorded = audit.record(PeopleAction.SIGNOUT, actor=None)
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
    recorded = audit.record(PeopleAction.SIGNIN_FAILED, actor=None, before=payload, after=payload)

    text = stored_json(recorded)
    assert audit.REDACTED in text
    for secret in SECRETS:
        assert secret not in text
    assert audit.verify().ok


def test_redaction_keeps_the_shape_and_the_harmless_values() -> None:
    recorded = audit.record(
        PeopleAction.SIGNIN_FAILED,
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
    created = AuditEvent.objects.get(action=PeopleAction.USER_CREATED, object_id=str(user.pk))
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
    recorded = audit.record(PeopleAction.SIGNIN_FAILED, actor=None, after={"value": value})
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
        recorded = audit.record(PeopleAction.SIGNIN_FAILED, actor=None, before=before, after={"v": after})
        stored = AuditEvent.objects.get(pk=recorded.pk)
        assert (stored.before, stored.after) == (recorded.before, recorded.after)
        assert audit.verify().ok
        transaction.set_rollback(True)


# --- the append-only rule -----------------------------------------------------------------------


def test_the_orm_cannot_change_a_recorded_event() -> None:
    recorded = audit.record(PeopleAction.SIGNOUT, actor=None, after={"n": 1})

    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=recorded.pk).update(actor_label="Người khác")
    recorded.after = {"n": 2}
    with pytest.raises(DatabaseError), transaction.atomic():
        recorded.save()
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=recorded.pk).update(seq=10**9)

    assert AuditEvent.objects.get(pk=recorded.pk).after == {"n": 1}
    assert audit.verify().ok


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE core_auditevent SET actor_label = 'Kẻ gian' WHERE seq = 2",
        "UPDATE core_auditevent SET hash = prev_hash",
        "DELETE FROM core_auditevent WHERE seq = 2",
        "DELETE FROM core_auditevent",
    ],
)
def test_raw_sql_update_and_delete_are_refused_on_every_database(empty_log: None, sql: str) -> None:
    """The running database (migrated like production) refuses them, SQLite as well as PostgreSQL."""
    build_chain(3)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)
    assert AuditEvent.objects.count() == 3
    assert audit.verify() == audit.Verification(True, 3)


def test_the_orm_cannot_delete_a_recorded_event(empty_log: None) -> None:
    build_chain(3)
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(seq=2).delete()
    assert AuditEvent.objects.count() == 3


def test_a_deletion_past_the_trigger_is_caught_by_verify(empty_log: None) -> None:
    build_chain(3)
    with append_only_lifted():
        AuditEvent.objects.filter(seq=2).delete()
    assert audit.verify() == audit.Verification(False, 1, 2, "missing")


def test_lifting_the_trigger_is_undone_by_rollback() -> None:
    """The tamper tests rely on the test transaction to undo their DDL; check that it does."""
    recorded = audit.record(PeopleAction.SIGNOUT, actor=None)
    with transaction.atomic():
        with connection.cursor() as cursor:
            _lift(cursor)
        AuditEvent.objects.filter(pk=recorded.pk).update(actor_label="Kẻ gian")
        transaction.set_rollback(True)

    assert AuditEvent.objects.get(pk=recorded.pk).actor_label == "system"
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=recorded.pk).update(actor_label="Kẻ gian")
