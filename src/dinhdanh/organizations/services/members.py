"""Delegation after issuance (LEGAL §5 [inference]): only the live legal representative grants a
level-2 person a role for a period — an administrator with full powers, a member with full powers or
for named services of the registry (``Service``), one ``MemberGrant`` row each (issue 12.0); grants
are revoked by the representative (or given up by their holder) and expire on their own.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from dinhdanh.core import audit, events
from dinhdanh.core.errors import DomainError
from dinhdanh.core.text import clean_optional
from dinhdanh.organizations import events as org_events
from dinhdanh.organizations.audit_actions import OrganizationAction
from dinhdanh.organizations.errors import OrganizationError
from dinhdanh.organizations.models import MemberGrant, MemberRole, Membership, Organization, Service
from dinhdanh.organizations.selectors import active_services, representative_membership
from dinhdanh.organizations.services import grant_token
from dinhdanh.organizations.services._common import end_membership, locked_row, notify
from dinhdanh.people import throttle
from dinhdanh.people.assurance import require_fresh_factor
from dinhdanh.people.logins import account_by_number, masked
from dinhdanh.people.models import AccountLevel, User

__all__ = [
    "GrantPlan",
    "grant_plan",
    "member_grant",
    "member_grant_confirm",
    "member_grant_preview",
    "member_revoke",
    "members_expire",
]

MAX_SERVICES = 20
_SERVICE = re.compile(r"[a-z0-9_.-]{1,64}")
GRANTABLE = frozenset({MemberRole.MEMBER, MemberRole.ADMINISTRATOR})
REASON_EXPIRED = "expired"


def _codes(services: object) -> list[str]:
    if isinstance(services, str | bytes) or not isinstance(services, Sequence | set | frozenset):
        raise DomainError(OrganizationError.INVALID_SERVICES, field="services", limit=MAX_SERVICES)
    items = list(services)
    if len(items) > MAX_SERVICES or not all(isinstance(s, str) and _SERVICE.fullmatch(s) for s in items):
        raise DomainError(OrganizationError.INVALID_SERVICES, field="services", limit=MAX_SERVICES)
    return sorted(set(items))


def _scope(role: MemberRole, services: object, full_powers: object) -> tuple[bool, list[Service]]:
    """(full powers, the services named): administrators have full powers and name none; a member has
    full powers or at least one active service of the registry — never an empty list meaning all."""
    codes = _codes(services)
    if role == MemberRole.ADMINISTRATOR:
        if codes:
            raise DomainError(OrganizationError.SERVICES_NOT_FOR_ROLE, field="services")
        return True, []
    if full_powers is True:
        if codes:
            raise DomainError(OrganizationError.SERVICES_NOT_FOR_ROLE, field="services")
        return True, []
    if not codes:
        raise DomainError(OrganizationError.NO_SERVICES, field="services")
    found = {s.code: s for s in active_services(codes)}
    missing = [c for c in codes if c not in found]
    if missing:
        raise DomainError(OrganizationError.UNKNOWN_SERVICES, field="services", codes=", ".join(missing))
    return False, [found[c] for c in codes]


def _valid_until(valid_until: object, now: datetime) -> datetime | None:
    if valid_until is None:
        return None
    if not isinstance(valid_until, datetime) or timezone.is_naive(valid_until) or valid_until <= now:
        raise DomainError(OrganizationError.VALID_UNTIL_PAST, field="valid_until")
    return valid_until


def _grantee(personal_id: object) -> tuple[User, str]:
    if not isinstance(personal_id, str):
        raise DomainError(OrganizationError.INVALID_DATA, field="personal_id")
    user = account_by_number(personal_id)  # malformed numbers are refused here, showing only a mask
    shown = masked(personal_id)
    return _grantable(user, shown), shown


def _expire(membership: Membership, now: datetime) -> None:
    """Mark one lapsed grant (its end is its ``valid_until``) and audit it."""
    end_membership(membership, actor=None, reason=REASON_EXPIRED, at=membership.valid_until or now)
    audit.record(
        OrganizationAction.MEMBER_EXPIRED,
        actor=None,
        object_type="organizations.organization",
        object_id=str(membership.organization_id),
        after={"membership": membership.pk, "user": membership.user_id, "valid_until": membership.valid_until},
        unit=membership.organization.head_office,
    )
    events.emit(
        org_events.MEMBER_EXPIRED,
        actor=None,
        organization=membership.organization,
        payload={"membership": membership.pk, "role": str(membership.role)},
    )


@dataclass(frozen=True)
class GrantPlan:
    """A grant checked but not written: who, what, until when (``member_grant_preview`` shows it first)."""

    organization: Organization
    grantee: User
    shown: str  # the grantee's masked number
    role: MemberRole
    full_powers: bool
    services: list[Service]
    valid_until: datetime | None


def _grantable(user: User | None, shown: str) -> User:
    if user is None:
        raise DomainError(OrganizationError.GRANTEE_NOT_FOUND, field="personal_id", masked=shown)
    if not user.is_active or user.level != AccountLevel.LEVEL_2 or user.is_locked:
        raise DomainError(OrganizationError.GRANTEE_NOT_LEVEL2, field="personal_id")
    return user


def grant_plan(
    *,
    actor: User,
    organization: Organization,
    personal_id: object = None,
    grantee: User | None = None,
    role: object = MemberRole.MEMBER,
    services: object = (),
    full_powers: object = False,
    valid_until: object = None,
) -> GrantPlan:
    """Every rule of a grant, in the order a person fixes them, writing nothing. The grantee is named by
    a personal number (a first look-up) or, on confirmation, by the account found then."""
    now = timezone.now()
    if representative_membership(actor, organization) is None:
        raise DomainError(OrganizationError.NOT_REPRESENTATIVE)
    require_fresh_factor()  # a grant hands over the power to act for the organization
    if not organization.is_active:
        raise DomainError(OrganizationError.NOT_ACTIVE)
    try:
        role = MemberRole(str(role))
    except ValueError as exc:
        raise DomainError(OrganizationError.ROLE_NOT_GRANTABLE, field="role", role=str(role)[:40]) from exc
    if role not in GRANTABLE:
        raise DomainError(OrganizationError.ROLE_NOT_GRANTABLE, field="role", role=str(role))
    if grantee is None:
        _count_lookup(actor)  # before the look-up: refused numbers teach as much as found ones
        grantee, shown = _grantee(personal_id)
    else:
        shown = _grantable(grantee, grantee.personal_id_masked).personal_id_masked
    until = _valid_until(valid_until, now)
    everything, named = _scope(role, services, full_powers)
    return GrantPlan(organization, grantee, shown, role, everything, named, until)


def _count_lookup(actor: User) -> None:
    """Every look-up of a person by number counts against the representative (``throttle.Scope.LOOKUP``),
    whatever it finds: the answer names the person, so nobody may walk the number space through it."""
    try:
        throttle.take(keys=[(throttle.Scope.LOOKUP, throttle.lookup_key(actor.pk))], now=timezone.now())
    except DomainError as exc:
        raise DomainError(OrganizationError.LOOKUP_THROTTLED, seconds=exc.params.get("seconds", 1)) from exc


def member_grant_preview(
    *,
    actor: User,
    organization: Organization,
    personal_id: object,
    role: object = MemberRole.MEMBER,
    services: object = (),
    full_powers: object = False,
    valid_until: object = None,
) -> tuple[GrantPlan, str]:
    """Step one of a grant: every rule checked, the person found, nothing written. Answers the plan (whose
    grantee's name and masked number the page shows) and the token that step two must bring back."""
    plan = grant_plan(
        actor=actor,
        organization=organization,
        personal_id=personal_id,
        role=role,
        services=services,
        full_powers=full_powers,
        valid_until=valid_until,
    )
    if holds_live_grant(organization, plan.grantee, timezone.now()):
        raise DomainError(OrganizationError.ALREADY_MEMBER, field="personal_id")
    pending = grant_token.Pending(
        organization=organization.pk,
        actor=actor.pk,
        grantee=plan.grantee.pk,
        role=str(plan.role),
        services=[s.code for s in plan.services],
        full_powers=plan.full_powers,
        valid_until=plan.valid_until,
    )
    return plan, grant_token.issue(pending)


def member_grant_confirm(*, actor: User, organization: Organization, token: object) -> Membership:
    """Step two: grant exactly what step one showed this representative for this organization. Every
    rule runs again (the person may have been locked, the service withdrawn, the period passed since)."""
    pending = grant_token.read(token)
    if pending.organization != organization.pk or pending.actor != actor.pk:
        raise DomainError(OrganizationError.GRANT_CONFIRMATION_INVALID, field="token")
    grantee = User.objects.filter(pk=pending.grantee).first()
    if grantee is None:
        raise DomainError(OrganizationError.GRANT_CONFIRMATION_INVALID, field="token")
    plan = grant_plan(
        actor=actor,
        organization=organization,
        grantee=grantee,
        role=pending.role,
        services=pending.services,
        full_powers=pending.full_powers,
        valid_until=pending.valid_until,
    )
    return _write_grant(actor=actor, plan=plan)


def holds_live_grant(organization: Organization, user: User, now: datetime) -> bool:
    return (
        Membership.objects.filter(organization=organization, user=user, revoked_at__isnull=True)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gt=now))
        .exists()
    )


