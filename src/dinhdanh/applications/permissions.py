"""Who takes, reviews and verifies organization requests (decision 0024)."""

from __future__ import annotations

from dinhdanh.core.access import Permission, grant, permissions
from dinhdanh.people.permissions import PeopleRole
from dinhdanh.registries.permissions import RegistryRole


@permissions("applications")
class ApplicationPermission(Permission):
    INTAKE_APPLICATION = "applications.intake"
    REVIEW_APPLICATION = "applications.review"
    ANSWER_VERIFICATION = "applications.answer_verification"


grant(PeopleRole.INTAKE_OFFICER, ApplicationPermission.INTAKE_APPLICATION)
grant(
    PeopleRole.REVIEWING_OFFICER,
    ApplicationPermission.REVIEW_APPLICATION,
    ApplicationPermission.ANSWER_VERIFICATION,
)
grant(RegistryRole.PARTNER_CLERK, ApplicationPermission.ANSWER_VERIFICATION)
