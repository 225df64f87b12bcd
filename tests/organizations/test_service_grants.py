"""Issue 12.0: a registry of services relying parties name, and member grants as rows — full powers or
named services, each for a period; never "an empty list means every service"."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from dinhdanh.core.access import AdministratorRole
from dinhdanh.core.errors import DomainError
from dinhdanh.core.models import AuditEvent
from dinhdanh.organizations import selectors
from dinhdanh.organizations.audit_actions import OrganizationAction
from dinhdanh.organizations.models import MemberGrant, MemberRole, Membership, Organization, Service
from dinhdanh.organizations.services import member_grant, member_revoke, service_save
from dinhdanh.people.models import User
from tests.conftest import make_officer, make_user
from tests.organizations.factories import make_organization, make_service

pytestmark = pytest.mark.django_db

OTHER = "091085000222"  # the ``other`` fixture's number


@pytest.fixture
def org(rep: User) -> Organization:
    return make_organization(representative=rep)


def membership(rep: User, org: Organization, **kwargs: object) -> Membership:
    return member_grant(actor=rep, organization=org, personal_id=OTHER, **kwargs)  # type: ignore[arg-type]


@pytest.mark.usefixtures("other")
def test_a_member_acts_only_in_the_services_granted_and_only_while_they_last(rep: User, org: Organization) -> None:
    make_service("thue.ke_khai"), make_service("bhxh")
    held = membership(rep, org, services=["thue.ke_khai"])
    assert selectors.membership_covers(held, "thue.ke_khai")
    assert not selectors.membership_covers(held, "bhxh")
    assert not selectors.membership_covers(held, "unknown")
    later = timezone.now() + timedelta(days=400)
    MemberGrant.objects.filter(membership=held).update(valid_until=timezone.now() + timedelta(days=1))
    assert not selectors.membership_covers(held, "thue.ke_khai", later)  # the grant's period is over
    Service.objects.filter(code="thue.ke_khai").update(active=False)
    assert not selectors.membership_covers(held, "thue.ke_khai")  # a service out of use ends its grants


@pytest.mark.usefixtures("other")
def test_full_powers_are_explicit(rep: User, org: Organization) -> None:
    representative = selectors.membership_in_force(rep, org)
    assert selectors.membership_covers(representative, "any.service")
    held = membership(rep, org, full_powers=True)
    assert (held.full_powers, selectors.granted_codes(held)) == (True, ["*"])
    assert not held.grants.exists()


@pytest.mark.usefixtures("other")
@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({}, "organizations.no_services"),  # once "every service"; now a choice to make
        ({"services": []}, "organizations.no_services"),
        ({"services": ["khong-co"]}, "organizations.unknown_services"),
        ({"services": ["tat"]}, "organizations.unknown_services"),  # out of use
        ({"services": ["thue"], "full_powers": True}, "organizations.services_not_for_role"),
        ({"services": ["thue"], "role": MemberRole.ADMINISTRATOR}, "organizations.services_not_for_role"),
        ({"services": "thue"}, "organizations.invalid_services"),
        ({"services": ["THUE"]}, "organizations.invalid_services"),
    ],
)
def test_a_grant_that_names_no_usable_service_changes_nothing(
    rep: User, org: Organization, kwargs: dict[str, object], code: str
) -> None:
    make_service("thue"), make_service("tat", active=False)
    with pytest.raises(DomainError) as refused:
        membership(rep, org, **kwargs)
    assert refused.value.code == code
    assert Membership.objects.filter(organization=org).count() == 1
    assert not MemberGrant.objects.exists()


@pytest.mark.usefixtures("other")
def test_ending_a_membership_ends_its_grants(rep: User, org: Organization) -> None:
    make_service("thue")
    held = membership(rep, org, services=["thue"])
    member_revoke(actor=rep, membership=held, reason="Nghỉ việc")
    (grant,) = MemberGrant.objects.filter(membership=held)
    assert grant.revoked_at == Membership.objects.get(pk=held.pk).revoked_at
    assert selectors.live_grants(held) == []


def test_administrators_keep_the_registry_and_every_change_is_audited() -> None:
    admin = make_officer(AdministratorRole.SYSTEM_ADMIN, None, "Quản Trị")
    service = service_save(actor=admin, code="thue.ke_khai", name="Khai thuế điện tử")
    again = service_save(actor=admin, code="thue.ke_khai", name="Khai thuế", name_en="Tax returns", active=False)
    assert (again.pk, again.name, again.name_en, again.active) == (service.pk, "Khai thuế", "Tax returns", False)
    events = AuditEvent.objects.filter(action=OrganizationAction.SERVICE_SAVED).order_by("pk")
    assert [e.before for e in events] == [None, {"name": "Khai thuế điện tử", "name_en": "", "active": True}]
    service_save(actor=admin, code="thue.ke_khai", name="Khai thuế", name_en="Tax returns", active=False)
    assert events.count() == 2  # nothing changed, nothing recorded


@pytest.mark.parametrize(
    ("code", "name", "error"),
    [
        ("", "Thuế", "organizations.invalid_services"),
        ("Thuế", "Thuế", "organizations.invalid_services"),
        ("a b", "Thuế", "organizations.invalid_services"),
        ("x" * 65, "Thuế", "organizations.invalid_services"),
        ("'; DROP TABLE organizations_service; --", "Thuế", "organizations.invalid_services"),
        ("thue", "", "organizations.service_name_required"),
        ("thue", "   ", "organizations.service_name_required"),
    ],
)
def test_bad_service_input_is_refused(code: str, name: str, error: str) -> None:
    with pytest.raises(DomainError) as refused:
        service_save(actor=None, code=code, name=name)
    assert refused.value.code == error
    assert not Service.objects.exists()


def test_only_a_system_administrator_keeps_the_registry() -> None:
    citizen = make_user("Công Dân")
    with pytest.raises(DomainError) as refused:
        service_save(actor=citizen, code="thue", name="Thuế")
    assert refused.value.status == 403
    assert not Service.objects.exists()


def test_the_command_adds_lists_and_retires_services() -> None:
    out = io.StringIO()
    call_command(
        "services", "set", "dvc", "--name", "Cổng dịch vụ công", "--name-en", "Public services", stdout=out
    )
    call_command("services", "set", "dvc", "--name", "Cổng dịch vụ công", "--inactive", stdout=out)
    listing = io.StringIO()
    call_command("services", "list", stdout=listing)
    assert "dvc" in listing.getvalue()
    assert " off " in listing.getvalue()
    with pytest.raises(DomainError):
        call_command("services", "set", "Bad Code", "--name", "x", stdout=out)
