"""Locking and unlocking a personal account: at the holder's request at once, at an authority's with
its document and reason; sessions end, the holder is told, and everything is audited."""

from __future__ import annotations

import pytest
from django.test import Client
from hypothesis import HealthCheck, example, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from dinhdanh.core.access import AdministratorRole, Role
from dinhdanh.core.audit_actions import KernelAction
from dinhdanh.core.errors import CoreError, DomainError
from dinhdanh.core.models import AuditEvent
from dinhdanh.geo.models import AdministrativeUnit, Level
from dinhdanh.notifications.models import Message
from dinhdanh.people.audit_actions import PeopleAction
from dinhdanh.people.errors import PeopleError
from dinhdanh.people.models import AccountLock, AccountSession, LockKind, SignInEvent, SignInOutcome, User
from dinhdanh.people.permissions import PeopleRole
from dinhdanh.people.services.locks import lock_by_authority, lock_by_holder, unlock
from dinhdanh.registries.permissions import RegistryRole
from tests.conftest import PASSWORD, make_officer, make_user, signed_in, unit
from tests.web.support import html

pytestmark = pytest.mark.django_db

PID = "091085000777"
AUTHORITY = {"authority": "Cơ quan CSĐT Công an tỉnh An Giang", "document_ref": "123/CV-PC01"}
REASON = "Phục vụ điều tra vụ án"


def holder(personal_id: str | None = None) -> User:
    user = make_user("Đỗ Thị Mai", personal_id=personal_id)
    User.objects.filter(pk=user.pk).update(email="mai@example.vn")
    user.email = "mai@example.vn"
    return user


def reviewer(an_giang: AdministrativeUnit) -> User:
    return make_officer(PeopleRole.REVIEWING_OFFICER, an_giang, name="Cán bộ Thẩm Định")


def open_sessions(user: User) -> int:
    return AccountSession.objects.filter(user=user, revoked_at__isnull=True).count()


def state() -> tuple[int, int, int, int]:
    return (
        AuditEvent.objects.count(),
        AccountLock.objects.count(),
        Message.objects.count(),
        AccountSession.objects.filter(revoked_at__isnull=True).count(),
    )


def is_anonymous(client: Client) -> bool:
    response = client.get("/me/")
    return response.status_code == 302 and response["Location"].startswith("/signin/")


# --- the holder's own lock --------------------------------------------------------------------------------


def test_the_holder_locks_at_once_and_every_session_ends() -> None:
    user = holder()
    phone, laptop = signed_in(Client(), user), signed_in(Client(), user)
    assert not is_anonymous(phone)
    assert open_sessions(user) == 2

    lock = lock_by_holder(user=user, reason="Mất điện thoại")

    assert (lock.kind, lock.reason, lock.locked_by) == (LockKind.HOLDER, "Mất điện thoại", user)
    assert User.objects.get(pk=user.pk).is_locked
    assert open_sessions(user) == 0
    assert set(AccountSession.objects.filter(user=user).values_list("revoked_reason", flat=True)) == {"locked"}
    assert is_anonymous(phone)
    assert is_anonymous(laptop)
    event = AuditEvent.objects.get(action=PeopleAction.ACCOUNT_LOCKED)
    assert (event.actor_id, event.object_id) == (user.pk, str(user.pk))
    assert event.after == {
        "kind": "holder",
        "reason": "Mất điện thoại",
        "authority": "",
        "document": "",
        "sessions_ended": 2,
    }
    assert Message.objects.get(user=user, template="account_locked").params == {"kind": "holder"}


def test_a_holder_lock_needs_no_reason() -> None:
    user = holder()
    assert lock_by_holder(user=user).reason == "holder request"


def test_a_hostile_reason_never_stops_the_holders_lock() -> None:
    user = holder()
    lock = lock_by_holder(user=user, reason="Bị lộ mật khẩu\x00\x1b[2J\u202e" + "x" * 5000)
    assert User.objects.get(pk=user.pk).is_locked
    assert lock.reason.startswith("Bị lộ mật khẩu")
    assert len(lock.reason) <= 500
    assert all(ch.isprintable() for ch in lock.reason)


