"""Issue 11.3: the page and the API give the same answer about an organization's data, for every
kind of reader (the measured disagreement: a plain member got 200 on the members and history pages
and 403 on the same data through the API)."""

from __future__ import annotations

import pytest
from django.test import Client

from dinhdanh.organizations.models import MemberRole, Membership, Organization
from dinhdanh.people.models import User
from dinhdanh.people.permissions import PeopleRole
from tests.conftest import make_officer, make_user, signed_in
from tests.organizations.factories import make_organization, province

pytestmark = pytest.mark.django_db

# what → (page suffix, API suffix)
DATA = {
    "profile": ("", ""),
    "members": ("members/", "/members"),
    "history": ("history/", "/history"),
}


def _readers(org: Organization, rep: User) -> dict[str, User]:
    admin = make_user("Quản Trị Viên", personal_id="091085000601")
    member = make_user("Thành Viên", personal_id="091085000602")
    ended = make_user("Thành Viên Cũ", personal_id="091085000603")
    Membership.objects.create(organization=org, user=admin, role=MemberRole.ADMINISTRATOR, granted_by=rep)
    Membership.objects.create(organization=org, user=member, role=MemberRole.MEMBER, granted_by=rep)
    gone = Membership.objects.create(organization=org, user=ended, role=MemberRole.MEMBER, granted_by=rep)
    Membership.objects.filter(pk=gone.pk).update(revoked_at=gone.granted_at)
    return {
        "representative": rep,
        "administrator": admin,
        "member": member,
        "ended member": ended,
        "stranger": make_user("Người Lạ", personal_id="091085000604"),
    }


def _allowed(status: int) -> bool:
    assert status in {200, 403, 404}, status
    return status == 200


@pytest.mark.parametrize("what", sorted(DATA))
def test_page_and_api_agree_for_every_reader(what: str) -> None:
    rep = make_user("Người Đại Diện", personal_id="091085000600")
    org = make_organization(representative=rep)
    page_suffix, api_suffix = DATA[what]
    expected = {
        "representative": True,
        "administrator": True,
        "member": what == "profile",
        "ended member": False,
        "stranger": False,
    }
    for name, user in _readers(org, rep).items():
        page = signed_in(Client(), user).get(f"/organizations/{org.eid}/{page_suffix}")
        api = signed_in(Client(), user).get(f"/api/v1/organizations/{org.eid}{api_suffix}")
        assert _allowed(page.status_code) == _allowed(api.status_code) == expected[name], (name, what)


def test_an_officer_in_jurisdiction_reads_through_the_api_and_the_officer_page() -> None:
    org = make_organization(representative=make_user("Người Đại Diện", personal_id="091085000600"))
    officer = make_officer(PeopleRole.REVIEWING_OFFICER, province("91"), "Cán bộ An Giang")
    assert signed_in(Client(), officer).get(f"/api/v1/organizations/{org.eid}/members").status_code == 200
    assert signed_in(Client(), officer).get(f"/applications/organizations/{org.eid}/").status_code == 200
    outsider = make_officer(PeopleRole.REVIEWING_OFFICER, province("01"), "Cán bộ Hà Nội")
    assert signed_in(Client(), outsider).get(f"/api/v1/organizations/{org.eid}/members").status_code == 403
    assert signed_in(Client(), outsider).get(f"/applications/organizations/{org.eid}/").status_code == 403
