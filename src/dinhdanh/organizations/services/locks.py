"""Locking, unlocking and terminating an organization account (Decree 69 Art. 15; LEGAL §4).

- The legal representative may lock at once on the organization's own request (like a holder's
  TK03 lock of a personal account); every other lock, and every unlock, is an officer's decision
  (REVIEW_APPLICATION over the head office), on a request or an authority's written request.
- Termination (dissolution, bankruptcy, revoked code) is a permanent lock: status ``revoked``, never
  unlocked. From the registry (Art. 8) it needs no officer.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from dinhdanh.core import audit, events
from dinhdanh.core.errors import DomainError
from dinhdanh.core.text import clean_optional
from dinhdanh.organizations import events as org_events
from dinhdanh.organizations.audit_actions import OrganizationAction
from dinhdanh.organizations.errors import OrganizationError
from dinhdanh.organizations.models import (
    LockGround,
    LockProposal,
    Organization,
    OrganizationLock,
    OrganizationStatus,
)
from dinhdanh.organizations.origins import (
    ApplicationOrigin,
    OfficerOrigin,
    Origin,
    RegistryOrigin,
    facts,
    reference,
)
from dinhdanh.organizations.selectors import representative_membership
from dinhdanh.organizations.services._common import locked_row, notify, require_officer
from dinhdanh.people.assurance import require_fresh_factor
from dinhdanh.people.models import User

__all__ = ["organization_lock", "organization_terminate", "organization_unlock"]


def _reason(reason: object) -> str:
    text = clean_optional(reason if isinstance(reason, str) else "", field="reason", max_length=1000)
    if not text:
        raise DomainError(OrganizationError.REASON_REQUIRED, field="reason")
    return text


def _ground(ground: object) -> LockGround:
    if not isinstance(ground, str) or ground not in LockGround.values:
        raise DomainError(OrganizationError.GROUND_NOT_ALLOWED, field="ground", ground=str(ground)[:40])
    return LockGround(ground)


def _members_to_tell(organization: Organization) -> User | None:
    return (
        User.objects.filter(pk=organization.representative_id).first() if organization.representative_id else None
    )


def _second_officer(
    actor: User, organization: Organization, reason: str, authority: str, document_reference: str
) -> LockProposal:
    """The open proposal a second officer confirms, or a new one this officer makes (inside the
    organization's row lock, so two officers cannot both become "the first")."""
    pending = LockProposal.objects.filter(organization=organization, resolved_at__isnull=True).first()
    if pending is None:
        proposal = LockProposal.objects.create(
            organization=organization,
            reason=reason,
            authority=authority,
            document_reference=document_reference,
            proposed_by=actor,
        )
        audit.record(
            OrganizationAction.ORG_LOCK_PROPOSED,
            actor=actor,
            obj=organization,
            after={"proposal": proposal.pk, "authority": authority, "document_reference": document_reference},
        )
        return proposal
    if pending.proposed_by_id == actor.pk:
        raise DomainError(OrganizationError.LOCK_NEEDS_SECOND_OFFICER)
    if pending.document_reference != document_reference:
        raise DomainError(OrganizationError.LOCK_PROPOSAL_DIFFERS, document=pending.document_reference)
    return pending


def organization_lock(
    *,
    actor: User | None,
    organization: Organization,
    ground: LockGround,
    reason: str,
    authority: str = "",
    document_reference: str = "",
    origin: Origin | None = None,
    permanent: bool = False,
) -> OrganizationLock | LockProposal:
    """Lock now, or — an officer's lock on an authority's request, with four-eyes on — record the
    first officer's proposal (returned) that a second officer's identical call carries out."""
    origin = origin or OfficerOrigin()
    by_request = isinstance(origin, ApplicationOrigin)
    ground = _ground(ground)
    reason = _reason(reason)
    authority = clean_optional(authority if isinstance(authority, str) else "", field="authority", max_length=300)
    document_reference = clean_optional(
        document_reference if isinstance(document_reference, str) else "",
        field="document_reference",
        max_length=200,
    )
    if ground == LockGround.AUTHORITY_REQUEST and not (authority and document_reference):
        raise DomainError(OrganizationError.AUTHORITY_REQUIRED, field="authority")
    if ground == LockGround.REGISTRY_TERMINATION and (not isinstance(origin, RegistryOrigin) or not permanent):
        # Only the Art. 8 flow locks on this ground, and then for good.
        raise DomainError(OrganizationError.GROUND_NOT_ALLOWED, field="ground", ground=str(ground))
    by_registry = ground == LockGround.REGISTRY_TERMINATION
    self_lock = (
        ground == LockGround.ORGANIZATION_REQUEST
        and not permanent
        and not by_request
        and actor is not None
        and representative_membership(actor, organization) is not None
    )
    if not by_registry and not self_lock:
        require_officer(actor, organization)
    if not by_registry and not by_request:
        require_fresh_factor()  # an approved request's officer proved it when approving
    four_eyes = (
        ground == LockGround.AUTHORITY_REQUEST
        and not by_request
        and not permanent
        and settings.FOUR_EYES_AUTHORITY_LOCKS
    )
    now = timezone.now()
    ref, ref_id = reference(origin)
    with transaction.atomic():
        locked_row(organization)
        if organization.status == OrganizationStatus.REVOKED:
            raise DomainError(OrganizationError.TERMINATED)
        if organization.status == OrganizationStatus.LOCKED and not permanent:
            raise DomainError(OrganizationError.ALREADY_LOCKED)
        proposal = None
        if four_eyes:
            assert actor is not None  # noqa: S101 - require_officer refused anonymous callers
            proposal = _second_officer(actor, organization, reason, authority, document_reference)
            if isinstance(proposal, LockProposal) and proposal.proposed_by_id == actor.pk:
                return proposal  # the first officer's half: recorded and audited, waiting
        lock = OrganizationLock.objects.create(
            organization=organization,
            ground=ground,
            permanent=permanent,
            authority=authority,
            document_reference=document_reference,
            reason=reason,
            locked_at=now,
            locked_by=actor if actor is not None and actor.pk else None,
            reference=ref,
            reference_id=ref_id,
        )
        before = organization.status
        organization.status = OrganizationStatus.REVOKED if permanent else OrganizationStatus.LOCKED
        organization.updated_at = now
        organization.save(update_fields=["status", "updated_at"])
        after: dict[str, Any] = {
            "lock": lock.pk,
            "ground": str(ground),
            "permanent": permanent,
            "reason": reason,
            "authority": authority,
            "document_reference": document_reference,
            **facts(origin),
        }
        if proposal is not None:
            proposal.resolved_at, proposal.lock = now, lock
            proposal.save(update_fields=["resolved_at", "lock"])
            after["four_eyes"] = {"proposal": proposal.pk, "first_officer": proposal.proposed_by_id}
        audit.record(
            OrganizationAction.ORG_TERMINATED if permanent else OrganizationAction.ORG_LOCKED,
            actor=actor,
            obj=organization,
            before={"status": before},
            after=after,
        )
        events.emit(
            org_events.TERMINATED if permanent else org_events.LOCKED,
            actor=actor,
            organization=organization,
            payload={"eid": organization.eid, "lock": lock.pk, "ground": str(ground)},
        )
        notify(
            _members_to_tell(organization),
            "org_locked",
            {
                "eid": organization.eid,
                "organization": organization.name,
                "kind": "terminated" if permanent else ground,
            },
        )
    return lock


def organization_terminate(
    *,
    actor: User | None,
    organization: Organization,
    reason: str,
    origin: Origin | None = None,
    ground: LockGround | None = None,
) -> OrganizationLock:
    """Permanent. From a registry snapshot the ground is REGISTRY_TERMINATION and no officer is
    needed; otherwise (a REVOKE request, an authority) an officer decides."""
    if ground is None:
        by_registry = isinstance(origin, RegistryOrigin)
        ground = LockGround.REGISTRY_TERMINATION if by_registry else LockGround.ORGANIZATION_REQUEST
    lock = organization_lock(
        actor=actor,
        organization=organization,
        ground=ground,
        reason=reason,
        origin=origin,
        permanent=True,
    )
    assert isinstance(lock, OrganizationLock)  # noqa: S101 - four-eyes applies to temporary locks only
    return lock


def organization_unlock(
    *, actor: User, organization: Organization, reason: str, origin: Origin | None = None
) -> OrganizationLock:
    origin = origin or OfficerOrigin()
    reason = _reason(reason)
    require_officer(actor, organization)
    if not isinstance(origin, ApplicationOrigin):
        require_fresh_factor()  # an approved request's officer proved it when approving
    now = timezone.now()
    with transaction.atomic():
        locked_row(organization)
        if organization.status == OrganizationStatus.REVOKED:
            raise DomainError(OrganizationError.TERMINATED)
        if organization.status != OrganizationStatus.LOCKED:
            raise DomainError(OrganizationError.NOT_LOCKED)
        open_locks = list(
            OrganizationLock.objects.select_for_update()
            .filter(organization=organization, unlocked_at__isnull=True)
            .order_by("-locked_at", "-pk")
        )
        if any(lock.permanent for lock in open_locks):  # cannot happen without status revoked; be safe
            raise DomainError(OrganizationError.TERMINATED)
        for lock in open_locks:
            lock.unlocked_at, lock.unlocked_by, lock.unlock_reason = now, actor, reason
            lock.save(update_fields=["unlocked_at", "unlocked_by", "unlock_reason"])
        organization.status = OrganizationStatus.ACTIVE
        organization.updated_at = now
        organization.save(update_fields=["status", "updated_at"])
        after: dict[str, Any] = {"locks": [lock.pk for lock in open_locks], "reason": reason, **facts(origin)}
        audit.record(
            OrganizationAction.ORG_UNLOCKED,
            actor=actor,
            obj=organization,
            before={"status": OrganizationStatus.LOCKED},
            after=after,
        )
        events.emit(
            org_events.UNLOCKED,
            actor=actor,
            organization=organization,
            payload={"eid": organization.eid, "locks": [lock.pk for lock in open_locks]},
        )
        notify(
            _members_to_tell(organization),
            "org_unlocked",
            {"eid": organization.eid, "organization": organization.name},
        )
    if not open_locks:  # status said locked without a lock row (hand-made data): record what was lifted
        return OrganizationLock(
            organization=organization, unlocked_at=now, unlocked_by=actor, unlock_reason=reason
        )
    return open_locks[0]
