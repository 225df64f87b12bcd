"""Organization API (``/api/v1/organizations/``): the organizations I act for, switching, the record,
its members and history; officers lock and unlock. Cookie sessions are the credential, so every POST
passes the CSRF check and honours ``Idempotency-Key``; errors are problem+json. Personal ID numbers appear only in a grant's body and
never in any answer (masked)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from ninja import Router, Schema
from ninja.responses import NinjaJSONEncoder
from pydantic import Field

from dinhdanh.core.errors import DomainError
from dinhdanh.core.models import AuditEvent
from dinhdanh.http.idempotency import idempotent
from dinhdanh.http.security import enforce_csrf, signed_in_user
from dinhdanh.http.zones import Zone
from dinhdanh.organizations import policy, selectors, services
from dinhdanh.organizations.errors import OrganizationError
from dinhdanh.organizations.models import (
    LockGround,
    LockProposal,
    MemberRole,
    Membership,
    Organization,
    OrganizationLock,
)
from dinhdanh.organizations.services import grant_token

ZONE = (
    Zone.BOTH
)  # members act in the outer zone; officers read, lock and unlock in the inner (the services decide who may)
router = Router(tags=["organizations"])


class UnitOut(Schema):
    id: int
    name: str


class OrganizationOut(Schema):
    eid: str
    category: str
    name: str
    short_name: str
    foreign_name: str
    code: str
    established_on: date | None
    founding_document_number: str
    founding_document_date: date | None
    founding_document_issuer: str
    head_office: UnitOut
    street: str
    phone: str
    email: str
    representative_name: str
    representative_masked: str
    representative_position: str
    status: str
    issued_at: datetime
    updated_at: datetime


class MineOut(Schema):
    eid: str
    name: str
    category: str
    status: str
    role: str
    full_powers: bool  # every service (the representative, administrators, or a member granted so)
    services: list[str]  # else the codes of the services it is granted now
    valid_until: datetime | None
    acting: bool


class SwitchIn(Schema):
    eid: str | None = Field(default=None, max_length=32)


class SwitchOut(Schema):
    acting: str | None


class MemberOut(Schema):
    id: int
    full_name: str
    personal_id_masked: str
    role: str
    full_powers: bool
    services: list[str]
    valid_from: datetime
    valid_until: datetime | None
    granted_by: str
    granted_at: datetime
    revoked_at: datetime | None
    revoke_reason: str
    in_force: bool


class GrantIn(Schema):
    personal_id: str = Field(max_length=64)
    role: str = Field(default=MemberRole.MEMBER.value, max_length=32)
    services: list[str] = Field(default_factory=list, max_length=100)  # codes of the service registry
    full_powers: bool = False  # instead of services, for a member; an administrator always has them
    valid_until: datetime | None = None


class GrantPreviewOut(Schema):
    token: str  # bring it back to /confirm within expires_in seconds
    expires_in: int
    full_name: str
    personal_id_masked: str
    role: str
    full_powers: bool
    services: list[str]
    valid_until: datetime | None


class GrantConfirmIn(Schema):
    token: str = Field(max_length=2000)


class RevokeIn(Schema):
    reason: str = Field(max_length=2000)


class LockIn(Schema):
    ground: str = Field(default=LockGround.AUTHORITY_REQUEST.value, max_length=40)
    reason: str = Field(max_length=2000)
    authority: str = Field(default="", max_length=600)
    document_reference: str = Field(default="", max_length=400)


class UnlockIn(Schema):
    reason: str = Field(max_length=2000)


class LockOut(Schema):
    organization: str
    status: str
    ground: str
    permanent: bool
    locked_at: datetime
    unlocked_at: datetime | None


class LockProposalOut(Schema):
    """Four-eyes: the first officer's lock on an authority's request, waiting for a second officer."""

    organization: str
    status: str  # the organization's, unchanged: still "active"
    proposal: int
    proposed_by: str
    document_reference: str


class EventOut(Schema):
    seq: int
    occurred_at: datetime
    action: str
    action_label: str
    actor: str
    details: dict[str, Any] | None


def _organization(org: Organization) -> OrganizationOut:
    return OrganizationOut(
        eid=org.eid,
        category=org.category,
        name=org.name,
        short_name=org.short_name,
        foreign_name=org.foreign_name,
        code=org.code,
        established_on=org.established_on,
        founding_document_number=org.founding_document_number,
        founding_document_date=org.founding_document_date,
        founding_document_issuer=org.founding_document_issuer,
        head_office=UnitOut(id=org.head_office.pk, name=org.head_office.name),
        street=org.street,
        phone=org.phone,
        email=org.email,
        representative_name=org.representative_name,
        representative_masked=org.representative_masked,
        representative_position=org.representative_position,
        status=org.status,
        issued_at=org.issued_at,
        updated_at=org.updated_at,
    )


def member_out(m: Membership) -> MemberOut:
    in_force = selectors.membership_in_force(m.user, m.organization)
    return MemberOut(
        id=m.pk,
        full_name=m.user.full_name,
        personal_id_masked=m.user.personal_id_masked,
        role=m.role,
        full_powers=policy.has_full_powers(m),
        services=[g.service.code for g in selectors.live_grants(m)],
        valid_from=m.valid_from,
        valid_until=m.valid_until,
        granted_by=m.granted_by.full_name if m.granted_by is not None else "",
        granted_at=m.granted_at,
        revoked_at=m.revoked_at,
        revoke_reason=m.revoke_reason,
        in_force=in_force is not None and in_force.pk == m.pk,
    )


def _lock(lock: OrganizationLock, org: Organization) -> LockOut:
    return LockOut(
        organization=org.eid,
        status=org.status,
        ground=lock.ground,
        permanent=lock.permanent,
        locked_at=lock.locked_at,
        unlocked_at=lock.unlocked_at,
    )


def _created(out: Schema) -> HttpResponse:
    # An HttpResponse rather than ninja's Status: dinhdanh.http.idempotency stores and replays responses
    # and does not unwrap Status (reported); the encoder is the one ninja itself uses.
    return JsonResponse(out, encoder=NinjaJSONEncoder, status=201, safe=False)


@router.get("/mine", response=list[MineOut], url_name="organizations_mine")
def mine(request: HttpRequest) -> list[MineOut]:
    user = signed_in_user(request)
    acting = selectors.acting_organization(request)
    out = []
    for org in selectors.organizations_of(user):
        membership = selectors.membership_in_force(user, org)
        if membership is None:
            continue
        out.append(
            MineOut(
                eid=org.eid,
                name=org.name,
                category=org.category,
                status=org.status,
                role=membership.role,
                full_powers=policy.has_full_powers(membership),
                services=[g.service.code for g in selectors.live_grants(membership)],
                valid_until=membership.valid_until,
                acting=acting is not None and acting.pk == org.pk,
            )
        )
    return out


@router.post("/switch", response=SwitchOut, url_name="organizations_switch")
@idempotent
def switch(request: HttpRequest, body: SwitchIn) -> SwitchOut:
    enforce_csrf(request)
    user = signed_in_user(request)
    org = None
    if body.eid:
        org = selectors.organization_by_eid(body.eid)
        if selectors.membership_in_force(user, org) is None:
            raise DomainError(OrganizationError.NOT_A_MEMBER)
    services.organization_switch(actor=user, request=request, organization=org)
    return SwitchOut(acting=org.eid if org is not None else None)


@router.get("/{eid}", response=OrganizationOut, url_name="organization_detail")
def detail(request: HttpRequest, eid: str) -> OrganizationOut:
    return _organization(selectors.organization_for_reader(signed_in_user(request), eid))


@router.get("/{eid}/members", response=list[MemberOut], url_name="organization_members")
def members(request: HttpRequest, eid: str, include_ended: bool = False) -> list[MemberOut]:
    org = selectors.organization_for_reader(signed_in_user(request), eid, "members")
    return [member_out(m) for m in selectors.members_of(org, include_ended=include_ended)]


@router.post("/{eid}/members", response={201: MemberOut}, url_name="organization_member_grant")
@idempotent
def grant(request: HttpRequest, eid: str, body: GrantIn) -> HttpResponse:
    enforce_csrf(request)
    user = signed_in_user(request)
    org = selectors.organization_by_eid(eid)
    try:
        role = MemberRole(body.role)
    except ValueError as exc:
        raise DomainError(OrganizationError.ROLE_NOT_GRANTABLE, field="role", role=body.role[:32]) from exc
    membership = services.member_grant(
        actor=user,
        organization=org,
        personal_id=body.personal_id,
        role=role,
        services=body.services,
        full_powers=body.full_powers,
        valid_until=body.valid_until,
    )
    return _created(member_out(membership))


@router.post("/{eid}/members/preview", response=GrantPreviewOut, url_name="organization_member_grant_preview")
def grant_preview(request: HttpRequest, eid: str, body: GrantIn) -> GrantPreviewOut:
    """Step one of a grant, as on the web page: the person named and masked, nothing written."""
    enforce_csrf(request)
    user = signed_in_user(request)
    org = selectors.organization_by_eid(eid)
    plan, token = services.member_grant_preview(
        actor=user,
        organization=org,
        personal_id=body.personal_id,
        role=body.role,
        services=body.services,
        full_powers=body.full_powers,
        valid_until=body.valid_until,
    )
    return GrantPreviewOut(
        token=token,
        expires_in=grant_token.lifetime_seconds(),
        full_name=plan.grantee.full_name,
        personal_id_masked=plan.shown,
        role=str(plan.role),
        full_powers=plan.full_powers,
        services=[s.code for s in plan.services],
        valid_until=plan.valid_until,
    )


@router.post("/{eid}/members/confirm", response={201: MemberOut}, url_name="organization_member_grant_confirm")
@idempotent
def grant_confirm(request: HttpRequest, eid: str, body: GrantConfirmIn) -> HttpResponse:
    enforce_csrf(request)
    user = signed_in_user(request)
    org = selectors.organization_by_eid(eid)
    return _created(member_out(services.member_grant_confirm(actor=user, organization=org, token=body.token)))


@router.post("/{eid}/members/{member_id}/revoke", response=MemberOut, url_name="organization_member_revoke")
@idempotent
def revoke(request: HttpRequest, eid: str, member_id: int, body: RevokeIn) -> MemberOut:
    enforce_csrf(request)
    user = signed_in_user(request)
    org = selectors.organization_by_eid(eid)
    membership = selectors.membership_of(org, member_id)
    if membership is None:
        raise DomainError(OrganizationError.NOT_FOUND)
    return member_out(services.member_revoke(actor=user, membership=membership, reason=body.reason))


@router.get("/{eid}/history", response=list[EventOut], url_name="organization_history")
def history(request: HttpRequest, eid: str, limit: int = 100) -> list[EventOut]:
    org = selectors.organization_for_reader(signed_in_user(request), eid, "history")
    return [_event(e) for e in selectors.access_history(org, limit=limit)]


def _event(event: AuditEvent) -> EventOut:
    return EventOut(
        seq=event.seq,
        occurred_at=event.occurred_at,
        action=event.action,
        action_label=event.get_action_display(),
        actor=event.actor_label,
        details=event.after if isinstance(event.after, dict) else None,
    )


@router.post("/{eid}/lock", response={201: LockOut, 202: LockProposalOut}, url_name="organization_lock")
@idempotent
def lock(request: HttpRequest, eid: str, body: LockIn) -> HttpResponse:
    enforce_csrf(request)
    user = signed_in_user(request)
    org = selectors.organization_by_eid(eid)
    # Termination by the registry is the Art. 8 flow's alone.
    if body.ground not in LockGround.values or body.ground == LockGround.REGISTRY_TERMINATION:
        raise DomainError(OrganizationError.GROUND_NOT_ALLOWED, field="ground", ground=body.ground)
    result = services.organization_lock(
        actor=user,
        organization=org,
        ground=LockGround(body.ground),
        reason=body.reason,
        authority=body.authority,
        document_reference=body.document_reference,
    )
    if isinstance(result, LockProposal):
        out = LockProposalOut(
            organization=org.eid,
            status=org.status,
            proposal=result.pk,
            proposed_by=user.full_name,
            document_reference=result.document_reference,
        )
        return JsonResponse(out, encoder=NinjaJSONEncoder, status=202, safe=False)
    return _created(_lock(result, org))


@router.post("/{eid}/unlock", response=LockOut, url_name="organization_unlock")
@idempotent
def unlock(request: HttpRequest, eid: str, body: UnlockIn) -> LockOut:
    enforce_csrf(request)
    user = signed_in_user(request)
    org = selectors.organization_by_eid(eid)
    return _lock(services.organization_unlock(actor=user, organization=org, reason=body.reason), org)
