"""Issue 12.3 (domain part): which organizations a person may sign in as at a relying party of a
service, and the claims the relying party then receives — the organization acted for, never a list."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from dinhdanh.federation.claims import organization_claim, person_claims
from dinhdanh.organizations.models import MemberGrant, Organization, OrganizationStatus, Service
from dinhdanh.organizations.selectors import acting_choices
from dinhdanh.organizations.services import member_grant
from dinhdanh.people.models import User
from dinhdanh.people.subjects import pairwise_subject
from tests.conftest import make_user
from tests.organizations.factories import make_organization, make_service

pytestmark = pytest.mark.django_db

MEMBER_PID = "091085000333"


@pytest.fixture
def member(db: None) -> User:
    return make_user("Phạm Văn Kế Toán", personal_id=MEMBER_PID)


def grant(org: Organization, **kwargs: object) -> None:
    rep = org.representative
    assert rep is not None
    member_grant(actor=rep, organization=org, personal_id=MEMBER_PID, **kwargs)  # type: ignore[arg-type]


def test_only_active_organizations_whose_grant_covers_the_service_are_offered(member: User) -> None:
    make_service("thue"), make_service("bhxh")
    covered = make_organization(representative=make_user("Đại Diện A"), name="Công ty A", code="0101234567")
    other_service = make_organization(representative=make_user("Đại Diện B"), name="Công ty B")
    full = make_organization(representative=make_user("Đại Diện C"), name="Công ty C")
    locked = make_organization(representative=make_user("Đại Diện D"), name="Công ty D")
    grant(covered, services=["thue"])
    grant(other_service, services=["bhxh"])
    grant(full, full_powers=True)
    grant(locked, full_powers=True)
    Organization.objects.filter(pk=locked.pk).update(status=OrganizationStatus.LOCKED)
    assert [o.name for o, _m in acting_choices(member, "thue")] == ["Công ty A", "Công ty C"]
    assert [o.name for o, _m in acting_choices(member, "bhxh")] == ["Công ty B", "Công ty C"]
    assert acting_choices(member, "") == []
    # A grant's period and the service's being in use count too.
    MemberGrant.objects.filter(service__code="thue").update(valid_until=timezone.now() - timedelta(seconds=1))
    assert [o.name for o, _m in acting_choices(member, "thue")] == ["Công ty C"]
    Service.objects.filter(code="bhxh").update(active=False)
    assert [o.name for o, _m in acting_choices(member, "bhxh")] == ["Công ty C"]  # full powers stay
    User.objects.filter(pk=member.pk).update(locked_at=timezone.now())
    assert acting_choices(User.objects.get(pk=member.pk), "thue") == []  # a locked person acts for nobody


def test_the_org_claim_names_the_organization_and_what_the_person_may_do_there(member: User) -> None:
    make_service("thue")
    org = make_organization(representative=make_user("Đại Diện"), name="Công ty A", code="0101234567")
    until = timezone.now() + timedelta(days=10)
    grant(org, services=["thue"], valid_until=until)
    ((found, membership),) = acting_choices(member, "thue")
    claim = organization_claim(found, membership, "thue")
    assert claim["id"] == org.eid
    assert (claim["tax_code"], claim["role"], claim["services"], claim["service"]) == (
        "0101234567", "member", ["thue"], "thue",
    )  # fmt: skip
    assert claim["grant_expires_at"] == int(until.timestamp())
    assert claim["head_office"]["code"] == org.head_office.code
    assert org.representative_masked not in str(claim)  # nothing about other people


def test_person_claims_follow_the_scopes_and_the_sector(member: User) -> None:
    User.objects.filter(pk=member.pk).update(email="ke.toan@example.vn", phone="+84912345678")
    member.refresh_from_db()
    minimal = person_claims(member, {"openid"}, sector=None, acr="urn:test")
    assert minimal == {"sub": member.subject, "acr": "urn:test"}
    full = person_claims(member, {"openid", "profile", "email", "phone"}, sector="bank.vn", acr="urn:test")
    assert full["sub"] == pairwise_subject(member, "bank.vn")
    assert (full["name"], full["email"], full["email_verified"]) == (
        "Phạm Văn Kế Toán",
        "ke.toan@example.vn",
        False,
    )
    assert full["phone_number"] == "+84912345678"
    assert MEMBER_PID not in str(full)
