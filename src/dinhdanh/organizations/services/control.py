"""An organization nobody controls gets its representative (issue 10.3).

An organization is issued without anyone in control when its legal representative had no level-2
account at the time (an authorized applicant filed, or the registry named a successor). Once that
person holds a level-2 account, they **claim** control themselves — verified against the
organization's record (the login digest of the representative it names) — or an officer over the
head office **attaches** their account. Either way the representative membership is created, the
account becomes ``Organization.representative``, the act is audited and the person is told.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from dinhdanh.core import audit
from dinhdanh.core.errors import DomainError
from dinhdanh.organizations.audit_actions import OrganizationAction
from dinhdanh.organizations.errors import OrganizationError
from dinhdanh.organizations.models import MemberRole, Membership, Organization
from dinhdanh.organizations.services._common import (
    account_for,
    end_membership,
    locked_row,
    notify,
    refuse_if_terminated,
    require_officer,
)
from dinhdanh.people.assurance import require_fresh_factor
from dinhdanh.people.logins import digests_of
from dinhdanh.people.models import AccountLevel, User

__all__ = ["attach_named_representative", "organization_attach_representative", "organization_claim_control"]


def attach_named_representative(
    *, actor: User | None, organization: Organization, account: User, how: str
) -> Membership:
    now = timezone.now()
    with transaction.atomic():
        locked_row(organization)
        refuse_if_terminated(organization)
        if organization.representative_id is not None:
            raise DomainError(OrganizationError.ALREADY_CONTROLLED)
        if organization.representative_digest not in digests_of(account):  # the record changed meanwhile
            raise DomainError(OrganizationError.NOT_RECORDED_REPRESENTATIVE)
        # A grant the person held as a plain member gives way to the representative membership.
        for held in Membership.objects.select_for_update().filter(
            organization=organization, user=account, revoked_at__isnull=True
        ):
            end_membership(held, actor=actor, reason="superseded_by_representative", at=now)
        membership = Membership.objects.create(
            organization=organization, user=account, role=MemberRole.REPRESENTATIVE, valid_from=now, granted_at=now
        )
        organization.representative = account
        organization.updated_at = now
        organization.save(update_fields=["representative", "updated_at"])
        audit.record(
            OrganizationAction.ORG_CONTROL_CLAIMED,
            actor=actor,
            obj=organization,
            after={"how": how, "representative_membership": membership.pk, "account": account.pk},
        )
        notify(account, "org_representative_added", {"eid": organization.eid, "organization": organization.name})
    return membership


def organization_claim_control(*, actor: User, organization: Organization) -> Membership:
    """The representative the record names, now at level 2, takes control of their organization."""
    if actor.level < AccountLevel.LEVEL_2 or actor.is_locked:
        raise DomainError(OrganizationError.LEVEL_2_TO_CLAIM)
    if not organization.representative_digest or organization.representative_digest not in digests_of(actor):
        raise DomainError(OrganizationError.NOT_RECORDED_REPRESENTATIVE)
    refuse_if_terminated(organization)
    if organization.representative_id is not None:
        raise DomainError(OrganizationError.ALREADY_CONTROLLED)
    require_fresh_factor()
    return attach_named_representative(actor=actor, organization=organization, account=actor, how="claimed")


def organization_attach_representative(*, actor: User, organization: Organization) -> Membership:
    """An officer over the head office attaches the named representative's level-2 account."""
    require_officer(actor, organization)
    refuse_if_terminated(organization)
    if organization.representative_id is not None:
        raise DomainError(OrganizationError.ALREADY_CONTROLLED)
    account = account_for(organization.representative_digest)
    if account is None or account.is_locked:
        raise DomainError(OrganizationError.REPRESENTATIVE_HAS_NO_ACCOUNT)
    require_fresh_factor()
    return attach_named_representative(
        actor=actor, organization=organization, account=account, how="attached_by_officer"
    )