def test_locking_twice_is_refused_even_through_a_stale_copy() -> None:
    user = holder()
    stale = User.objects.get(pk=user.pk)
    lock_by_holder(user=user)
    before = state()
    for target in (user, stale):
        with pytest.raises(DomainError) as exc:
            lock_by_holder(user=target)
        assert exc.value.error is PeopleError.ALREADY_LOCKED
    assert state() == before


def test_a_locked_person_cannot_sign_in_even_with_the_right_password(client: Client) -> None:
    user = holder(personal_id=PID)
    lock_by_holder(user=user)
    response = client.post("/signin/", {"username": PID, "password": PASSWORD})
    page = html(response)
    assert response.status_code == 200
    assert "Tài khoản đang bị khóa." in page
    assert is_anonymous(client)
    assert open_sessions(user) == 0
    assert SignInEvent.objects.filter(user=user, outcome=SignInOutcome.LOCKED).count() == 1
    # A wrong password says nothing about the lock.
    wrong = html(client.post("/signin/", {"username": PID, "password": "not-the-password"}))
    assert "Số định danh hoặc mật khẩu không đúng." in wrong
    assert "bị khóa" not in wrong


def test_once_unlocked_the_person_signs_in_again(client: Client, an_giang: AdministrativeUnit) -> None:
    user = holder(personal_id=PID)
    lock_by_holder(user=user)
    unlock(actor=reviewer(an_giang), user=user, reason="Chủ tài khoản đề nghị trực tiếp tại trụ sở")
    response = client.post("/signin/", {"username": PID, "password": PASSWORD})
    assert response.status_code == 302
    assert not is_anonymous(client)


# --- an authority's lock ----------------------------------------------------------------------------------


def test_a_reviewing_officer_locks_on_an_authoritys_written_request(an_giang: AdministrativeUnit) -> None:
    officer = reviewer(an_giang)
    user = holder()
    session = signed_in(Client(), user)
    lock = lock_by_authority(actor=officer, user=user, reason=REASON, **AUTHORITY)
    lock.refresh_from_db()
    assert (lock.kind, lock.locked_by, lock.reason) == (LockKind.AUTHORITY, officer, REASON)
    assert (lock.authority, lock.document_ref) == (AUTHORITY["authority"], AUTHORITY["document_ref"])
    assert is_anonymous(session)
    event = AuditEvent.objects.get(action=PeopleAction.ACCOUNT_LOCKED)
    assert event.actor_id == officer.pk
    assert event.after == {
        "kind": "authority",
        "reason": REASON,
        "authority": AUTHORITY["authority"],
        "document": AUTHORITY["document_ref"],
        "sessions_ended": 1,
    }
    assert Message.objects.get(user=user, template="account_locked").params == {"kind": "authority"}


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({"reason": ""}, PeopleError.REASON_REQUIRED),
        ({"reason": "   \t\n"}, PeopleError.REASON_REQUIRED),
        ({"reason": "Lý do\x00"}, CoreError.CONTROL_CHARACTERS),
        ({"reason": "Lý do\u202egnol"}, CoreError.CONTROL_CHARACTERS),
        ({"reason": "x" * 1001}, CoreError.TOO_LONG),
        ({"authority": ""}, CoreError.EMPTY_VALUE),
        ({"authority": "   "}, CoreError.EMPTY_VALUE),
        ({"authority": "Công an\x07"}, CoreError.CONTROL_CHARACTERS),
        ({"authority": "C" * 301}, CoreError.TOO_LONG),
        ({"document_ref": ""}, CoreError.EMPTY_VALUE),
        ({"document_ref": "\u200b"}, CoreError.EMPTY_VALUE),
        ({"document_ref": "1" * 1024}, CoreError.TOO_LONG),
    ],
)
def test_an_authority_lock_refuses_bad_input_and_writes_nothing(
    an_giang: AdministrativeUnit, overrides: dict[str, str], error: object
) -> None:
    officer = reviewer(an_giang)
    user = holder()
    signed_in(Client(), user)
    kwargs = {**AUTHORITY, "reason": REASON, **overrides}
    before = state()
    with pytest.raises(DomainError) as exc:
        lock_by_authority(actor=officer, user=user, **kwargs)
    assert exc.value.error is error
    assert state() == before
    assert not User.objects.get(pk=user.pk).is_locked


