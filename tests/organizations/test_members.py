"""Grants, revocations and expiry; switching to act for an organization, re-checked every time."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.core.management import call_command
from django.test import RequestFactory
from django.utils import timezone

from dinhdanh.core.errors import DomainError
from dinhdanh.organizations import selectors
from dinhdanh.organizations.audit_actions import OrganizationAction
from dinhdanh.organizations.models import LockGround, MemberRole, Membership, Organization
from dinhdanh.organizations.services import (
    member_grant,
    member_revoke,
    members_expire,
    organization_lock,
    organization_switch,
)
from dinhdanh.people.models import AccountLevel, User
from dinhdanh.people.services.locks import lock_by_holder
from tests.conftest import make_user
from tests.organizations.factories import make_organization, make_service
from tests.organizations.support import events, templates_sent_to, with_address

pytestmark = pytest.mark.django_db

OTHER = "091085000222"  # the ``other`` fixture's number


def grant(rep: User, org: Organization, **kwargs: Any) -> Membership:
    kwargs.setdefault("full_powers", "services" not in kwargs)  # a grant names its services or full powers
    return member_grant(actor=rep, organization=org, personal_id=kwargs.pop("personal_id", OTHER), **kwargs)


def test_the_representative_grants_a_scoped_period(rep: User, other: User) -> None:
    org = make_organization(representative=rep)
    with_address(other)
    until = timezone.now() + timedelta(days=30)
    make_service("thue.ke_khai"), make_service("bhxh")
    membership = grant(rep, org, services=["thue.ke_khai", "bhxh", "thue.ke_khai"], valid_until=until)
    assert (membership.user, membership.role, membership.granted_by) == (other, MemberRole.MEMBER, rep)
    assert (membership.full_powers, selectors.granted_codes(membership)) == (False, ["bhxh", "thue.ke_khai"])
    assert {g.valid_until for g in membership.grants.all()} == {until}
    assert membership.valid_until == until
    assert selectors.membership_in_force(other, org) == membership
    assert list(selectors.organizations_of(other)) == [org]
    (event,) = events(org, OrganizationAction.MEMBER_GRANTED)
    assert event.after is not None
    assert event.after["grantee"] == "0910******22"
    assert OTHER not in str(event.after)
    assert templates_sent_to(other) == ["org_member_granted"]


def test_a_duplicate_live_grant_is_refused(rep: User, other: User) -> None:
    org = make_organization(representative=rep)
    grant(rep, org)
    with pytest.raises(DomainError) as caught:
        grant(rep, org, role=MemberRole.ADMINISTRATOR)
    assert caught.value.code == "organizations.already_member"
    assert Membership.objects.filter(organization=org, user=other).count() == 1


def test_a_lapsed_grant_can_be_granted_again_before_the_expiry_job(rep: User, other: User) -> None:
    org = make_organization(representative=rep)
    old = grant(rep, org, valid_until=timezone.now() + timedelta(days=1))
    Membership.objects.filter(pk=old.pk).update(valid_until=timezone.now() - timedelta(minutes=1))
    new = grant(rep, org)
    old.refresh_from_db()
    assert old.revoke_reason == "expired"
    assert selectors.membership_in_force(other, org) == new


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"personal_id": ""}, "codes.pid_empty"),
        ({"personal_id": "12345"}, "codes.pid_length"),
        ({"personal_id": "0910850002ab"}, "codes.pid_not_digits"),
        ({"personal_id": "'; DROP TABLE--"}, "codes.pid_not_digits"),
        ({"personal_id": 91085000222}, "organizations.invalid_data"),
        ({"personal_id": "001099009999"}, "organizations.grantee_not_found"),
        ({"role": MemberRole.REPRESENTATIVE}, "organizations.role_not_grantable"),
        ({"role": "owner"}, "organizations.role_not_grantable"),
        ({"services": "thue"}, "organizations.invalid_services"),
        ({"services": ["Thuế"]}, "organizations.invalid_services"),
        ({"services": ["a b"]}, "organizations.invalid_services"),
        ({"services": ["x" * 65]}, "organizations.invalid_services"),
        ({"services": [f"s{i}" for i in range(21)]}, "organizations.invalid_services"),
        ({"services": [None]}, "organizations.invalid_services"),
        ({"valid_until": timezone.now() - timedelta(seconds=1)}, "organizations.valid_until_past"),
        (
            {"valid_until": timezone.now().replace(tzinfo=None) + timedelta(days=1)},
            "organizations.valid_until_past",
        ),
        ({"valid_until": "2099-01-01"}, "organizations.valid_until_past"),
    ],
)
def test_malformed_grants_write_nothing(rep: User, other: User, kwargs: dict[str, Any], code: str) -> None:
    org = make_organization(representative=rep)
    with pytest.raises(DomainError) as caught:
        grant(rep, org, **kwargs)
    assert caught.value.code == code
    assert "001099009999" not in caught.value.message()
    assert Membership.objects.filter(organization=org).count() == 1
    assert not events(org, OrganizationAction.MEMBER_GRANTED)


def test_the_grantee_must_be_level_two_and_not_locked(rep: User) -> None:
    org = make_organization(representative=rep)
    make_user("Mức Một", level=AccountLevel.LEVEL_1, personal_id="091085000333")
    locked = make_user("Bị Khóa", personal_id="091085000444")
    lock_by_holder(user=locked)
    for number in ("091085000333", "091085000444"):
        with pytest.raises(DomainError) as caught:
            grant(rep, org, personal_id=number)
        assert caught.value.code == "organizations.grantee_not_level2"


def test_only_the_live_representative_grants(rep: User, other: User) -> None:
    org = make_organization(representative=rep)
    admin = make_user("Quản Trị", personal_id="091085000555")
    grant(rep, org, personal_id="091085000555", role=MemberRole.ADMINISTRATOR)
    for actor in (admin, other):
        with pytest.raises(DomainError) as caught:
            member_grant(actor=actor, organization=org, personal_id="091185000111")
        assert caught.value.code == "organizations.not_representative"
    organization_lock(actor=rep, organization=org, ground=LockGround.ORGANIZATION_REQUEST, reason="Tạm khóa")
    org.refresh_from_db()
    with pytest.raises(DomainError) as caught:
        grant(rep, org)
    assert caught.value.code == "organizations.not_active"


def test_revoking(rep: User, other: User) -> None:
    org = make_organization(representative=rep)
    membership = grant(rep, org)
    with_address(other)
    with pytest.raises(DomainError) as caught:
        member_revoke(actor=rep, membership=membership, reason="")
    assert caught.value.code == "organizations.reason_required"
    stranger = make_user("Người Lạ", personal_id="091085000666")
    with pytest.raises(DomainError) as caught:
        member_revoke(actor=stranger, membership=membership, reason="Tôi muốn")
    assert caught.value.code == "organizations.not_representative"
    member_revoke(actor=rep, membership=membership, reason="Nghỉ việc")
    membership.refresh_from_db()
    assert membership.revoked_by == rep
    assert selectors.membership_in_force(other, org) is None
    with pytest.raises(DomainError) as caught:
        member_revoke(actor=rep, membership=membership, reason="Lần hai")
    assert caught.value.code == "organizations.membership_ended"
    assert templates_sent_to(other) == ["org_member_ended"]


def test_a_holder_gives_up_a_grant_but_the_representative_cannot_revoke_themselves(rep: User, other: User) -> None:
    org = make_organization(representative=rep)
    membership = grant(rep, org)
    member_revoke(actor=other, membership=membership, reason="Không nhận")
    own = Membership.objects.get(organization=org, user=rep)
    with pytest.raises(DomainError) as caught:
        member_revoke(actor=rep, membership=own, reason="Thôi")
    assert caught.value.code == "organizations.cannot_revoke_representative"


def test_an_expired_grant_is_out_of_force_at_once_and_the_job_marks_it(rep: User, other: User) -> None:
    org = make_organization(representative=rep)
    membership = grant(rep, org, valid_until=timezone.now() + timedelta(hours=1))
    later = timezone.now() + timedelta(hours=2)
    Membership.objects.filter(pk=membership.pk).update(valid_until=timezone.now() - timedelta(seconds=1))
    assert selectors.membership_in_force(other, org) is None
    assert list(selectors.organizations_of(other)) == []
    assert members_expire(now=later) == 1
    assert members_expire(now=later) == 0  # nothing left to do
    membership.refresh_from_db()
    assert membership.revoke_reason == "expired"
    assert len(events(org, OrganizationAction.MEMBER_EXPIRED)) == 1


def test_the_command_expires_grants(rep: User, other: User, capsys: pytest.CaptureFixture[str]) -> None:
    org = make_organization(representative=rep)
    membership = grant(rep, org, valid_until=timezone.now() + timedelta(hours=1))
    Membership.objects.filter(pk=membership.pk).update(valid_until=timezone.now() - timedelta(seconds=1))
    call_command("expire_memberships")
    assert capsys.readouterr().out.strip() == '{"expired": 1}'


# --- switching and acting --------------------------------------------------------------------------


def request_for(user: User) -> Any:
    request = RequestFactory().get("/")
    request.user = user
    request.session = SessionStore()
    return request


def test_switch_and_back(rep: User) -> None:
    org = make_organization(representative=rep)
    request = request_for(rep)
    organization_switch(actor=rep, request=request, organization=org)
    assert selectors.acting_organization(request) == org
    organization_switch(actor=rep, request=request, organization=None)
    assert selectors.acting_organization(request) is None
    assert len(events(org, OrganizationAction.ORG_SWITCHED)) == 1


def test_acting_ends_when_the_grant_is_revoked_expires_or_the_org_is_locked(
    rep: User, other: User, officer: User
) -> None:
    org = make_organization(representative=rep)
    membership = grant(rep, org)
    request = request_for(other)
    organization_switch(actor=other, request=request, organization=org)
    assert selectors.acting_organization(request) == org
    Membership.objects.filter(pk=membership.pk).update(valid_until=timezone.now() - timedelta(seconds=1))
    assert selectors.acting_organization(request) is None
    assert selectors.ACTING_ORGANIZATION not in request.session  # forgotten, not just hidden

    rep_request = request_for(rep)
    organization_switch(actor=rep, request=rep_request, organization=org)
    organization_lock(actor=officer, organization=org, ground=LockGround.BREACH, reason="Vi phạm")
    assert selectors.acting_organization(rep_request) is None
    with pytest.raises(DomainError) as caught:
        organization_switch(actor=rep, request=rep_request, organization=org)
    assert caught.value.code == "organizations.not_active"


def test_a_stranger_cannot_switch_and_junk_in_the_session_is_ignored(rep: User, other: User) -> None:
    org = make_organization(representative=rep)
    request = request_for(other)
    with pytest.raises(DomainError) as caught:
        organization_switch(actor=other, request=request, organization=org)
    assert caught.value.code == "organizations.not_a_member"
    for junk in (org.pk, str(org.pk), True, [org.pk], {"id": org.pk}, None):
        request.session[selectors.ACTING_ORGANIZATION] = junk
        assert selectors.acting_organization(request) is None


def test_a_locked_account_acts_for_nothing(rep: User) -> None:
    org = make_organization(representative=rep)
    request = request_for(rep)
    organization_switch(actor=rep, request=request, organization=org)
    lock_by_holder(user=rep)
    assert selectors.acting_organization(request) is None
    assert list(selectors.organizations_of(rep)) == []


def test_officer_selectors_follow_jurisdiction(officer: User, outsider_officer: User, rep: User) -> None:
    org = make_organization(representative=rep, code="0101234567", name="Công ty TNHH An Phát")
    assert list(selectors.organizations_for_officer(officer)) == [org]
    assert list(selectors.organizations_for_officer(officer, "cty tnhh an phat")) == [org]
    assert list(selectors.organizations_for_officer(officer, "0101234")) == [org]
    assert list(selectors.organizations_for_officer(officer, org.eid)) == [org]
    assert list(selectors.organizations_for_officer(officer, "%_'\x00")) == []
    assert list(selectors.organizations_for_officer(outsider_officer)) == []
    assert selectors.organization_for_officer(officer, org.eid) == org
    with pytest.raises(DomainError) as caught:
        selectors.organization_for_officer(outsider_officer, org.eid)
    assert caught.value.code == "core.out_of_jurisdiction"
    for eid in ("", "nonsense", org.eid[:-1] + str((int(org.eid[-1]) + 1) % 10)):
        with pytest.raises(DomainError) as caught:
            selectors.organization_for_officer(officer, eid)
        assert caught.value.code == "organizations.not_found"
