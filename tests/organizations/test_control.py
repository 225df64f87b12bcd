"""Issue 10.3: an organization issued while its representative had no level-2 account is never left
with nobody in control — the named representative claims it, or an officer attaches their account."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from dinhdanh.core.errors import DomainError
from dinhdanh.organizations import selectors, services
from dinhdanh.organizations.audit_actions import OrganizationAction
from dinhdanh.organizations.data import Person
from dinhdanh.organizations.models import MemberRole, Membership, Organization, OrganizationStatus
from dinhdanh.organizations.origins import OfficerOrigin, RegistryOrigin
from dinhdanh.people.logins import login_digest
from dinhdanh.people.models import AccountLevel, User
from tests.conftest import make_user, signed_in
from tests.organizations.factories import make_organization, make_service
from tests.organizations.support import events
from tests.people.support import post_json, problem

pytestmark = pytest.mark.django_db
PID = "091185000333"


def orphan(**fields: Any) -> Organization:
    """Issued on an authorized applicant's request: the representative had no account then."""
    return make_organization(
        representative_digest=login_digest(PID),
        representative_masked="0911******33",
        representative_name="Võ Thị Người Đại Diện",
        **fields,
    )


def representative(level: AccountLevel = AccountLevel.LEVEL_2) -> User:
    return make_user("Võ Thị Người Đại Diện", personal_id=PID, level=level)


def _refused(call: object, code: str) -> None:
    with pytest.raises(DomainError) as refused:
        call()  # type: ignore[operator]
    assert refused.value.error.code == code


def test_the_named_representative_claims_control_on_the_web_and_can_then_delegate() -> None:
    org = orphan()
    rep = representative()
    client = signed_in(Client(), rep)
    hub = client.get("/organizations/").content.decode()
    assert org.eid in hub
    assert "Nhận quyền quản lý" in hub
    response = client.post(f"/organizations/{org.eid}/claim/")
    assert response.status_code == 302, response.content
    org.refresh_from_db()
    assert org.representative_id == rep.pk
    membership = selectors.representative_membership(rep, org)
    assert membership is not None
    assert membership.role == MemberRole.REPRESENTATIVE
    assert [e.action for e in events(org, OrganizationAction.ORG_CONTROL_CLAIMED)] == [
        OrganizationAction.ORG_CONTROL_CLAIMED
    ]
    assert list(selectors.claimable_by(rep)) == []
    make_user("Phạm Văn Kế Toán", personal_id="091085000444")
    make_service("thue")
    granted = services.member_grant(actor=rep, organization=org, personal_id="091085000444", services=["thue"])
    assert granted.organization_id == org.pk


def test_nobody_else_claims_and_nothing_changes() -> None:
    org = orphan()
    stranger = make_user("Người Lạ", personal_id="091185000999")
    _refused(
        lambda: services.organization_claim_control(actor=stranger, organization=org),
        "organizations.not_recorded_representative",
    )
    level1 = representative(AccountLevel.LEVEL_1)
    _refused(
        lambda: services.organization_claim_control(actor=level1, organization=org),
        "organizations.level_2_to_claim",
    )
    org.refresh_from_db()
    assert org.representative_id is None
    assert not Membership.objects.filter(organization=org).exists()


def test_a_second_claim_and_a_terminated_organization_are_refused() -> None:
    org = orphan()
    rep = representative()
    services.organization_claim_control(actor=rep, organization=org)
    _refused(
        lambda: services.organization_claim_control(actor=rep, organization=org),
        "organizations.already_controlled",
    )
    assert Membership.objects.filter(organization=org, revoked_at__isnull=True).count() == 1
    gone = make_organization(representative_digest=login_digest("091185000777"), status=OrganizationStatus.REVOKED)
    late = make_user("Người Đến Muộn", personal_id="091185000777")
    _refused(
        lambda: services.organization_claim_control(actor=late, organization=gone), "organizations.terminated"
    )


def test_claiming_over_the_api_needs_a_fresh_factor() -> None:
    org = orphan()
    rep = representative()
    stale = signed_in(Client(), rep, stepped_up=False)
    listed = stale.get("/api/v1/organizations/control/claimable").json()
    assert [o["eid"] for o in listed] == [org.eid]
    problem(post_json(stale, f"/api/v1/organizations/control/{org.eid}/claim", {}), 403, "people.step_up_required")
    fresh = signed_in(Client(), rep)
    done = post_json(fresh, f"/api/v1/organizations/control/{org.eid}/claim", {})
    assert done.status_code == 201, done.content
    assert done.json()["role"] == "representative"


def test_an_officer_lists_orphans_and_attaches_the_account_once_it_exists(
    officer: User, outsider_officer: User
) -> None:
    org = orphan()
    page = signed_in(Client(), officer)
    listed = page.get("/applications/organizations/orphaned/").content.decode()
    assert org.eid in listed
    assert "chưa có tài khoản mức độ 2" in listed
    _refused(
        lambda: services.organization_attach_representative(actor=officer, organization=org),
        "organizations.representative_has_no_account",
    )
    rep = representative()
    api = signed_in(Client(), officer)
    rows = api.get("/api/v1/organizations/control/orphaned").json()
    assert [(r["eid"], r["account_ready"]) for r in rows] == [(org.eid, True)]
    outsider = signed_in(Client(), outsider_officer)
    problem(
        post_json(outsider, f"/api/v1/organizations/control/{org.eid}/attach-representative", {}),
        403,
        "core.out_of_jurisdiction",
    )
    response = page.post(f"/applications/organizations/{org.eid}/attach/")
    assert response.status_code == 302
    org.refresh_from_db()
    assert org.representative_id == rep.pk
    assert api.get("/api/v1/organizations/control/orphaned").json() == []


def test_a_registry_successor_without_an_account_is_attached_when_named_again(officer: User) -> None:
    """The follow-up that used to be refused ("already the representative") now gives control."""
    first = make_user("Người Đại Diện Cũ", personal_id="091185000555")
    org = make_organization(representative=first)
    successor: Person = {
        "name": "Võ Thị Người Đại Diện",
        "digest": login_digest(PID),
        "masked": "0911******33",
        "position": "",
    }
    services.organization_change_representative(
        actor=None,
        organization=org,
        representative=successor,
        origin=RegistryOrigin(source="business", snapshot_id=0),
    )
    org.refresh_from_db()
    assert org.representative_id is None
    assert org in [o for o, _ready in selectors.orphaned_for_officer(officer)]
    rep = representative()
    services.organization_change_representative(
        actor=officer,
        organization=org,
        representative=successor,
        origin=OfficerOrigin(),
    )
    org.refresh_from_db()
    assert org.representative_id == rep.pk
    assert selectors.representative_membership(rep, org) is not None
