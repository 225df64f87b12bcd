"""Who may read which request, document and verification — named predicates that the pages, the API
and the services share (issue 11.3). Selectors apply them (``applications.selectors``); a refusal is
audited there, not here: a predicate only answers.

* Officers: a reviewer covering the request's routed unit, or an intake officer covering it or the
  organization's head office (``officer_may_see``).
* The applicant, and a co-representative asked to consent (``is_applicant``, ``asked_to_consent``).
* A partner clerk for the registry a verification was sent to, or the police unit it was sent to,
  within their territory (``may_answer``); a partner's answer is the police's working paper: never the
  applicant's, a co-representative's or a member's (issue 10, low).
* Documents: the officers, the one who answers the verification the document belongs to, else the
  applicant, a co-representative or a member of the organization in force (``may_read_document``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q

from dinhdanh.applications.models import Application, Consent, Document, VerificationRequest
from dinhdanh.applications.permissions import ApplicationPermission
from dinhdanh.applications.routing import stored_route
from dinhdanh.core.access import Jurisdiction, active_assignments, grants_of, jurisdictions
from dinhdanh.organizations.selectors import membership_in_force
from dinhdanh.people.logins import digests_of
from dinhdanh.people.models import User

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

__all__ = [
    "OFFICER_PERMISSIONS",
    "answer_scopes",
    "asked_to_consent",
    "consent_of",
    "is_applicant",
    "may_answer",
    "may_read_document",
    "officer_may_see",
    "officer_scopes",
]

OFFICER_PERMISSIONS = (ApplicationPermission.REVIEW_APPLICATION, ApplicationPermission.INTAKE_APPLICATION)


def officer_scopes(user: User | AnonymousUser) -> list[Jurisdiction]:
    """(review, intake) jurisdictions of ``user``, from one read of the assignments."""
    return jurisdictions(user, OFFICER_PERMISSIONS)


def officer_may_see(user: User | AnonymousUser, application: Application) -> bool:
    unit = stored_route(application.unit, application.unit_path).access_unit
    review, intake = officer_scopes(user)
    return (not review.empty and review.covers(unit)) or (
        not intake.empty and (intake.covers(unit) or intake.covers(application.head_office))
    )


def is_applicant(user: User | AnonymousUser, application: Application) -> bool:
    return user.is_authenticated and application.applicant_id == user.pk


def consent_of(user: User, prefix: str = "") -> Q:
    """The consents addressed to ``user``: by account, or by personal-number digest before they had one."""
    return Q(**{f"{prefix}person": user}) | Q(
        **{f"{prefix}person__isnull": True, f"{prefix}person_digest__in": digests_of(user)}
    )


def asked_to_consent(user: User | AnonymousUser, application: Application) -> bool:
    return isinstance(user, User) and Consent.objects.filter(consent_of(user), application=application).exists()


def answer_scopes(user: User | AnonymousUser) -> tuple[list[tuple[str, str | None]], list[str | None]]:
    """(partner scopes as (source, territory path or None), police scopes as territory paths or None).

    A partner clerk's assignment answers only for its source; an assignment without a source (police)
    answers only questions sent to a unit. None means nationwide."""
    partners: list[tuple[str, str | None]] = []
    police: list[str | None] = []
    for assignment in active_assignments(user):
        if ApplicationPermission.ANSWER_VERIFICATION not in grants_of(assignment.role):
            continue
        path = assignment.unit.path if assignment.unit is not None else None
        if assignment.partner_source:
            partners.append((assignment.partner_source, path))
        else:
            police.append(path)
    return partners, police


def may_answer(user: User | AnonymousUser, verification: VerificationRequest) -> bool:
    partners, police = answer_scopes(user)
    if verification.partner_source:
        where = verification.application.head_office.path
        return any(s == verification.partner_source and (p is None or where.startswith(p)) for s, p in partners)
    unit = verification.unit
    return unit is not None and any(p is None or unit.path.startswith(p) for p in police)


def may_read_document(user: User | AnonymousUser, document: Document) -> bool:
    application = document.application
    if officer_may_see(user, application):
        return True
    if document.verification is not None:
        return may_answer(user, document.verification)
    if is_applicant(user, application) or asked_to_consent(user, application):
        return True
    if application.organization is not None and isinstance(user, User):
        return membership_in_force(user, application.organization) is not None
    return False
