"""Level 1 review by an officer, and looking people up by number: every decision and every look-up
audited, refusals writing nothing (split from ``test_levels``)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from dinhdanh.core.calendar import current_calendar
from dinhdanh.core.errors import CoreError, DomainError
from dinhdanh.core.models import AuditEvent
from dinhdanh.notifications.models import Message
from dinhdanh.people import selectors
from dinhdanh.people.audit_actions import PeopleAction
from dinhdanh.people.errors import PeopleError
from dinhdanh.people.models import AccountLevel, LevelRequest, RequestStatus, User
from dinhdanh.people.models.accounts import CardKind
from dinhdanh.people.services.levels import CardCheck, level1_open, level1_review, level2_raise
from tests.conftest import make_user
from tests.people.test_levels import audit_text, commune, intake, number, person, snapshot

pytestmark = pytest.mark.django_db


# --- level 1 review -------------------------------------------------------------------------------------


def pending(level: AccountLevel = AccountLevel.NONE) -> LevelRequest:
    user, _pid = person(level)
    return level1_open(user=user, checks={"review": "required"}, received_at=timezone.now())


def test_level1_without_review_is_approved_at_once() -> None:
    user, _pid = person(AccountLevel.NONE)
    request = level1_open(user=user, checks={"review": "not_required"}, received_at=timezone.now())
    assert request.status == RequestStatus.APPROVED
    assert request.decided_by is None
    assert User.objects.get(pk=user.pk).level == AccountLevel.LEVEL_1


def test_level1_review_is_due_within_one_working_day_and_approval_is_audited() -> None:
    request = pending()
    assert request.status == RequestStatus.PENDING
    assert request.due_at == current_calendar().deadline(request.received_at, 1, working=True)
    officer = intake()
    level1_review(actor=officer, request_id=request.pk, approve=True)
    request.refresh_from_db()
    assert (request.status, request.decided_by) == (RequestStatus.APPROVED, officer)
    assert User.objects.get(pk=request.user_id).level == AccountLevel.LEVEL_1
    event = AuditEvent.objects.get(action=PeopleAction.LEVEL_APPROVED, actor=officer)
    assert event.before == {"level": 0}
    assert event.after is not None
    assert event.after["level"] == 1
    assert Message.objects.filter(user_id=request.user_id, template="level_changed").exists()


def test_a_rejection_keeps_the_level_records_the_reason_and_tells_the_person() -> None:
    request = pending()
    level1_review(actor=intake(), request_id=request.pk, approve=False, reason="Ảnh chân dung không rõ mặt")
    request.refresh_from_db()
    assert (request.status, request.reason) == (RequestStatus.REJECTED, "Ảnh chân dung không rõ mặt")
    assert User.objects.get(pk=request.user_id).level == AccountLevel.NONE
    event = AuditEvent.objects.get(action=PeopleAction.LEVEL_REJECTED)
    assert event.after == {"request": request.pk, "reason": "Ảnh chân dung không rõ mặt"}
    message = Message.objects.get(user_id=request.user_id, template="level_rejected", channel="email")
    assert message.params == {"reason": "Ảnh chân dung không rõ mặt"}


@pytest.mark.parametrize(
    ("reason", "error"),
    [
        ("", PeopleError.REASON_REQUIRED),
        ("   \t\n ", PeopleError.REASON_REQUIRED),
        ("\u200b", PeopleError.REASON_REQUIRED),
        ("Lý do\x00", CoreError.CONTROL_CHARACTERS),
        ("Lý do\x1b[31m", CoreError.CONTROL_CHARACTERS),
        ("x" * 1024, CoreError.TOO_LONG),
    ],
)
def test_a_rejection_needs_a_clean_reason_and_writes_nothing_otherwise(reason: str, error: object) -> None:
    request = pending()
    officer = intake()
    events, requests, messages = snapshot()
    with pytest.raises(DomainError) as exc:
        level1_review(actor=officer, request_id=request.pk, approve=False, reason=reason)
    assert exc.value.error is error
    assert snapshot() == (events, requests, messages)
    assert LevelRequest.objects.get(pk=request.pk).status == RequestStatus.PENDING


def test_a_request_is_decided_once() -> None:
    request = pending()
    officer = intake()
    level1_review(actor=officer, request_id=request.pk, approve=True)
    events, requests, messages = snapshot()
    for approve, reason in ((True, ""), (False, "Đổi ý")):
        with pytest.raises(DomainError) as exc:
            level1_review(actor=officer, request_id=request.pk, approve=approve, reason=reason)
        assert exc.value.error is PeopleError.LEVEL_NOT_PENDING
    assert snapshot() == (events, requests, messages)


def test_level1_review_refuses_citizens_unknown_ids_and_level2_requests() -> None:
    request = pending()
    with pytest.raises(DomainError) as exc:
        level1_review(actor=make_user("Người Thường"), request_id=request.pk, approve=True)
    assert exc.value.error is CoreError.PERMISSION_DENIED
    citizen, pid = person()
    raised = level2_raise(actor=intake(), user=citizen, card=CardCheck(CardKind.CCCD, pid), unit=commune())
    for request_id in (raised.pk, 10**9, -1):
        with pytest.raises(DomainError) as exc:
            level1_review(actor=intake(), request_id=request_id, approve=True)
        assert exc.value.error is PeopleError.PERSON_NOT_FOUND
    assert LevelRequest.objects.get(pk=request.pk).status == RequestStatus.PENDING


# --- lookups by number ----------------------------------------------------------------------------------


def test_every_lookup_is_audited_found_or_not_without_the_number() -> None:
    officer = intake()
    citizen, pid = person()
    nobody = number()
    assert selectors.person_by_number(actor=officer, personal_id=pid) == citizen
    with pytest.raises(DomainError) as exc:
        selectors.person_by_number(actor=officer, personal_id=nobody)
    assert exc.value.error is PeopleError.PERSON_NOT_FOUND
    lookups = AuditEvent.objects.filter(action=PeopleAction.PERSON_LOOKED_UP).order_by("pk")
    assert [(e.actor_id, e.object_id, e.after) for e in lookups] == [
        (officer.pk, str(citizen.pk), {"found": True}),
        (officer.pk, "", {"found": False}),
    ]
    assert pid not in audit_text()
    assert nobody not in audit_text()


def test_a_citizen_cannot_look_people_up() -> None:
    _citizen, pid = person()
    with pytest.raises(DomainError) as exc:
        selectors.person_by_number(actor=make_user("Người Tò Mò"), personal_id=pid)
    assert exc.value.error is CoreError.PERMISSION_DENIED
    assert not AuditEvent.objects.filter(action=PeopleAction.PERSON_LOOKED_UP).exists()
