"""An attestation's status follows the organization (decision 0037): a lock suspends, an unlock restores
what the lock suspended, a termination, a revoked or expired membership, a change of representative
revokes — through the recurring job reading domain events, and reading them twice changes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from dinhdanh.core.models import AuditEvent, DomainEvent
from dinhdanh.organizations.models import LockGround, Membership
from dinhdanh.organizations.origins import OfficerOrigin
from dinhdanh.organizations.services import (
    member_revoke,
    members_expire,
    organization_change_representative,
    organization_lock,
    organization_terminate,
    organization_unlock,
)
from dinhdanh.people.models import User
from dinhdanh.trust import event_feed
from dinhdanh.trust.attestations import attestation_issue, attestation_revoke, follow_event
from dinhdanh.trust.models import Attestation, TokenStatus
from dinhdanh.trust.tasks_attestations import READER, attestation_statuses, follow_organizations
from tests.conftest import make_user
from tests.organizations.factories import person_of
from tests.trust.attestation_support import follow, grant, member_user, officer, organization_with, quiet_outbox

pytestmark = pytest.mark.django_db
_outbox = pytest.fixture(autouse=True)(quiet_outbox)

V, X, S = TokenStatus.VALID, TokenStatus.INVALID, TokenStatus.SUSPENDED  # valid, revoked, suspended


@pytest.fixture
def rep(db: None) -> User:
    return make_user("Trần Thị Đại Diện", personal_id="091185000111")


def statuses(*rows: Attestation) -> list[int]:
    return [Attestation.objects.get(pk=row.pk).status for row in rows]


def changes() -> int:
    return AuditEvent.objects.filter(action="trust.attestation_status_changed").count()


def test_a_lock_suspends_and_the_unlock_restores_only_what_it_suspended(rep: User) -> None:
    org = organization_with(rep)
    person = member_user()
    grant(rep, org)
    kept = attestation_issue(actor=rep, organization=org, user=rep).attestation
    given_up = attestation_issue(actor=person, organization=org, user=person).attestation
    attestation_revoke(actor=person, attestation=given_up)
    clerk = officer()
    organization_lock(actor=clerk, organization=org, ground=LockGround.BREACH, reason="Vi phạm")
    assert follow_organizations() >= 1
    assert statuses(kept, given_up) == [S, X]
    organization_unlock(actor=clerk, organization=org, reason="Đã khắc phục")
    follow_organizations()
    assert statuses(kept, given_up) == [V, X]
    row = Attestation.objects.get(pk=kept.pk)
    assert row.status_reason == "organizations.unlocked"
    before = changes()
    assert follow(org) == 0  # every event again, in order: nothing more to change
    assert changes() == before
    assert statuses(kept, given_up) == [V, X]


def test_a_revoked_attestation_stays_revoked_through_a_lock_and_unlock(rep: User) -> None:
    org = organization_with(rep)
    person = member_user()
    grant(rep, org)
    issued = attestation_issue(actor=person, organization=org, user=person).attestation
    clerk = officer()
    organization_lock(actor=clerk, organization=org, ground=LockGround.BREACH, reason="Vi phạm")
    follow(org)
    membership = Membership.objects.get(organization=org, user=person, revoked_at__isnull=True)
    member_revoke(actor=rep, membership=membership, reason="Nghỉ việc")
    follow(org)
    assert statuses(issued) == [X]
    organization_unlock(actor=clerk, organization=org, reason="Đã khắc phục")
    follow(org)
    assert statuses(issued) == [X]


def test_termination_revokes_every_live_one(rep: User) -> None:
    org = organization_with(rep)
    person = member_user()
    grant(rep, org)
    rows = [attestation_issue(actor=u, organization=org, user=u).attestation for u in (rep, person)]
    organization_terminate(actor=officer(), organization=org, reason="Giải thể")
    follow_organizations()
    assert statuses(*rows) == [X, X]
    assert {a.status_reason for a in Attestation.objects.all()} == {"organizations.terminated"}


def test_member_revoked_and_expired_revoke_that_membership_s_only(rep: User) -> None:
    org = organization_with(rep)
    person, other = member_user(), make_user("Lê Thị Thủ Quỹ", personal_id="091185000333")
    grant(rep, org)
    grant(rep, org, number="091185000333", valid_until=timezone.now() + timedelta(days=2))
    mine = attestation_issue(actor=rep, organization=org, user=rep).attestation
    theirs = attestation_issue(actor=person, organization=org, user=person).attestation
    expiring = attestation_issue(actor=other, organization=org, user=other).attestation
    membership = Membership.objects.get(organization=org, user=person, revoked_at__isnull=True)
    member_revoke(actor=person, membership=membership, reason="Tự thôi")
    follow_organizations()
    assert statuses(mine, theirs, expiring) == [V, X, V]
    assert members_expire(now=timezone.now() + timedelta(days=3)) == 1
    follow_organizations()
    assert statuses(mine, theirs, expiring) == [V, X, X]
    assert Attestation.objects.get(pk=expiring.pk).status_reason == "organizations.member_expired"


def test_a_new_representative_revokes_the_former_one_s_and_those_they_granted(rep: User) -> None:
    org = organization_with(rep)
    person = member_user()
    grant(rep, org)
    former = attestation_issue(actor=rep, organization=org, user=rep).attestation
    granted = attestation_issue(actor=person, organization=org, user=person).attestation
    successor = make_user("Đỗ Văn Kế Nhiệm", personal_id="091185000444")
    organization_change_representative(
        actor=officer(), organization=org, representative=person_of(successor), origin=OfficerOrigin()
    )
    follow_organizations()
    assert statuses(former, granted) == [X, X]
    assert Attestation.objects.get(pk=former.pk).status_reason == "organizations.representative_changed"
    fresh = attestation_issue(actor=successor, organization=org, user=successor).attestation
    follow(org)
    assert statuses(fresh) == [V]


def test_the_job_reads_once_and_rereads_the_recent_window_harmlessly(rep: User) -> None:
    org = organization_with(rep)
    row = attestation_issue(actor=rep, organization=org, user=rep).attestation
    organization_lock(actor=officer(), organization=org, ground=LockGround.BREACH, reason="Vi phạm")
    attestation_statuses.call()
    assert statuses(row) == [S]
    before = changes()
    attestation_statuses.call()  # the lock is recent: read again, nothing changes
    assert changes() == before
    later = timezone.now() + event_feed.REREAD + timedelta(minutes=1)
    assert event_feed.read(READER, lambda e: None, types=frozenset({"organizations.locked"}), now=later) >= 1
    assert event_feed.read(READER, lambda e: None, types=frozenset({"organizations.locked"}), now=later) == 0


def test_events_without_an_organization_or_of_other_types_are_ignored(rep: User) -> None:
    org = organization_with(rep)
    row = attestation_issue(actor=rep, organization=org, user=rep).attestation
    stray = DomainEvent(type="organizations.locked", occurred_at=timezone.now(), organization_id=None)
    gone = DomainEvent(type="organizations.locked", occurred_at=timezone.now(), organization_id=10**9)
    other = DomainEvent(type="organizations.acted_as", occurred_at=timezone.now(), organization_id=org.pk)
    assert (follow_event(stray), follow_event(gone), follow_event(other)) == (0, 0, 0)
    assert statuses(row) == [V]
