"""Power-of-Representation attestations (issue 13.2, decision 0037): issue, change status, check.

An attestation is a JWT we sign (``typ: por+jwt``) in the shape of the EUDI wallet's PoR: who the
organization is, who the person is, their role, full powers or the services they may act in, from when
until when — and an entry in a status list (``status_lists``), so that a relying party learns of a
revocation from the list alone. Its status follows the organization (``follow_event``): a lock suspends
it, an unlock restores what the lock suspended, a termination, the end of the membership or of the
representative's term revokes it for good. The token is never kept (it names the person); its facts
and its entry are.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from joserfc.errors import JoseError

from dinhdanh.core import audit
from dinhdanh.core.errors import CoreError, DomainError, ErrorCode
from dinhdanh.core.models import DomainEvent
from dinhdanh.federation import keys
from dinhdanh.federation.models import Client, SigningKey
from dinhdanh.organizations import events as org_events
from dinhdanh.organizations import policy
from dinhdanh.organizations.models import Membership, Organization, OrganizationStatus
from dinhdanh.organizations.selectors import live_grants, membership_in_force
from dinhdanh.organizations.services.members import REASON_EXPIRED
from dinhdanh.organizations.services.representative import (
    REASON_GRANTOR_REPLACED,
    REASON_REPLACED,
    REASON_SUPERSEDED,
)
from dinhdanh.people.assurance import require_fresh_factor
from dinhdanh.people.logins import account_by_number
from dinhdanh.people.models import User
from dinhdanh.people.subjects import subject_for
from dinhdanh.trust.audit_actions import TrustAction
from dinhdanh.trust.models import Attestation, TokenStatus
from dinhdanh.trust.status_lists import allocate, status_list_uri

__all__ = [
    "FOLLOWED",
    "MAX_TOKEN",
    "TYP",
    "VCT",
    "AttestationError",
    "Checked",
    "Issued",
    "attestation_check",
    "attestation_issue",
    "attestation_revoke",
    "attestations_of",
    "follow_event",
    "holder_for_number",
]

TYP = "por+jwt"  # explicit typing (RFC 8725 §3.11): never mistaken for an ID or access token
VCT = "urn:eu.europa.ec.eudi:por:1"  # the EUDI PoR credential type
MAX_LIFETIME = timedelta(days=365)
FOLLOWED = frozenset(
    {
        org_events.LOCKED,
        org_events.UNLOCKED,
        org_events.TERMINATED,
        org_events.MEMBER_REVOKED,
        org_events.MEMBER_EXPIRED,
        org_events.REPRESENTATIVE_CHANGED,
    }
)
REASON_HOLDER = "revoked_by_holder"
_LIVE = (TokenStatus.VALID, TokenStatus.SUSPENDED)
_REPRESENTATIVE_REASONS = frozenset({REASON_REPLACED, REASON_GRANTOR_REPLACED, REASON_SUPERSEDED})


class AttestationError(ErrorCode):
    NO_POWER = (
        "trust.no_power",
        _("Người này không có quyền đại diện còn hiệu lực cho tổ chức này."),
        404,
    )
    NOT_ACTIVE = (
        "trust.organization_not_active",
        _("Tài khoản tổ chức đang bị khóa hoặc đã chấm dứt; không cấp chứng thư quyền đại diện."),
        409,
    )
    INVALID_NUMBER = (
        "trust.invalid_personal_number",
        _("Số định danh cá nhân không hợp lệ (cần 12 chữ số)."),
        400,
    )
    NOT_HOLDER = ("trust.not_holder", _("Bạn chỉ thu hồi được chứng thư quyền đại diện của chính mình."), 403)
    ALREADY_REVOKED = ("trust.already_revoked", _("Chứng thư quyền đại diện này đã bị thu hồi."), 409)


@dataclass(frozen=True, slots=True)
class Issued:
    attestation: Attestation
    token: str


# --- issuing ----------------------------------------------------------------------------------------


def _names(user: User) -> dict[str, str]:
    """A Vietnamese full name is family name first: "Nguyễn Văn An" → Nguyễn / Văn An."""
    family, _sep, given = user.full_name.strip().partition(" ")
    return {"family_name": family, "given_name": given or family}


def _key_horizon(now: datetime) -> datetime:
    """How long the key signing now stays in the JWKS on the schedule's rotation: an attestation must
    not outlive the key that checks it (an early manual rotation, after a compromise, ends it sooner —
    which is then what one wants)."""
    current = SigningKey.objects.filter(alg="ES256", retired_at__isnull=True).order_by("-created_at").first()
    created = current.created_at if current is not None else now
    return created + timedelta(
        days=int(settings.FEDERATION_KEY_MAX_AGE_DAYS), seconds=int(settings.FEDERATION_KEY_PUBLISH_AFTER_SECONDS)
    )


def _powers(membership: Membership, now: datetime) -> tuple[bool, list[str], list[datetime]]:
    """(full powers, service codes, the ends that bound the attestation)."""
    ends = [membership.valid_until] if membership.valid_until else []
    if policy.has_full_powers(membership):
        return True, [], ends
    grants = [g for g in live_grants(membership, now) if g.service.active]
    ends += [g.valid_until for g in grants if g.valid_until]
    return False, [g.service.code for g in grants], ends


def _claims(
    attestation: Attestation, organization: Organization, user: User, client: Client | None
) -> dict[str, Any]:
    subject = subject_for(user, sector=(client.sector or None) if client else None)
    claims: dict[str, Any] = {
        "iss": settings.FEDERATION_ISSUER,
        "sub": subject,
        "iat": int(attestation.issued_at.timestamp()),
        "nbf": int(attestation.valid_from.timestamp()),
        "exp": int(attestation.valid_until.timestamp()),
        "jti": attestation.jti,
        "vct": VCT,
        # EUDI PoR attribute names
        "legal_person_identifier": organization.eid,
        "legal_name": organization.name,
        "full_powers": attestation.full_powers,
        "effective_from_date": timezone.localdate(attestation.valid_from).isoformat(),
        "effective_until_date": timezone.localdate(attestation.valid_until).isoformat(),
        "issuing_authority": settings.FEDERATION_ISSUER,
        "issuing_country": "VN",
        # the same facts, grouped, with what the PoR has no name for
        "legal_person": {"identifier": organization.eid, "tax_code": organization.code or None,
                         "legal_name": organization.name},
        "natural_person": {"sub": subject, **_names(user)},
        "role": attestation.role,
        "services": list(attestation.services),
        "status": {"status_list": {"idx": attestation.status_index, "uri": status_list_uri(attestation.status_list)}},
    }  # fmt: skip
    if client is not None:
        claims["aud"] = client.client_id
    return claims


def attestation_issue(
    *, actor: User | None, organization: Organization, user: User, client: Client | None = None
) -> Issued:
    """An attestation for ``user``'s membership in force of the active ``organization``: asked by the
    person themself (``actor``, with a fresh second factor: it is a portable proof of power), or by a
    relying party (``client``, whose scope the API checked)."""
    if client is None:
        if actor is None or actor.pk != user.pk:
            raise DomainError(CoreError.PERMISSION_DENIED)
        require_fresh_factor()
    now = timezone.now()
    with transaction.atomic():
        organization = Organization.objects.select_for_update().get(pk=organization.pk)
        if organization.status != OrganizationStatus.ACTIVE:
            raise DomainError(AttestationError.NOT_ACTIVE)
        membership = membership_in_force(user, organization)
        if membership is None:
            raise DomainError(AttestationError.NO_POWER)
        full_powers, services, ends = _powers(membership, now)
        if not full_powers and not services:
            raise DomainError(AttestationError.NO_POWER)
        valid_until = min([*ends, now + MAX_LIFETIME, _key_horizon(now)])
        status_list, index = allocate(now=now)
        attestation = Attestation.objects.create(
            jti=secrets.token_urlsafe(24), organization=organization, user=user, membership=membership,
            role=membership.role, full_powers=full_powers, services=services, valid_from=now,
            valid_until=valid_until, issued_at=now, requested_by=actor if client is None else None,
            client=client, status_list=status_list, status_index=index,
        )  # fmt: skip
        token = keys.sign(_claims(attestation, organization, user, client), typ=TYP)
        audit.record(
            TrustAction.ATTESTATION_ISSUED,
            actor=actor,
            obj=attestation,
            unit=organization.head_office,
            after={
                "jti": attestation.jti, "organization": organization.eid, "membership": membership.pk,
                "user": user.pk, "role": attestation.role, "full_powers": full_powers, "services": services,
                "valid_until": valid_until, "client": client.client_id if client else None,
                "status_list": status_list.pk, "status_index": index,
            },
        )  # fmt: skip
    return Issued(attestation, token)


def holder_for_number(personal_number: object) -> User | None:
    """The account of a personal number a relying party sent (``INVALID_NUMBER`` for a malformed one,
    without the number in the message)."""
    if not isinstance(personal_number, str) or len(personal_number) > 40:
        raise DomainError(AttestationError.INVALID_NUMBER, field="personal_number")
    try:
        return account_by_number(personal_number)
    except DomainError as exc:
        raise DomainError(AttestationError.INVALID_NUMBER, field="personal_number") from exc


# --- status -----------------------------------------------------------------------------------------


def _set_status(
    attestation: Attestation, status: TokenStatus, *, reason: str, actor: User | None, now: datetime
) -> None:
    before = attestation.status
    attestation.status, attestation.status_reason, attestation.status_changed_at = status, reason[:64], now
    attestation.save(update_fields=["status", "status_reason", "status_changed_at"])
    audit.record(
        TrustAction.ATTESTATION_STATUS_CHANGED,
        actor=actor,
        obj=attestation,
        unit=attestation.organization.head_office,
        before={"status": int(before)},
        after={"jti": attestation.jti, "status": int(status), "reason": reason},
    )


def attestation_revoke(*, actor: User, attestation: Attestation) -> Attestation:
    """The holder gives up their own attestation, for good."""
    if attestation.user_id != actor.pk:
        raise DomainError(AttestationError.NOT_HOLDER)
    with transaction.atomic():
        row = (
            Attestation.objects.select_for_update()
            .select_related("organization__head_office")
            .get(pk=attestation.pk)
        )
        if row.status == TokenStatus.INVALID:
            raise DomainError(AttestationError.ALREADY_REVOKED)
        _set_status(row, TokenStatus.INVALID, reason=REASON_HOLDER, actor=actor, now=timezone.now())
    return row


def _ended(membership: Membership | None, now: datetime) -> str:
    """Why the membership no longer holds, as the event type that says so; "" while it holds."""
    if membership is None:
        return org_events.MEMBER_REVOKED
    if membership.revoked_at is None:
        expired = membership.valid_until is not None and membership.valid_until <= now
        return org_events.MEMBER_EXPIRED if expired else ""
    if membership.revoke_reason == REASON_EXPIRED:
        return org_events.MEMBER_EXPIRED
    if membership.revoke_reason in _REPRESENTATIVE_REASONS:
        return org_events.REPRESENTATIVE_CHANGED
    return org_events.MEMBER_REVOKED


def _due(attestation: Attestation, organization: Organization, now: datetime) -> tuple[TokenStatus, str]:
    """The status the organization's state calls for now, and why: the events only say when to look,
    so reading one twice or late decides the same."""
    if organization.status == OrganizationStatus.REVOKED:
        return TokenStatus.INVALID, org_events.TERMINATED
    if ended := _ended(attestation.membership, now):
        return TokenStatus.INVALID, ended
    if organization.status == OrganizationStatus.LOCKED:
        return TokenStatus.SUSPENDED, org_events.LOCKED
    if attestation.status == TokenStatus.SUSPENDED and attestation.status_reason == org_events.LOCKED:
        return TokenStatus.VALID, org_events.UNLOCKED  # an unlock restores only what a lock suspended
    return TokenStatus(attestation.status), attestation.status_reason


def follow_event(event: DomainEvent, *, now: datetime | None = None) -> int:
    """Bring the statuses of the event's organization's live attestations to what its state calls
    for; returns how many changed. Reading an event twice, or late, changes nothing more: the
    organization's state, not the event, decides (event_feed reads recent events again)."""
    if event.type not in FOLLOWED or event.organization_id is None:
        return 0
    now = now or timezone.now()
    changed = 0
    with transaction.atomic():
        organization = Organization.objects.select_related("head_office").filter(pk=event.organization_id).first()
        if organization is None:
            return 0
        live = (
            Attestation.objects.select_for_update(of=("self",))
            .select_related("membership")
            .filter(organization=organization, status__in=_LIVE)
            .order_by("pk")
        )
        for attestation in live:
            attestation.organization = organization
            due, reason = _due(attestation, organization, now)
            if due != attestation.status:
                _set_status(attestation, due, reason=reason, actor=None, now=now)
                changed += 1
    return changed