def member_grant(
    *,
    actor: User,
    organization: Organization,
    personal_id: str,
    role: MemberRole = MemberRole.MEMBER,
    services: Sequence[str] = (),
    full_powers: bool = False,
    valid_until: datetime | None = None,
) -> Membership:
    """Grant at once (the API's direct call): the same rules as the two steps of the web page."""
    plan = grant_plan(
        actor=actor,
        organization=organization,
        personal_id=personal_id,
        role=role,
        services=services,
        full_powers=full_powers,
        valid_until=valid_until,
    )
    return _write_grant(actor=actor, plan=plan)


def _write_grant(*, actor: User, plan: GrantPlan) -> Membership:
    """Write a checked grant: the membership, one row per service, the audit event, the notice."""
    now = timezone.now()
    organization, grantee, shown, role = plan.organization, plan.grantee, plan.shown, plan.role
    until, everything, named = plan.valid_until, plan.full_powers, plan.services
    scope = [s.code for s in named]
    try:
        with transaction.atomic():
            locked_row(organization)
            if not organization.is_active:
                raise DomainError(OrganizationError.NOT_ACTIVE)
            existing = (
                Membership.objects.select_for_update(of=("self",))
                .filter(organization=organization, user=grantee, revoked_at__isnull=True)
                .first()
            )
            if existing is not None:
                if existing.valid_until is None or existing.valid_until > now:
                    raise DomainError(OrganizationError.ALREADY_MEMBER, field="personal_id")
                _expire(existing, now)  # lapsed but not yet marked: the slot is free
            membership = Membership.objects.create(
                organization=organization,
                user=grantee,
                role=role,
                full_powers=everything,
                valid_from=now,
                valid_until=until,
                granted_by=actor,
                granted_at=now,
            )
            grant_row = {"membership": membership, "valid_from": now, "valid_until": until, "granted_by": actor}
            MemberGrant.objects.bulk_create(
                MemberGrant(service=service, granted_at=now, **grant_row) for service in named
            )
            audit.record(
                OrganizationAction.MEMBER_GRANTED,
                actor=actor,
                obj=organization,
                after={
                    "membership": membership.pk,
                    "user": grantee.pk,
                    "grantee": shown,
                    "role": str(role),
                    "full_powers": everything,
                    "services": scope,
                    "valid_until": until,
                },
            )
            events.emit(
                org_events.MEMBER_GRANTED,
                actor=actor,
                organization=organization,
                payload={
                    "membership": membership.pk,
                    "role": str(role),
                    "full_powers": everything,
                    "services": scope,
                },
            )
            notify(
                grantee,
                "org_member_granted",
                {"eid": organization.eid, "organization": organization.name, "kind": str(role)},
            )
    except IntegrityError as exc:  # a concurrent grant to the same person won the race
        raise DomainError(OrganizationError.ALREADY_MEMBER, field="personal_id") from exc
    return membership


