"""A new legal representative (LEGAL §4 [inference]): control moves to the new person's account, the
old representative's membership ends and so does every grant they made, and both are told.

Called from an approved REPRESENTATIVE_CHANGE (or UPDATE) request, by an officer, or by the Art. 8
registry flow (a ``RegistryOrigin``, no officer: the registry is the authority).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from dinhdanh.core import events
from dinhdanh.core.errors import DomainError
from dinhdanh.organizations import events as org_events
from dinhdanh.organizations.audit_actions import OrganizationAction
from dinhdanh.organizations.data import Person
from dinhdanh.organizations.errors import OrganizationError
from dinhdanh.organizations.models import MemberRole, Membership, Organization
from dinhdanh.organizations.origins import Origin, RegistryOrigin
from dinhdanh.organizations.services._common import (
    account_for,
    end_membership,
    locked_row,
    notify,
    person,
    refuse_if_terminated,
    require_officer,
    save_changes,
)
from dinhdanh.organizations.services.control import attach_named_representative
from dinhdanh.people.models import User

__all__ = ["organization_change_representative"]

REASON_REPLACED = "representative_changed"
REASON_GRANTOR_REPLACED = "grantor_no_longer_representative"
REASON_SUPERSEDED = "superseded_by_representative"


def organization_change_representative(
    *,
    actor: User | None,
    organization: Organization,
    representative: Person,
    origin: Origin,
) -> Organization:
    new = person(representative)
    refuse_if_terminated(organization)
    if not isinstance(origin, RegistryOrigin):
        require_officer(actor, organization)
    new_user = account_for(new["digest"])
    if new["digest"] == organization.representative_digest:
        if organization.representative_id is None and new_user is not None:
            # The named representative had no account at issuance and has one now: the follow-up
            # request (or the registry naming them again) gives them control instead of a refusal.
            attach_named_representative(
                actor=actor, organization=organization, account=new_user, how=str(origin.change)
            )
            return organization
        raise DomainError(OrganizationError.SAME_REPRESENTATIVE)
    now = timezone.now()
    with transaction.atomic():
        locked_row(organization)
        refuse_if_terminated(organization)
        if new["digest"] == organization.representative_digest:
            raise DomainError(OrganizationError.SAME_REPRESENTATIVE)
        old_user_id = organization.representative_id
        old_user = User.objects.filter(pk=old_user_id).first() if old_user_id else None
        live = Membership.objects.select_for_update(of=("self",)).filter(
            organization=organization, revoked_at__isnull=True
        )
        ended: list[Membership] = []
        for membership in live.select_related("user"):
            if membership.role == MemberRole.REPRESENTATIVE:
                reason = REASON_REPLACED
            elif old_user_id is not None and membership.granted_by_id == old_user_id:
                reason = REASON_GRANTOR_REPLACED
            elif new_user is not None and membership.user_id == new_user.pk:
                reason = REASON_SUPERSEDED
            else:
                continue
            end_membership(membership, actor=actor, reason=reason, at=now)
            ended.append(membership)
        new_membership = None
        if new_user is not None:
            new_membership = Membership.objects.create(
                organization=organization,
                user=new_user,
                role=MemberRole.REPRESENTATIVE,
                valid_from=now,
                granted_at=now,
            )
        changes: dict[str, list[Any]] = {
            "representative_name": [organization.representative_name, new["name"]],
            "representative_masked": [organization.representative_masked, new["masked"]],
            "representative_position": [organization.representative_position, new["position"]],
            "representative_account": [old_user_id is not None, new_user is not None],
        }
        organization.representative = new_user
        organization.representative_digest = new["digest"]
        organization.representative_masked = new["masked"]
        organization.representative_name = new["name"]
        organization.representative_position = new["position"]
        save_changes(
            organization,
            changes,
            actor=actor,
            origin=origin,
            action=OrganizationAction.ORG_REPRESENTATIVE_CHANGED,
            extra={
                "memberships_ended": [m.pk for m in ended],
                "representative_membership": new_membership.pk if new_membership else None,
            },
        )
        events.emit(
            org_events.REPRESENTATIVE_CHANGED,
            actor=actor,
            organization=organization,
            payload={
                "eid": organization.eid,
                "origin": str(origin.change),
                "has_account": new_user is not None,
                "memberships_ended": len(ended),
            },
        )
        params = {"eid": organization.eid, "organization": organization.name}
        notify(old_user, "org_representative_removed", params)
        notify(new_user, "org_representative_added", params)
        for membership in ended:
            if membership.role != MemberRole.REPRESENTATIVE and membership.user_id != getattr(
                new_user, "pk", None
            ):
                notify(membership.user, "org_member_ended", {**params, "kind": "revoked"})
    return organization