# --- reading ----------------------------------------------------------------------------------------

MAX_TOKEN = 8 * 1024  # ours are under 2 KiB; the public check page reads no more


@dataclass(frozen=True, slots=True)
class Checked:
    """What the public check page shows: whether we signed it, its facts, its status now."""

    genuine: bool
    problem: str = ""
    claims: dict[str, Any] | None = None
    status: TokenStatus | None = None
    in_time: bool = False

    @property
    def usable(self) -> bool:
        return self.genuine and self.in_time and self.status == TokenStatus.VALID


def attestation_check(token: object, *, now: datetime | None = None) -> Checked:
    """Check a pasted token against our published keys and our rows; never raises for bad input."""
    if not isinstance(token, str) or not token.strip():
        return Checked(False, str(_("Hãy dán chứng thư (một JWT).")))
    token = token.strip()
    if len(token) > MAX_TOKEN:
        return Checked(False, str(_("Chứng thư dài quá {limit} ký tự.")).format(limit=MAX_TOKEN))
    try:
        claims = keys.verify(token, typ=TYP)
    except (JoseError, ValueError, TypeError, KeyError, RecursionError):
        return Checked(False, str(_("Không phải chứng thư quyền đại diện do hệ thống này ký.")))
    if claims.get("iss") != settings.FEDERATION_ISSUER:
        return Checked(False, str(_("Không phải chứng thư quyền đại diện do hệ thống này ký.")))
    moment = int((now or timezone.now()).timestamp())
    expires, not_before = claims.get("exp"), claims.get("nbf", 0)
    in_time = isinstance(expires, int) and isinstance(not_before, int) and not_before <= moment < expires
    row = Attestation.objects.filter(jti=str(claims.get("jti", ""))[:64]).only("status").first()
    status = TokenStatus(row.status) if row is not None else None
    return Checked(True, claims=claims, status=status, in_time=in_time)


def attestations_of(user: User, organization: Organization) -> list[Attestation]:
    """The person's own attestations for the organization, newest first."""
    return list(
        Attestation.objects.filter(user=user, organization=organization).order_by("-issued_at", "-pk")[:50]
    )