def member_revoke(*, actor: User, membership: Membership, reason: str) -> Membership:
    """The live representative revokes a grant; a holder may give up their own. The
    representative's own membership only moves with a change of representative."""
    text = clean_optional(reason if isinstance(reason, str) else "", field="reason", max_length=300)
    if not text:
        raise DomainError(OrganizationError.REASON_REQUIRED, field="reason")
    organization = membership.organization
    if membership.role == MemberRole.REPRESENTATIVE:
        raise DomainError(OrganizationError.CANNOT_REVOKE_REPRESENTATIVE)
    own = membership.user_id == actor.pk
    if not own and representative_membership(actor, organization) is None:
        raise DomainError(OrganizationError.NOT_REPRESENTATIVE)
    require_fresh_factor()
    now = timezone.now()
    with transaction.atomic():
        row = Membership.objects.select_for_update().get(pk=membership.pk)
        if row.revoked_at is not None:
            raise DomainError(OrganizationError.MEMBERSHIP_ENDED)
        end_membership(row, actor=actor, reason=text, at=now)
        membership.revoked_at, membership.revoked_by, membership.revoke_reason = (
            row.revoked_at,
            row.revoked_by,
            row.revoke_reason,
        )
        audit.record(
            OrganizationAction.MEMBER_REVOKED,
            actor=actor,
            obj=organization,
            after={"membership": row.pk, "user": row.user_id, "reason": text, "own": own},
        )
        events.emit(
            org_events.MEMBER_REVOKED,
            actor=actor,
            organization=organization,
            payload={"membership": row.pk, "role": str(row.role), "own": own},
        )
        if not own:
            notify(
                row.user,
                "org_member_ended",
                {"eid": organization.eid, "organization": organization.name, "kind": "revoked"},
            )
    return membership


def members_expire(*, now: datetime | None = None, chunk: int = 500) -> int:
    """Mark every grant whose period has ended; returns how many. Safe to run concurrently and again:
    each one is re-read under a row lock and skipped if someone marked it first."""
    now = now or timezone.now()
    done = 0
    last = 0
    while True:
        ids = list(
            Membership.objects.filter(revoked_at__isnull=True, valid_until__lte=now, pk__gt=last)
            .order_by("pk")
            .values_list("pk", flat=True)[:chunk]
        )
        if not ids:
            return done
        last = ids[-1]
        with transaction.atomic():
            for membership in (
                Membership.objects.select_for_update(of=("self",))
                .select_related("organization", "user")
                .filter(pk__in=ids, revoked_at__isnull=True, valid_until__lte=now)
                .order_by("pk")
            ):
                _expire(membership, now)
                organization = membership.organization
                notify(
                    membership.user,
                    "org_member_ended",
                    {"eid": organization.eid, "organization": organization.name, "kind": "expired"},
                )
                done += 1
