"""The demo's organizations (issue 12.5): the printed citizen can sign in at the demo relying party as
either of two organizations — one they represent, one whose representative granted them the portal's
service for a year — and a second load makes nothing twice."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from dinhdanh.demo.organizations import DEMO_ORGANIZATIONS, MEMBER_LOGIN
from dinhdanh.demo.relying_party import DEMO_RP_SERVICE
from dinhdanh.demo.services import demo_load
from dinhdanh.organizations.models import Membership, Organization, OrganizationStatus
from dinhdanh.organizations.selectors import acting_choices, granted_codes
from dinhdanh.people.logins import login_digest
from dinhdanh.people.models import User

pytestmark = pytest.mark.django_db


def test_the_citizen_may_act_for_two_demo_organizations_at_the_demo_rp(settings: Any, tmp_path: Path) -> None:
    settings.DATA_DIR = tmp_path
    demo_load()
    citizen = User.objects.get(login_digest=login_digest(MEMBER_LOGIN))
    choices = acting_choices(citizen, DEMO_RP_SERVICE)
    assert sorted(org.code for org, _m in choices) == sorted(spec.code for spec in DEMO_ORGANIZATIONS)
    assert all(org.status == OrganizationStatus.ACTIVE for org, _m in choices)
    roles = {org.code: (m.role, granted_codes(m), m.valid_until is not None) for org, m in choices}
    first, second = (spec.code for spec in DEMO_ORGANIZATIONS)
    assert roles[first] == ("representative", ["*"], False)
    assert roles[second] == ("member", [DEMO_RP_SERVICE], True)

    counts = (Organization.objects.count(), Membership.objects.count())
    demo_load()
    assert (Organization.objects.count(), Membership.objects.count()) == counts
