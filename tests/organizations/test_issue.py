"""Issuing an organization from an approved NEW request, and applying an approved UPDATE."""

from __future__ import annotations

import json
from typing import Any

import pytest

from dinhdanh.applications.models import Application, Kind, Status
from dinhdanh.applications.services.effects import carry_out
from dinhdanh.core.audit_actions import KernelAction
from dinhdanh.core.errors import DomainError
from dinhdanh.core.models import AuditEvent
from dinhdanh.geo.models import AdministrativeUnit, Level, Scheme
from dinhdanh.organizations.audit_actions import OrganizationAction
from dinhdanh.organizations.models import ChangeOrigin, MemberRole, Membership, Organization, OrganizationChange
from dinhdanh.organizations.numbers import is_valid_eid
from dinhdanh.people.models import AccountLevel, User
from tests.conftest import make_user
from tests.organizations.factories import (
    commune,
    make_application,
    make_organization,
    make_record,
    make_snapshot,
    person_of,
)
from tests.organizations.support import events, new_data, templates_sent_to, with_address

pytestmark = pytest.mark.django_db


def test_issue_copies_the_payload_and_gives_the_representative_control(officer: User, rep: User) -> None:
    with_address(rep)
    application = make_application(applicant=rep, data=new_data(representative=person_of(rep)))
    org = carry_out(actor=officer, application=application)
    assert is_valid_eid(org.eid)
    assert org.name == "Công ty TNHH Thương mại An Phát"
    assert org.name_key == "cong ty trach nhiem huu han thuong mai an phat"
    assert (org.code, org.short_name, str(org.established_on)) == ("0101234567", "AN PHAT CO", "2015-06-01")
    assert org.head_office == commune()
    assert org.head_office_path == commune().path
    assert org.representative == rep
    assert org.representative_digest == rep.login_digest
    assert org.issued_by == officer
    assert org.is_active
    membership = Membership.objects.get(organization=org)
    assert (membership.user, membership.role, membership.revoked_at) == (rep, MemberRole.REPRESENTATIVE, None)
    change = OrganizationChange.objects.get(organization=org)
    assert change.origin == ChangeOrigin.APPLICATION
    assert (change.reference, change.reference_id) == (application.number, application.pk)
    assert change.changes["name"] == [None, org.name]
    assert Application.objects.get(pk=application.pk).organization == org
    (event,) = events(org, OrganizationAction.ORG_ISSUED)
    assert event.after is not None
    assert event.after["eid"] == org.eid
    assert templates_sent_to(rep) == ["org_issued"]


def test_the_registry_match_prefers_the_business_registry(officer: User, rep: User) -> None:
    tax, business = make_snapshot("tax"), make_snapshot("business")
    make_record(tax, code="0101234567")
    make_record(business, code="0101234567")
    org = carry_out(
        actor=officer, application=make_application(applicant=rep, data=new_data(representative=person_of(rep)))
    )
    assert (org.registry_source, org.registry_code) == ("business", "0101234567")


def test_an_authorized_applicant_gets_no_membership_and_an_unknown_representative_none(officer: User) -> None:
    applicant = with_address(make_user("Người Được Ủy Quyền"))
    person = {"name": "Ông Chưa Có Tài Khoản", "digest": "a" * 64, "masked": "0010******11", "position": ""}
    org = carry_out(
        actor=officer, application=make_application(applicant=applicant, data=new_data(representative=person))
    )
    assert org.representative is None
    assert org.representative_name == "Ông Chưa Có Tài Khoản"
    assert not Membership.objects.filter(organization=org).exists()
    assert templates_sent_to(applicant) == ["org_issued"]


def test_a_level_one_representative_gets_no_membership(officer: User) -> None:
    level1 = make_user("Mức Một", level=AccountLevel.LEVEL_1)
    org = carry_out(
        actor=officer,
        application=make_application(applicant=level1, data=new_data(representative=person_of(level1))),
    )
    assert org.representative is None
    assert not Membership.objects.filter(organization=org).exists()


@pytest.mark.parametrize("status", [Status.DRAFT, Status.SUBMITTED, Status.REJECTED, Status.WITHDRAWN])
def test_only_an_application_being_approved_issues(officer: User, rep: User, status: Status) -> None:
    application = make_application(applicant=rep, data=new_data(representative=person_of(rep)), status=status)
    with pytest.raises(DomainError) as caught:
        carry_out(actor=officer, application=application)
    assert caught.value.code == "organizations.application_not_approvable"
    assert not Organization.objects.exists()


def test_an_update_request_does_not_issue(officer: User, rep: User) -> None:
    application = make_application(applicant=rep, data=new_data(representative=person_of(rep)), kind=Kind.UPDATE)
    with pytest.raises(DomainError):
        carry_out(actor=officer, application=application)


def test_issuing_twice_is_refused(officer: User, rep: User) -> None:
    application = make_application(applicant=rep, data=new_data(representative=person_of(rep)))
    carry_out(actor=officer, application=application)
    with pytest.raises(DomainError) as caught:
        carry_out(actor=officer, application=application)
    assert caught.value.code == "organizations.already_issued"
    second = make_application(applicant=rep, data=new_data(representative=person_of(rep)))
    with pytest.raises(DomainError) as caught:
        carry_out(actor=officer, application=second)
    assert caught.value.code == "organizations.already_issued"
    assert Organization.objects.count() == 1


