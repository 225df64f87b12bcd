"""Organizations of the demo, so the journey "sign in at the demo relying party as an organization"
works with the printed sign-ins (issue 12.5). Made the way real ones are: the representative files a
request online, the commune's reviewing officers approve it (both, when four-eyes applies), and a
representative grants a member the demo portal's service for a year. Idempotent: a second load finds
the organizations by tax code and the grant by its holder, and makes nothing twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from dinhdanh.applications.checks import organizations_with_code
from dinhdanh.applications.models import ApplicationChannel, Capacity, Kind, Status
from dinhdanh.applications.services import application_approve, application_start, application_submit
from dinhdanh.geo.models import AdministrativeUnit
from dinhdanh.organizations.categories import Category
from dinhdanh.organizations.models import MemberRole, Membership, Organization
from dinhdanh.organizations.services import member_grant
from dinhdanh.people.models import User

__all__ = ["DEMO_ORGANIZATIONS", "demo_organizations"]


@dataclass(frozen=True)
class DemoOrganization:
    name: str
    code: str  # a valid 10-digit tax code (stdnum vn.mst), not in the demo's registry lists
    representative: str  # login of a PEOPLE entry
    street: str


# The citizen of the demo represents the first; the partner clerk represents the second and grants the
# citizen the portal's service ("dvc") for a year — so the citizen has two organizations to switch
# between at the demo relying party: one with full powers, one with a dated grant.
DEMO_ORGANIZATIONS = (
    DemoOrganization("Công ty TNHH Thương mại Mẫu An Giang", "1700100019", "091092000007", "Số 5 đường Trần Phú"),
    DemoOrganization(
        "Hợp tác xã Dịch vụ Mẫu Kiên Giang", "1700100026", "091183000006", "Số 12 đường Nguyễn Trung Trực"
    ),
)
MEMBER_LOGIN = "091092000007"
MEMBER_SERVICES = ("dvc",)
GRANT_DAYS = 365


def _issue(
    spec: DemoOrganization, representative: User, reviewers: list[User], commune: AdministrativeUnit
) -> Organization:
    data = {
        "name": spec.name, "code": spec.code, "head_office_code": commune.code, "street": spec.street,
        "phone": "0296 3812 345", "email": "lienhe@mau.example", "representative_name": representative.full_name,
        "representative_id": spec.representative, "representative_position": "Giám đốc",
    }  # fmt: skip
    application = application_start(
        actor=representative, kind=Kind.NEW, channel=ApplicationChannel.ONLINE, capacity=Capacity.REPRESENTATIVE,
        category=Category.ENTERPRISE, data=data,
    )  # fmt: skip
    application = application_submit(actor=representative, application=application)
    for reviewer in reviewers:  # four-eyes (a check that did not match) wants a second officer
        application = application_approve(
            actor=reviewer, application=application, note="Dữ liệu mẫu / demo data", acknowledge_failed_checks=True
        )
        if application.status != Status.CHECKING:
            break
    if application.organization is None:
        raise RuntimeError(f"demo organization {spec.code} was not issued ({application.status})")
    return application.organization


def demo_organizations(
    *, people: dict[str, User], reviewers: list[User], commune: AdministrativeUnit
) -> list[Organization]:
    made = []
    for spec in DEMO_ORGANIZATIONS:
        found = organizations_with_code(spec.code).first()
        made.append(found or _issue(spec, people[spec.representative], reviewers, commune))
    granting, member = made[1], people[MEMBER_LOGIN]
    if not Membership.objects.filter(organization=granting, user=member, revoked_at__isnull=True).exists():
        member_grant(
            actor=people[DEMO_ORGANIZATIONS[1].representative], organization=granting, personal_id=MEMBER_LOGIN,
            role=MemberRole.MEMBER, services=MEMBER_SERVICES,
            valid_until=timezone.now() + timedelta(days=GRANT_DAYS),
        )  # fmt: skip
    return made