@pytest.mark.parametrize(
    "role", [PeopleRole.INTAKE_OFFICER, RegistryRole.PARTNER_CLERK, AdministratorRole.SYSTEM_ADMIN, None]
)
def test_only_a_reviewing_officer_may_lock_or_unlock(an_giang: AdministrativeUnit, role: Role | None) -> None:
    actor = make_user("Người Thường") if role is None else make_officer(role, an_giang)
    user = holder()
    events = AuditEvent.objects.count()
    with pytest.raises(DomainError) as exc:
        lock_by_authority(actor=actor, user=user, reason=REASON, **AUTHORITY)
    assert exc.value.error is CoreError.PERMISSION_DENIED
    lock_by_holder(user=user)
    locked_events = AuditEvent.objects.count()
    with pytest.raises(DomainError) as exc:
        unlock(actor=actor, user=user, reason="Mở khóa")
    assert exc.value.error is CoreError.PERMISSION_DENIED
    denied = AuditEvent.objects.filter(action=KernelAction.ACCESS_DENIED, actor=actor).order_by("pk")
    assert [e.after for e in denied] == [
        {"permission": "people.lock_person", "reason": "core.permission_denied"}
    ] * 2
    assert [e.object_id for e in denied] == [str(user.pk)] * 2
    assert locked_events == events + 2  # the refusal, then the holder's own lock
    assert AuditEvent.objects.count() == locked_events + 1
    assert User.objects.get(pk=user.pk).is_locked


def test_an_authority_cannot_lock_an_account_already_locked(an_giang: AdministrativeUnit) -> None:
    officer = reviewer(an_giang)
    user = holder()
    lock_by_holder(user=user)
    before = state()
    with pytest.raises(DomainError) as exc:
        lock_by_authority(actor=officer, user=user, reason=REASON, **AUTHORITY)
    assert exc.value.error is PeopleError.ALREADY_LOCKED
    assert state() == before


def test_an_officer_of_another_province_may_lock_too() -> None:
    """Accounts are not territorial (Decree 69 Art. 15.3: the nearest police unit forwards)."""
    officer = make_officer(PeopleRole.REVIEWING_OFFICER, unit("01", Level.PROVINCE))
    user = holder()
    lock_by_authority(actor=officer, user=user, reason=REASON, **AUTHORITY)
    assert User.objects.get(pk=user.pk).is_locked


# --- unlocking --------------------------------------------------------------------------------------------


def test_unlock_lifts_the_lock_with_its_reason_audits_and_notifies(an_giang: AdministrativeUnit) -> None:
    officer = reviewer(an_giang)
    user = holder()
    lock = lock_by_authority(actor=officer, user=user, reason=REASON, **AUTHORITY)
    lifted = unlock(actor=officer, user=user, reason="  Cơ quan điều tra đề nghị   mở khóa  ")
    assert lifted.pk == lock.pk
    lock.refresh_from_db()
    assert lock.unlocked_by == officer
    assert lock.unlocked_at is not None
    assert lock.unlock_reason == "Cơ quan điều tra đề nghị mở khóa"
    assert not User.objects.get(pk=user.pk).is_locked
    event = AuditEvent.objects.get(action=PeopleAction.ACCOUNT_UNLOCKED)
    assert (event.actor_id, event.object_id) == (officer.pk, str(user.pk))
    assert event.after == {"lock": lock.pk, "reason": "Cơ quan điều tra đề nghị mở khóa"}
    assert Message.objects.get(user=user, template="account_unlocked").params == {}
    # The history keeps both locks after a second one.
    lock_by_holder(user=user)
    assert AccountLock.objects.filter(user=user).count() == 2