def test_an_officer_outside_the_jurisdiction_cannot_issue(outsider_officer: User, rep: User) -> None:
    application = make_application(applicant=rep, data=new_data(representative=person_of(rep)))
    with pytest.raises(DomainError) as caught:
        carry_out(actor=outsider_officer, application=application)
    assert caught.value.code == "core.out_of_jurisdiction"
    assert AuditEvent.objects.filter(action=KernelAction.ACCESS_DENIED).exists()
    with pytest.raises(DomainError):
        carry_out(actor=rep, application=application)  # a citizen, however eager
    assert not Organization.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"name": "x" * 401}, "name"),
        ({"name": "Công ty\x07 BEL"}, "name"),
        ({"name": "Công ty \u202eevil"}, "name"),
        ({"name": 12}, "name"),
        ({"short_name": ["list"]}, "short_name"),
        ({"established_on": "31/12/2015"}, "established_on"),
        ({"established_on": "2999-01-01"}, "established_on"),
        ({"email": "not an email"}, "email"),
        ({"email": "a@b.vn\r\nBcc: x@y.z"}, "email"),
        ({"head_office_id": 0}, "head_office_id"),
        ({"head_office_id": True}, "head_office_id"),
        ({"head_office_id": "DROP TABLE"}, "head_office_id"),
        ({"phone": "0" * 21}, "phone"),
        ({"representative": None}, "representative"),
        ({"representative": {"name": "A", "digest": "short"}}, "representative.digest"),
        ({"representative": {"name": "", "digest": "a" * 64}}, "representative.name"),
    ],
)
def test_malformed_payloads_write_nothing(officer: User, rep: User, changes: dict[str, Any], field: str) -> None:
    data = new_data(representative=person_of(rep)) | changes
    application = make_application(applicant=rep, data=data)
    with pytest.raises(DomainError) as caught:
        carry_out(actor=officer, application=application)
    assert caught.value.field == field
    assert not Organization.objects.exists()
    assert not Membership.objects.exists()
    assert not AuditEvent.objects.filter(action=OrganizationAction.ORG_ISSUED).exists()


def test_a_legacy_unit_is_not_a_head_office(officer: User, rep: User) -> None:
    legacy = AdministrativeUnit.objects.filter(scheme=Scheme.LEGACY, level=Level.COMMUNE).first()
    assert legacy is not None
    data = new_data(representative=person_of(rep), head_office_id=legacy.pk)
    with pytest.raises(DomainError) as caught:
        carry_out(actor=officer, application=make_application(applicant=rep, data=data))
    assert caught.value.code == "organizations.head_office_invalid"


def test_no_personal_id_number_reaches_the_audit_log(officer: User, rep: User) -> None:
    carry_out(
        actor=officer, application=make_application(applicant=rep, data=new_data(representative=person_of(rep)))
    )
    logged = json.dumps(list(AuditEvent.objects.values("after", "before")), default=str)
    assert "091185000111" not in logged


# --- updates ------------------------------------------------------------------------------------


def test_an_update_records_before_and_after_for_each_changed_field(officer: User, rep: User) -> None:
    org = make_organization(representative=rep, code="0101234567", street="1 Lê Lợi")
    with_address(rep)
    application = make_application(
        applicant=rep,
        kind=Kind.UPDATE,
        organization=org,
        data={"name": "Công ty CP An Phát", "street": "1 Lê Lợi", "head_office_id": commune(index=1).pk},
    )
    carry_out(actor=officer, application=application)
    org.refresh_from_db()
    assert org.name == "Công ty CP An Phát"
    assert org.name_key == "cong ty co phan an phat"
    assert org.head_office == commune(index=1)
    assert org.head_office_path == commune(index=1).path
    change = OrganizationChange.objects.get(organization=org)
    assert set(change.changes) == {"name", "head_office_id"}  # the street did not change
    assert change.changes["head_office_id"] == [commune().pk, commune(index=1).pk]
    (event,) = events(org, OrganizationAction.ORG_UPDATED)
    assert event.after is not None
    assert event.after["application"] == application.number
    assert templates_sent_to(rep) == ["org_updated"]


def test_an_update_to_a_code_another_organization_holds_is_refused(officer: User, rep: User) -> None:
    make_organization(code="0300000001")
    org = make_organization(representative=rep, code="0101234567")
    application = make_application(applicant=rep, kind=Kind.UPDATE, organization=org, data={"code": "0300000001"})
    with pytest.raises(DomainError) as caught:
        carry_out(actor=officer, application=application)
    assert caught.value.code == "organizations.code_taken"
    org.refresh_from_db()
    assert org.code == "0101234567"


def test_an_update_with_nothing_new_writes_no_history(officer: User, rep: User) -> None:
    org = make_organization(representative=rep, street="1 Lê Lợi")
    application = make_application(
        applicant=rep, kind=Kind.UPDATE, organization=org, data={"street": "1  Lê Lợi "}
    )
    carry_out(actor=officer, application=application)
    assert not OrganizationChange.objects.filter(organization=org).exists()


def test_an_update_naming_a_new_representative_moves_control(officer: User, rep: User, other: User) -> None:
    org = make_organization(representative=rep)
    application = make_application(
        applicant=rep, kind=Kind.UPDATE, organization=org, data={"representative": person_of(other)}
    )
    carry_out(actor=officer, application=application)
    org.refresh_from_db()
    assert org.representative == other
    assert Membership.objects.get(organization=org, revoked_at__isnull=True).user == other


def test_an_update_of_a_terminated_organization_is_refused(officer: User, rep: User) -> None:
    org = make_organization(representative=rep, status="revoked")
    application = make_application(applicant=rep, kind=Kind.UPDATE, organization=org, data={"name": "Tên mới"})
    with pytest.raises(DomainError) as caught:
        carry_out(actor=officer, application=application)
    assert caught.value.code == "organizations.terminated"
