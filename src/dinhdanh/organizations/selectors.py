"""Reads about organizations, with the access rules applied here (ARCHITECTURE rule 2).

A membership is *in force* when it is not revoked, has started, has not expired (an expired grant is
out of force at once, before ``members_expire`` marks it) and its holder is still an active, unlocked
level-2 account. Acting for an organization also needs the organization to be active.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from dinhdanh.core import audit
from dinhdanh.core.access import require as require_permission
from dinhdanh.core.access import restrict
from dinhdanh.core.errors import CoreError, DomainError
from dinhdanh.core.models import AuditEvent
from dinhdanh.core.text import name_key, nfc
from dinhdanh.organizations import policy
from dinhdanh.organizations.audit_actions import OrganizationAction
from dinhdanh.organizations.errors import OrganizationError
from dinhdanh.organizations.models import (
    MemberGrant,
    MemberRole,
    Membership,
    Organization,
    OrganizationChange,
    OrganizationLock,
    OrganizationStatus,
    Service,
)
from dinhdanh.organizations.numbers import is_valid_eid
from dinhdanh.organizations.permissions import OrganizationPermission
from dinhdanh.people.logins import digests_of
from dinhdanh.people.models import AccountLevel, User

__all__ = [
    "ACTING_ORGANIZATION",
    "access_history",
    "acting_organization",
    "claimable_by",
    "in_force",
    "members_of",
    "membership_in_force",
    "organization_by_eid",
    "organization_for_member",
    "organization_for_officer",
    "organizations_for_officer",
    "organizations_of",
    "orphaned_for_officer",
    "representative_membership",
    "require_member",
]

# The session key "Đổi tài khoản" writes: the pk of the organization the person acts for.
ACTING_ORGANIZATION = "acting_organization"
OBJECT_TYPE = Organization._meta.label_lower  # what every organization audit event is filed under


def in_force(now: datetime | None = None, *, prefix: str = "") -> Q:
    """Memberships usable at ``now``; ``prefix`` ("memberships__") to filter organizations by them."""
    now = now or timezone.now()
    p = prefix
    return (
        Q(**{f"{p}revoked_at__isnull": True, f"{p}valid_from__lte": now})
        & (Q(**{f"{p}valid_until__isnull": True}) | Q(**{f"{p}valid_until__gt": now}))
        & Q(
            **{
                f"{p}user__is_active": True,
                f"{p}user__level": AccountLevel.LEVEL_2,
                f"{p}user__locked_at__isnull": True,
            }
        )
    )


def memberships_ending(user: User, *, before: datetime, now: datetime | None = None) -> QuerySet[Membership]:
    """``user``'s rights to act that are in force now and end by ``before``, soonest first."""
    return (
        Membership.objects.filter(in_force(now), user=user, valid_until__lte=before)
        .select_related("organization")
        .order_by("valid_until", "pk")
    )


def membership_in_force(user: User, organization: Organization) -> Membership | None:
    if not isinstance(user, User) or not user.is_authenticated:
        return None
    return (
        Membership.objects.filter(in_force(), organization=organization, user=user).select_related("user").first()
    )


def representative_membership(user: User, organization: Organization) -> Membership | None:
    """The user's live legal-representative membership, the only one that may delegate (LEGAL §5)."""
    membership = membership_in_force(user, organization)
    return membership if membership is not None and membership.role == MemberRole.REPRESENTATIVE else None


def organizations_of(user: User) -> QuerySet[Organization]:
    """Organizations the user holds a membership in force for (whatever the organization's status,
    so a member sees that it is locked; acting needs an active one)."""
    if not isinstance(user, User) or not user.is_authenticated:
        return Organization.objects.none()
    live = Membership.objects.filter(in_force(), organization=OuterRef("pk"), user=user)
    return Organization.objects.filter(Exists(live)).order_by("name_key", "pk")


def organization_by_eid(eid: str) -> Organization:
    """404 for anything that is not an issued number (malformed input included)."""
    if not is_valid_eid(eid):
        raise DomainError(OrganizationError.NOT_FOUND)
    found = Organization.objects.select_related("head_office").filter(eid=eid).first()
    if found is None:
        raise DomainError(OrganizationError.NOT_FOUND)
    return found


def organization_for_member(user: User, eid: str) -> Organization:
    organization = organization_by_eid(eid)
    if membership_in_force(user, organization) is None:
        raise DomainError(OrganizationError.NOT_A_MEMBER)
    return organization


def active_services(codes: list[str] | None = None) -> QuerySet[Service]:
    """The registry's services in use (of ``codes``, when given), by code."""
    qs = Service.objects.filter(active=True)
    return (qs.filter(code__in=codes) if codes is not None else qs).order_by("code")


