"""Each organization service writes exactly one domain event of its own in its transaction, with the
organization's province and category as they were, and none when it refuses (decision 0020)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.test import RequestFactory
from django.utils import timezone

from dinhdanh.core.errors import DomainError
from dinhdanh.core.models import DomainEvent
from dinhdanh.organizations import events as org_events
from dinhdanh.organizations.models import LockGround, Membership, Organization
from dinhdanh.organizations.origins import OfficerOrigin
from dinhdanh.organizations.services import (
    member_grant,
    member_revoke,
    members_expire,
    organization_change_representative,
    organization_lock,
    organization_switch,
    organization_terminate,
    organization_unlock,
)
from dinhdanh.people.models import User
from tests.organizations.factories import make_organization, person_of

pytestmark = pytest.mark.django_db

OTHER = "091085000222"  # the ``other`` fixture's number


def emitted(organization: Organization) -> list[tuple[str, str, str]]:
    return [
        (e.type, e.province_code, e.category)
        for e in DomainEvent.objects.filter(organization_id=organization.pk).order_by("pk")
    ]


def one(organization: Organization, type: str) -> DomainEvent:
    found = list(DomainEvent.objects.filter(organization_id=organization.pk, type=type))
    assert len(found) == 1, found
    return found[0]


def request_for(user: User) -> Any:
    request = RequestFactory().get("/")
    request.user = user
    request.session = SessionStore()
    return request


def test_grant_revoke_and_a_refused_duplicate(rep: User, other: User) -> None:
    org = make_organization(representative=rep)
    membership = member_grant(actor=rep, organization=org, personal_id=OTHER, full_powers=True)
    with pytest.raises(DomainError):
        member_grant(actor=rep, organization=org, personal_id=OTHER, full_powers=True)  # already a member: refused
    member_revoke(actor=rep, membership=membership, reason="Hết việc")
    with pytest.raises(DomainError):
        member_revoke(actor=rep, membership=membership, reason="Lần hai")
    category = str(org.category)
    assert emitted(org) == [
        (org_events.MEMBER_GRANTED, "91", category),
        (org_events.MEMBER_REVOKED, "91", category),
    ]
    granted = one(org, org_events.MEMBER_GRANTED)
    assert granted.actor == rep
    assert granted.unit_code == org.head_office.code
    assert granted.payload["membership"] == membership.pk


def test_a_lapsed_grant_ends_with_one_event(rep: User, other: User) -> None:
    org = make_organization(representative=rep)
    membership = member_grant(actor=rep, organization=org, personal_id=OTHER, full_powers=True)
    Membership.objects.filter(pk=membership.pk).update(valid_until=timezone.now() - timedelta(seconds=1))
    assert members_expire() == 1
    assert members_expire() == 0
    assert one(org, org_events.MEMBER_EXPIRED).actor is None


def test_the_first_act_as_the_organization_is_marked(rep: User) -> None:
    org = make_organization(representative=rep)
    request = request_for(rep)
    organization_switch(actor=rep, request=request, organization=org)
    organization_switch(actor=rep, request=request, organization=None)  # back to oneself: no event
    organization_switch(actor=rep, request=request, organization=org)
    acted = DomainEvent.objects.filter(organization_id=org.pk, type=org_events.ACTED_AS).order_by("pk")
    assert [e.payload["first"] for e in acted] == [True, False]


def test_a_non_member_switching_writes_no_event(rep: User, other: User) -> None:
    org = make_organization(representative=rep)
    with pytest.raises(DomainError):
        organization_switch(actor=other, request=request_for(other), organization=org)
    assert emitted(org) == []


def test_lock_unlock_terminate_and_refusals(officer: User, rep: User) -> None:
    org = make_organization(representative=rep)
    organization_lock(actor=rep, organization=org, ground=LockGround.ORGANIZATION_REQUEST, reason="Mất máy")
    with pytest.raises(DomainError):
        organization_lock(actor=rep, organization=org, ground=LockGround.ORGANIZATION_REQUEST, reason="Lần hai")
    organization_unlock(actor=officer, organization=org, reason="Đã tìm lại")
    with pytest.raises(DomainError):
        organization_unlock(actor=officer, organization=org, reason="Lần hai")
    organization_terminate(actor=officer, organization=org, reason="Giải thể")
    assert [t for t, _, _ in emitted(org)] == [org_events.LOCKED, org_events.UNLOCKED, org_events.TERMINATED]


def test_a_change_of_representative_is_one_event_and_a_refused_one_none(
    officer: User, rep: User, other: User
) -> None:
    org = make_organization(representative=rep)
    organization_change_representative(
        actor=officer, organization=org, representative=person_of(other), origin=OfficerOrigin()
    )
    with pytest.raises(DomainError):  # the same person again
        organization_change_representative(
            actor=officer, organization=org, representative=person_of(other), origin=OfficerOrigin()
        )
    changed = one(org, org_events.REPRESENTATIVE_CHANGED)
    assert changed.payload["has_account"] is True
    assert changed.payload["memberships_ended"] == 1
    assert [t for t, _, _ in emitted(org)] == [org_events.REPRESENTATIVE_CHANGED]