@pytest.mark.parametrize(
    ("reason", "error"),
    [
        ("", PeopleError.REASON_REQUIRED),
        ("  \n\t ", PeopleError.REASON_REQUIRED),
        ("\u200b\u200b", PeopleError.REASON_REQUIRED),
        ("Mở\x00khóa", CoreError.CONTROL_CHARACTERS),
        ("x" * 1001, CoreError.TOO_LONG),
    ],
)
def test_unlock_needs_a_clean_reason(an_giang: AdministrativeUnit, reason: str, error: object) -> None:
    user = holder()
    lock_by_holder(user=user)
    officer = reviewer(an_giang)
    before = state()
    with pytest.raises(DomainError) as exc:
        unlock(actor=officer, user=user, reason=reason)
    assert exc.value.error is error
    assert state() == before
    assert User.objects.get(pk=user.pk).is_locked


def test_unlocking_an_account_that_is_not_locked_is_refused(an_giang: AdministrativeUnit) -> None:
    officer = reviewer(an_giang)
    user = holder()
    before = state()
    with pytest.raises(DomainError) as exc:
        unlock(actor=officer, user=user, reason="Mở khóa")
    assert exc.value.error is PeopleError.NOT_LOCKED
    lock_by_holder(user=user)
    unlock(actor=officer, user=user, reason="Mở khóa")
    after_first = state()
    with pytest.raises(DomainError) as exc:
        unlock(actor=officer, user=user, reason="Mở khóa lần nữa")
    assert exc.value.error is PeopleError.NOT_LOCKED
    assert state() == after_first
    assert before[1] == 0


# --- the lock state machine, driven at random ---------------------------------------------------------------

STEPS = st.lists(st.tuples(st.sampled_from(["holder", "authority", "unlock"]), st.booleans()), max_size=8)


@hypothesis_settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps=STEPS)
@example(steps=[("holder", False), ("unlock", True), ("holder", False)])  # a copy still saying "locked"
def test_any_sequence_of_locks_and_unlocks_keeps_one_lock_at_most(steps: list[tuple[str, bool]]) -> None:
    """Whatever the order, and whether the caller holds a fresh or a stale copy of the account: a lock
    is refused while one is in force, an unlock while none is, and each change is audited once."""
    officer = make_officer(PeopleRole.REVIEWING_OFFICER, None)
    user = holder()
    stale = User.objects.get(pk=user.pk)
    locked, changes = False, 0

    def act(action: str, target: User) -> None:
        if action == "holder":
            lock_by_holder(user=target)
        elif action == "authority":
            lock_by_authority(actor=officer, user=target, reason=REASON, **AUTHORITY)
        else:
            unlock(actor=officer, user=target, reason="Hết căn cứ khóa")

    for action, fresh in steps:
        target = User.objects.get(pk=user.pk) if fresh else stale
        events = AuditEvent.objects.filter(object_id=str(user.pk)).count()
        if locked == (action != "unlock"):  # locking a locked account, or unlocking an unlocked one
            with pytest.raises(DomainError) as exc:
                act(action, target)
            assert exc.value.error is (
                PeopleError.NOT_LOCKED if action == "unlock" else PeopleError.ALREADY_LOCKED
            )
            assert AuditEvent.objects.filter(object_id=str(user.pk)).count() == events
        else:
            act(action, target)
            locked, changes = not locked, changes + 1
            assert AuditEvent.objects.filter(object_id=str(user.pk)).count() == events + 1
        assert User.objects.get(pk=user.pk).is_locked == locked
        assert AccountLock.objects.filter(user=user, unlocked_at__isnull=True).count() == int(locked)
    assert AccountLock.objects.filter(user=user).count() == (changes + 1) // 2