def all_services() -> QuerySet[Service]:
    return Service.objects.order_by("code")


def live_grants(membership: Membership, at: datetime | None = None) -> list[MemberGrant]:
    """The membership's service grants in force at ``at`` (now), with their services."""
    moment = at or timezone.now()
    return list(
        membership.grants.filter(
            Q(valid_until__isnull=True) | Q(valid_until__gt=moment),
            revoked_at__isnull=True,
            valid_from__lte=moment,
        )
        .select_related("service")
        .order_by("service__code")
    )


def granted_codes(membership: Membership, at: datetime | None = None) -> list[str]:
    """What the membership may act in: ``["*"]`` for full powers, else the codes of its live grants."""
    if policy.has_full_powers(membership):
        return ["*"]
    return [g.service.code for g in live_grants(membership, at)]


def membership_covers(membership: Membership | None, service: str, at: datetime | None = None) -> bool:
    """Whether a membership (in force: the caller's concern) authorizes ``service`` at ``at``: full
    powers, or a live grant for that active service (``organizations.policy``)."""
    if membership is None:
        return False
    if policy.has_full_powers(membership):
        return True
    return any(g.service.code == service and g.service.active for g in live_grants(membership, at))


def acting_choices(user: User, service: str, at: datetime | None = None) -> list[tuple[Organization, Membership]]:
    """The organizations ``user`` may sign in as at a relying party of ``service`` (issue 12.3): active
    organizations whose membership in force covers that service at ``at`` — full powers, or a live
    grant for it. A locked person or organization, an ended or not-yet-started grant, a grant for other
    services, or a service out of use give nothing. By name."""
    if not isinstance(user, User) or not user.is_authenticated or not service:
        return []
    moment = at or timezone.now()
    memberships = (
        Membership.objects.filter(in_force(moment), user=user, organization__status=OrganizationStatus.ACTIVE)
        .select_related("organization", "organization__head_office", "user")
        .order_by("organization__name_key", "organization__pk")
    )
    return [(m.organization, m) for m in memberships if membership_covers(m, service, moment)]


def membership_for_reading(user: User, organization: Organization, part: str) -> Membership | None:
    """The reader's membership when ``organizations.policy`` lets it read ``part`` ("profile",
    "members", "history") of ``organization``; None when it does not (not a member, or a plain member
    asking for the managers' parts)."""
    membership = membership_in_force(user, organization)
    allowed = {"profile": membership is not None, "members": policy.may_read_members(membership),
               "history": policy.may_read_history(membership)}  # fmt: skip
    return membership if allowed.get(part, False) else None


def organization_for_reader(user: User, eid: str, part: str = "profile") -> Organization:
    """``part`` of the organization for a member the policy allows, else for an officer in jurisdiction
    (403 and an audit event otherwise): one rule for the page and the API."""
    organization = organization_by_eid(eid)
    if membership_for_reading(user, organization, part) is not None:
        return organization
    return organization_for_officer(user, eid)


def require_member(request: HttpRequest, eid: str) -> Organization:
    """For views: the signed-in person's organization ``eid``, or a refusal (401, 403, 404)."""
    user = request.user
    if not isinstance(user, User) or not user.is_authenticated:
        raise DomainError(CoreError.UNAUTHENTICATED)
    return organization_for_member(user, eid)


def acting_organization(request: HttpRequest) -> Organization | None:
    """The organization the person switched to, checked again on every call: a grant revoked or
    expired, an account locked or an organization locked since the switch ends acting at once."""
    user = request.user
    session = getattr(request, "session", None)
    if session is None:
        return None
    raw = session.get(ACTING_ORGANIZATION)
    if raw is None:
        return None
    organization = None
    if isinstance(user, User) and user.is_authenticated and isinstance(raw, int) and not isinstance(raw, bool):
        organization = Organization.objects.filter(pk=raw, status=OrganizationStatus.ACTIVE).first()
        if organization is not None and membership_in_force(user, organization) is None:
            organization = None
    if organization is None:
        session.pop(ACTING_ORGANIZATION, None)
    return organization


def members_of(organization: Organization, *, include_ended: bool = False) -> QuerySet[Membership]:
    """Memberships not revoked (an expired grant stays listed until ``members_expire`` marks it), or
    every membership ever with ``include_ended``; live ones first, newest first."""
    open_grants = MemberGrant.objects.filter(revoked_at__isnull=True).select_related("service")
    qs = (
        Membership.objects.filter(organization=organization)
        .select_related("user", "granted_by", "revoked_by")
        .prefetch_related(
            Prefetch("grants", queryset=open_grants.order_by("service__code"), to_attr="open_grants")
        )
    )
    if not include_ended:
        qs = qs.filter(revoked_at__isnull=True)
    return qs.order_by(F("revoked_at").asc(nulls_first=True), "-granted_at", "-pk")


