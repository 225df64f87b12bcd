"""Change of representative, lock, unlock and termination."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from dinhdanh.core.audit_actions import KernelAction
from dinhdanh.core.errors import DomainError
from dinhdanh.core.models import AuditEvent
from dinhdanh.organizations.audit_actions import OrganizationAction
from dinhdanh.organizations.data import Person
from dinhdanh.organizations.models import (
    ChangeOrigin,
    LockGround,
    LockProposal,
    MemberRole,
    Membership,
    OrganizationChange,
    OrganizationLock,
    OrganizationStatus,
)
from dinhdanh.organizations.origins import OfficerOrigin, RegistryOrigin
from dinhdanh.organizations.services import (
    member_grant,
    organization_change_representative,
    organization_lock,
    organization_terminate,
    organization_unlock,
)
from dinhdanh.people.models import User
from dinhdanh.people.permissions import PeopleRole
from tests.conftest import make_officer, make_user
from tests.organizations.factories import make_organization, make_snapshot, person_of, province
from tests.organizations.support import events, templates_sent_to, with_address

pytestmark = pytest.mark.django_db

ACCOUNTANT = "091090000555"
AUTHORITY: dict[str, Any] = {"authority": "Cơ quan Cảnh sát điều tra", "document_reference": "123/CV-CSĐT"}


# --- change of representative ---------------------------------------------------------------------


def test_a_new_representative_takes_control_and_the_old_grants_end(officer: User, rep: User, other: User) -> None:
    org = make_organization(representative=rep)
    accountant = with_address(make_user("Kế Toán Viên", personal_id=ACCOUNTANT))
    member_grant(actor=rep, organization=org, personal_id=ACCOUNTANT, full_powers=True)
    with_address(rep)
    with_address(other)
    organization_change_representative(
        actor=officer, organization=org, representative=person_of(other), origin=OfficerOrigin()
    )
    org.refresh_from_db()
    assert org.representative == other
    assert org.representative_digest == other.login_digest
    live = Membership.objects.filter(organization=org, revoked_at__isnull=True)
    assert [(m.user, m.role) for m in live] == [(other, MemberRole.REPRESENTATIVE)]
    ended = Membership.objects.filter(organization=org, revoked_at__isnull=False)
    assert {m.user for m in ended} == {rep, accountant}
    assert templates_sent_to(rep) == ["org_representative_removed"]
    assert templates_sent_to(other) == ["org_representative_added"]
    assert templates_sent_to(accountant) == ["org_member_granted", "org_member_ended"]
    change = OrganizationChange.objects.get(organization=org)
    assert change.changes["representative_name"] == [rep.full_name, other.full_name]
    (event,) = events(org, OrganizationAction.ORG_REPRESENTATIVE_CHANGED)
    assert event.after is not None
    assert len(event.after["memberships_ended"]) == 2


def test_a_new_representative_without_an_account_leaves_no_one_in_control(officer: User, rep: User) -> None:
    org = make_organization(representative=rep)
    new = Person(name="Người Mới", digest="b" * 64, masked="0010******22", position="Giám đốc")
    organization_change_representative(actor=officer, organization=org, representative=new, origin=OfficerOrigin())
    org.refresh_from_db()
    assert org.representative is None
    assert not Membership.objects.filter(organization=org, revoked_at__isnull=True).exists()


def test_a_member_who_becomes_representative_is_upgraded(officer: User, rep: User, other: User) -> None:
    org = make_organization(representative=rep)
    Membership.objects.create(organization=org, user=other, role=MemberRole.MEMBER, granted_by=None)
    organization_change_representative(
        actor=officer, organization=org, representative=person_of(other), origin=OfficerOrigin()
    )
    (live,) = Membership.objects.filter(organization=org, revoked_at__isnull=True)
    assert (live.user, live.role) == (other, MemberRole.REPRESENTATIVE)


def test_the_same_representative_is_refused(officer: User, rep: User) -> None:
    org = make_organization(representative=rep)
    with pytest.raises(DomainError) as caught:
        organization_change_representative(
            actor=officer, organization=org, representative=person_of(rep), origin=OfficerOrigin()
        )
    assert caught.value.code == "organizations.same_representative"


def test_a_citizen_cannot_change_the_representative(rep: User, other: User) -> None:
    org = make_organization(representative=rep)
    with pytest.raises(DomainError) as caught:
        organization_change_representative(
            actor=rep,
            organization=org,
            representative=person_of(other),
            origin=OfficerOrigin(ChangeOrigin.ORGANIZATION),
        )
    assert caught.value.code == "core.permission_denied"
    org.refresh_from_db()
    assert org.representative == rep


@pytest.mark.parametrize(
    "person",
    [None, "text", {"name": "A"}, {"name": "A", "digest": "G" * 64}, {"name": "\x00", "digest": "a" * 64}],
)
def test_a_malformed_person_is_refused(officer: User, rep: User, person: Any) -> None:
    org = make_organization(representative=rep)
    with pytest.raises(DomainError):
        organization_change_representative(
            actor=officer, organization=org, representative=person, origin=OfficerOrigin()
        )
    assert not OrganizationChange.objects.exists()


# --- lock, unlock, terminate ----------------------------------------------------------------------


def test_an_officer_locks_on_an_authority_request_and_unlocks(officer: User, rep: User) -> None:
    org = make_organization(representative=with_address(rep))
    second = make_officer(PeopleRole.REVIEWING_OFFICER, province("91"), "Cán bộ Thứ Hai")
    proposal = organization_lock(
        actor=second, organization=org, ground=LockGround.AUTHORITY_REQUEST, reason="Điều tra", **AUTHORITY
    )
    assert isinstance(proposal, LockProposal)  # four-eyes: the first officer proposes
    with pytest.raises(DomainError) as caught:
        organization_lock(
            actor=officer,
            organization=org,
            ground=LockGround.AUTHORITY_REQUEST,
            reason="Khác",
            authority="X",
            document_reference="999/CV",
        )
    assert caught.value.code == "organizations.lock_proposal_differs"
    lock = organization_lock(
        actor=officer, organization=org, ground=LockGround.AUTHORITY_REQUEST, reason="Điều tra", **AUTHORITY
    )
    assert isinstance(lock, OrganizationLock)
    org.refresh_from_db()
    assert org.status == OrganizationStatus.LOCKED
    assert (lock.authority, lock.locked_by) == (AUTHORITY["authority"], officer)
    with pytest.raises(DomainError) as caught:
        organization_lock(actor=officer, organization=org, ground=LockGround.BREACH, reason="Lần hai")
    assert caught.value.code == "organizations.already_locked"
    organization_unlock(actor=officer, organization=org, reason="Cơ quan yêu cầu mở khóa")
    org.refresh_from_db()
    assert org.status == OrganizationStatus.ACTIVE
    lock.refresh_from_db()
    assert lock.unlocked_by == officer
    with pytest.raises(DomainError) as caught:
        organization_unlock(actor=officer, organization=org, reason="Lần hai")
    assert caught.value.code == "organizations.not_locked"
    assert [e.action for e in events(org)] == [
        OrganizationAction.ORG_LOCK_PROPOSED,
        OrganizationAction.ORG_LOCKED,
        OrganizationAction.ORG_UNLOCKED,
    ]
    assert templates_sent_to(rep) == ["org_locked", "org_unlocked"]


def test_an_authority_lock_needs_the_authority_and_its_document(officer: User, rep: User) -> None:
    org = make_organization(representative=rep)
    with pytest.raises(DomainError) as caught:
        organization_lock(actor=officer, organization=org, ground=LockGround.AUTHORITY_REQUEST, reason="x")
    assert caught.value.code == "organizations.authority_required"
    assert not OrganizationLock.objects.exists()


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"ground": "nonsense", "reason": "x"}, "organizations.ground_not_allowed"),
        ({"ground": LockGround.BREACH, "reason": ""}, "organizations.reason_required"),
        ({"ground": LockGround.BREACH, "reason": "   "}, "organizations.reason_required"),
        ({"ground": LockGround.BREACH, "reason": "x" * 1001}, "core.too_long"),
        ({"ground": LockGround.BREACH, "reason": "a\x07b"}, "core.control_characters"),
        ({"ground": LockGround.REGISTRY_TERMINATION, "reason": "x"}, "organizations.ground_not_allowed"),
    ],
)
def test_malformed_locks_are_refused(officer: User, rep: User, kwargs: dict[str, Any], code: str) -> None:
    org = make_organization(representative=rep)
    with pytest.raises(DomainError) as caught:
        organization_lock(actor=officer, organization=org, **kwargs)
    assert caught.value.code == code
    org.refresh_from_db()
    assert org.status == OrganizationStatus.ACTIVE


def test_the_representative_locks_at_once_but_cannot_unlock(rep: User) -> None:
    org = make_organization(representative=rep)
    organization_lock(actor=rep, organization=org, ground=LockGround.ORGANIZATION_REQUEST, reason="Mất điện thoại")
    org.refresh_from_db()
    assert org.status == OrganizationStatus.LOCKED
    with pytest.raises(DomainError) as caught:
        organization_unlock(actor=rep, organization=org, reason="Tìm thấy rồi")
    assert caught.value.code == "core.permission_denied"


def test_no_one_else_locks_without_a_role(rep: User, other: User, outsider_officer: User) -> None:
    org = make_organization(representative=rep)
    for actor, ground in ((other, LockGround.ORGANIZATION_REQUEST), (rep, LockGround.BREACH)):
        with pytest.raises(DomainError):
            organization_lock(actor=actor, organization=org, ground=ground, reason="x")
    with pytest.raises(DomainError) as caught:
        organization_lock(actor=outsider_officer, organization=org, ground=LockGround.BREACH, reason="x")
    assert caught.value.code == "core.out_of_jurisdiction"
    assert AuditEvent.objects.filter(action=KernelAction.ACCESS_DENIED).count() == 3
    org.refresh_from_db()
    assert org.status == OrganizationStatus.ACTIVE


def test_termination_is_permanent(officer: User, rep: User) -> None:
    org = make_organization(representative=rep)
    organization_lock(actor=officer, organization=org, ground=LockGround.BREACH, reason="Vi phạm")
    lock = organization_terminate(actor=officer, organization=org, reason="Giải thể theo đề nghị")
    assert lock.permanent
    org.refresh_from_db()
    assert org.status == OrganizationStatus.REVOKED
    calls: list[Callable[[], object]] = [
        lambda: organization_unlock(actor=officer, organization=org, reason="Xin mở"),
        lambda: organization_lock(actor=officer, organization=org, ground=LockGround.BREACH, reason="x"),
        lambda: organization_terminate(actor=officer, organization=org, reason="lần hai"),
    ]
    for call in calls:
        with pytest.raises(DomainError) as caught:
            call()
        assert caught.value.code == "organizations.terminated"
    assert [e.action for e in events(org)] == [OrganizationAction.ORG_LOCKED, OrganizationAction.ORG_TERMINATED]


def test_a_registry_termination_needs_no_officer(rep: User) -> None:
    org = make_organization(representative=rep)
    snapshot = make_snapshot()
    organization_terminate(
        actor=None,
        organization=org,
        reason="Đã giải thể",
        origin=RegistryOrigin(source=str(snapshot.source), snapshot_id=snapshot.pk),
    )
    org.refresh_from_db()
    assert org.status == OrganizationStatus.REVOKED
    assert OrganizationLock.objects.get(organization=org).ground == LockGround.REGISTRY_TERMINATION


def test_a_citizen_cannot_terminate(rep: User) -> None:
    org = make_organization(representative=rep)
    with pytest.raises(DomainError):
        organization_terminate(actor=rep, organization=org, reason="Tôi muốn")
    org.refresh_from_db()
    assert org.status == OrganizationStatus.ACTIVE
