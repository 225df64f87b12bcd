"""“Đổi tài khoản”: a person acts for an organization they hold a membership in force for, or goes
back to acting for themselves. Every later request re-checks it (``selectors.acting_organization``)."""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest

from dinhdanh.core import audit, events
from dinhdanh.core.errors import DomainError
from dinhdanh.organizations import events as org_events
from dinhdanh.organizations.audit_actions import OrganizationAction
from dinhdanh.organizations.errors import OrganizationError
from dinhdanh.organizations.models import Organization
from dinhdanh.organizations.selectors import ACTING_ORGANIZATION, granted_codes, membership_in_force
from dinhdanh.people.models import User

__all__ = ["organization_switch"]


def organization_switch(*, actor: User, request: HttpRequest, organization: Organization | None) -> None:
    previous = request.session.get(ACTING_ORGANIZATION)
    if organization is None:
        with transaction.atomic():
            audit.record(
                OrganizationAction.ORG_SWITCHED,
                actor=actor,
                object_type="people.user",
                object_id=str(actor.pk),
                after={"organization": None, "previous": previous if isinstance(previous, int) else None},
            )
        request.session.pop(ACTING_ORGANIZATION, None)
        return
    membership = membership_in_force(actor, organization)
    if membership is None:
        raise DomainError(OrganizationError.NOT_A_MEMBER)
    if not organization.is_active:
        raise DomainError(OrganizationError.NOT_ACTIVE)
    with transaction.atomic():
        audit.record(
            OrganizationAction.ORG_SWITCHED,
            actor=actor,
            obj=organization,
            after={"membership": membership.pk, "role": membership.role, "services": granted_codes(membership)},
        )
        # Campaigns count the first time a person acts for an organization: said once, here.
        first = not events.happened(org_events.ACTED_AS, actor=actor, organization_id=organization.pk)
        events.emit(
            org_events.ACTED_AS,
            actor=actor,
            organization=organization,
            payload={"membership": membership.pk, "role": str(membership.role), "first": first},
        )
    request.session[ACTING_ORGANIZATION] = organization.pk