def access_history(organization: Organization, *, limit: int = 100) -> list[AuditEvent]:
    """Audit events about the organization (issuance, changes, locks, grants, switches), newest first."""
    limit = max(1, min(int(limit), 1000))
    return list(
        AuditEvent.objects.filter(object_type=OBJECT_TYPE, object_id=str(organization.pk))
        .select_related("actor")
        .order_by("-occurred_at", "-pk")[:limit]
    )


def organization_for_officer(user: User, eid: str) -> Organization:
    """An officer opens an organization in their jurisdiction (REVIEW_APPLICATION over its head
    office): a refusal is audited by ``require``; a look is audited too (personal data, Law 91/2025)."""
    organization = organization_by_eid(eid)
    require_permission(
        user, OrganizationPermission.OVERSEE_ORGANIZATION, unit=organization.head_office, obj=organization
    )
    audit.record(OrganizationAction.ORG_VIEWED, actor=user, obj=organization, read=True)
    return organization


def require_overseer(user: User) -> None:
    """Raise (403, audited) unless ``user`` oversees organizations somewhere (the officers' pages)."""
    require_permission(user, OrganizationPermission.OVERSEE_ORGANIZATION, any_unit=True)


def open_lock(organization: Organization) -> OrganizationLock | None:
    return organization.locks.filter(unlocked_at__isnull=True).first()


def locks_of(organization: Organization, *, limit: int = 20) -> list[OrganizationLock]:
    return list(organization.locks.select_related("locked_by", "unlocked_by")[:limit])


def changes_of(organization: Organization, *, limit: int = 20) -> list[OrganizationChange]:
    return list(organization.changes.select_related("actor")[:limit])


def organizations_for_officer(user: User, q: str = "") -> QuerySet[Organization]:
    """Organizations in the officer's jurisdiction; ``q`` is an eid, a code or part of the name."""
    qs = restrict(
        Organization.objects.all(),
        user,
        OrganizationPermission.OVERSEE_ORGANIZATION,
        path_field="head_office_path",
    )
    # Controls (NUL above all: PostgreSQL refuses it in a query) can be part of no eid, code or name.
    text = nfc("".join(ch for ch in str(q or "")[:400] if ch.isprintable()))[:200]
    if is_valid_eid(text):
        return qs.filter(eid=text)
    if text:
        key = name_key(text)
        by_name = Q(name_key__contains=key) if key else Q(pk__in=[])
        # A code is typed without spaces ("0101234567", "0101234567-001", "H29.01").
        qs = qs.filter(Q(code__startswith=text.upper()) | by_name if " " not in text else by_name)
    return qs.order_by("name_key", "pk")


def claimable_by(user: User) -> QuerySet[Organization]:
    """Organizations whose record names ``user`` as legal representative while nobody controls them
    (issue 10.3): what the person may claim once at level 2."""
    if not isinstance(user, User) or not user.is_authenticated or not user.login_digest:
        return Organization.objects.none()
    return (
        Organization.objects.filter(representative_digest__in=digests_of(user), representative__isnull=True)
        .exclude(status=OrganizationStatus.REVOKED)
        .order_by("name_key", "pk")
    )


def orphaned_for_officer(user: User) -> list[tuple[Organization, bool]]:
    """Organizations in the officer's jurisdiction that nobody controls, each with whether the named
    representative now holds a level-2 account (so the officer can attach it)."""
    qs = restrict(
        Organization.objects.filter(representative__isnull=True).exclude(status=OrganizationStatus.REVOKED),
        user,
        OrganizationPermission.OVERSEE_ORGANIZATION,
        path_field="head_office_path",
    ).order_by("name_key", "pk")[:500]
    rows = list(qs)
    ready = set(
        User.objects.filter(
            login_digest__in=[o.representative_digest for o in rows if o.representative_digest],
            is_active=True,
            level=AccountLevel.LEVEL_2,
            locked_at__isnull=True,
        ).values_list("login_digest", flat=True)
    )
    return [(o, o.representative_digest in ready) for o in rows]


def membership_of(organization: Organization, pk: object) -> Membership | None:
    """A membership of ``organization`` by id (another organization's is ``None``)."""
    if not isinstance(pk, int) or isinstance(pk, bool):
        return None
    return (
        Membership.objects.select_related("user", "organization", "granted_by")
        .filter(pk=pk, organization=organization)
        .first()
    )


def organization_if_any(eid: str) -> Organization | None:
    return Organization.objects.select_related("head_office").filter(eid=eid).first() if eid else None
