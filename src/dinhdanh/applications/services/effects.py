"""What an approved request does to its organization: the one adapter between a request and the
organizations services, which take the request's data and an ``ApplicationOrigin`` (issue 11.1)."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from dinhdanh.applications.errors import ApplicationError
from dinhdanh.applications.models import Application, Kind, Status
from dinhdanh.core.errors import DomainError
from dinhdanh.organizations.errors import OrganizationError
from dinhdanh.organizations.models import LockGround
from dinhdanh.organizations.origins import ApplicationOrigin
from dinhdanh.organizations.services import (
    organization_apply_update,
    organization_change_representative,
    organization_issue,
    organization_lock,
    organization_terminate,
    organization_unlock,
)
from dinhdanh.registries.selectors.lookup import registry_match

if TYPE_CHECKING:
    from dinhdanh.organizations.data import OrganizationData
    from dinhdanh.organizations.models import Organization
    from dinhdanh.people.models import User

__all__ = ["carry_out"]

# The status a request has while (or just after) an officer approves it.
_APPROVING = frozenset({Status.CHECKING, Status.APPROVED})


def carry_out(*, actor: User, application: Application, link: bool = True) -> Organization:
    """The effect of an approved request, through the organizations services (their contract: the
    request's data and an ``ApplicationOrigin``; this side links the request to what it created, unless
    ``link=False`` says the caller saves the link with its own update of the request)."""
    if application.status not in _APPROVING:
        raise DomainError(OrganizationError.APPLICATION_NOT_APPROVABLE, number=application.number)
    kind, data = Kind(application.kind), application.data
    if not isinstance(data, dict):
        raise DomainError(OrganizationError.INVALID_DATA, field="data")
    # Validated when the request was filed; the organizations services check it again before writing.
    payload = cast("OrganizationData", data)
    origin = ApplicationOrigin(
        number=application.number, application_id=application.pk, applicant=application.applicant
    )
    if kind == Kind.NEW:
        if application.organization_id is not None:
            raise DomainError(OrganizationError.ALREADY_ISSUED, code=application.code or application.number)
        organization = organization_issue(
            actor=actor,
            data=payload,
            category=application.category,
            origin=origin,
            registry=registry_match(str(data.get("code") or "")),
        )
        if link:
            Application.objects.filter(pk=application.pk).update(organization=organization)
        application.organization = organization
        return organization
    target = application.organization
    if target is None:
        raise DomainError(ApplicationError.ORGANIZATION_REQUIRED)
    organization = target
    if kind == Kind.UPDATE:
        return organization_apply_update(
            actor=actor,
            organization=organization,
            data=payload,
            origin=origin,
            registry=registry_match(str(data.get("code") or "")),
        )
    if kind == Kind.REPRESENTATIVE_CHANGE:
        return organization_change_representative(
            actor=actor, organization=organization, representative=data["representative"], origin=origin
        )
    reason = str(data.get("reason", ""))
    if kind == Kind.LOCK:
        authority = str(data.get("authority", ""))
        organization_lock(
            actor=actor,
            organization=organization,
            ground=LockGround.AUTHORITY_REQUEST if authority else LockGround.ORGANIZATION_REQUEST,
            reason=reason,
            authority=authority,
            document_reference=str(data.get("document_reference", "")),
            origin=origin,
        )
    elif kind == Kind.UNLOCK:
        organization_unlock(actor=actor, organization=organization, reason=reason, origin=origin)
    else:
        organization_terminate(actor=actor, organization=organization, reason=reason, origin=origin)
    return organization
