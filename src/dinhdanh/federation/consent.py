"""Consent (issue 12.4): what a person allowed a relying party to know, as themselves or as one
organization they act for — recorded when they allow it, listed on their account page, revocable.

Revoking a consent revokes every access and refresh token it covered and every code not yet
exchanged, at once: the relying party's next call with them is ``invalid_token``/``invalid_grant``.
A person revokes only their own consents (anything else is "not found", telling nothing). Consent
given while acting for an organization is the organization's too (issue 13.4): its representative and
administrators in force (``organizations.policy.may_manage``) list and revoke it — anyone else is
refused before the consent is even looked up, so a refusal tells nothing about which consents exist.
Every revocation emits ``federation.consent_revoked`` in its own transaction (the push notice to the
relying party is made from it, ``trust``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dinhdanh.core import audit, events
from dinhdanh.core.errors import DomainError, ErrorCode
from dinhdanh.federation.audit_actions import FederationAction
from dinhdanh.federation.events import CONSENT_REVOKED, SIGNED_IN_AS
from dinhdanh.federation.models import AccessToken, ActingDefault, AuthorizationCode, Client, Consent, RefreshToken
from dinhdanh.organizations import policy
from dinhdanh.organizations.models import Organization
from dinhdanh.organizations.selectors import membership_in_force
from dinhdanh.people.models import User

__all__ = [
    "ConsentError",
    "Revocation",
    "acting_default",
    "acting_default_set",
    "acting_signed_in",
    "consent_covering",
    "consent_record",
    "consent_revoke",
    "consent_revoke_for_organization",
    "consents_of",
    "may_manage_consents",
    "organization_consents",
]


class ConsentError(ErrorCode):
    UNKNOWN = ("federation.unknown_consent", _("Không tìm thấy sự đồng ý này."), 404)
    NOT_MANAGER = (
        "federation.not_organization_manager",
        _(
            "Chỉ người đại diện theo pháp luật và quản trị của tổ chức được xem và rút lại sự đồng ý nhân danh tổ chức."
        ),
        403,
    )


@dataclass(frozen=True)
class Revocation:
    """A revocation's outcome: ``already`` when the consent had ended before (nothing was changed)."""

    consent: Consent
    already: bool


def consents_of(user: User) -> QuerySet[Consent]:
    """The person's live consents, newest first, with what a page shows."""
    return (
        Consent.objects.filter(user=user, revoked_at__isnull=True)
        .select_related("client", "organization")
        .order_by("-granted_at", "-pk")
    )


def consent_covering(
    user: User, client: Client, organization: Organization | None, scopes: set[str]
) -> Consent | None:
    """A live consent of ``user`` to ``client`` for ``organization`` that covers ``scopes``."""
    for consent in Consent.objects.filter(
        user=user, client=client, organization=organization, revoked_at__isnull=True
    ):
        if scopes <= set(consent.scope.split()):
            return consent
    return None


def consent_record(user: User, client: Client, organization: Organization | None, scopes: set[str]) -> Consent:
    """The person allowed ``scopes``: the live consent for this client and organization grows to
    cover them, or one is made. Audited either way."""
    with transaction.atomic():
        consent = (
            Consent.objects.select_for_update()
            .filter(user=user, client=client, organization=organization, revoked_at__isnull=True)
            .first()
        )
        if consent is None:
            consent = Consent.objects.create(
                user=user, client=client, organization=organization, scope=" ".join(sorted(scopes))
            )
        elif not scopes <= set(consent.scope.split()):
            consent.scope = " ".join(sorted(scopes | set(consent.scope.split())))
            consent.save(update_fields=["scope"])
        audit.record(
            FederationAction.CONSENT_GRANTED, actor=user, obj=consent,
            after={"client_id": client.client_id, "organization": organization.eid if organization else None,
                   "scope": consent.scope},
        )  # fmt: skip
    return consent


def consent_revoke(*, actor: User, consent_id: int) -> Consent:
    """End one of the person's own consents and everything issued under it."""
    with transaction.atomic():
        consent = (
            # "self": organization is a nullable join, which PostgreSQL will not lock.
            Consent.objects.select_for_update(of=("self",))
            .filter(pk=consent_id, user=actor)
            .select_related("client", "organization")
            .first()
        )
        if consent is None:
            raise DomainError(ConsentError.UNKNOWN, field="consent")
        if consent.revoked_at is None:
            _end(consent, actor=actor, by="person", now=timezone.now())
    return consent


def may_manage_consents(actor: User, organization: Organization) -> bool:
    """The organization's legal representative or an administrator it named, in force now."""
    return policy.may_manage(membership_in_force(actor, organization))


def _require_manager(actor: User, organization: Organization) -> None:
    if not may_manage_consents(actor, organization):
        raise DomainError(ConsentError.NOT_MANAGER)


def organization_consents(actor: User, organization: Organization) -> QuerySet[Consent]:
    """The live consents given in the organization's name, by anyone, newest first — for its managers
    only (403 otherwise)."""
    _require_manager(actor, organization)
    return (
        Consent.objects.filter(organization=organization, revoked_at__isnull=True)
        .select_related("client", "user")
        .order_by("-granted_at", "-pk")
    )


def consent_revoke_for_organization(*, actor: User, organization: Organization, consent_id: int) -> Revocation:
    """A manager of ``organization`` ends a consent given in its name, whoever gave it, and everything
    issued under it. Not a manager: 403 whatever ``consent_id`` is; a consent not in its name: 404."""
    with transaction.atomic():
        _require_manager(actor, organization)
        consent = (
            Consent.objects.select_for_update(of=("self",))
            .filter(pk=consent_id, organization=organization)
            .select_related("client", "organization")
            .first()
        )
        if consent is None:
            raise DomainError(ConsentError.UNKNOWN, field="consent")
        if consent.revoked_at is not None:
            return Revocation(consent, already=True)
        _end(consent, actor=actor, by="organization", now=timezone.now())
    return Revocation(consent, already=False)


def _end(consent: Consent, *, actor: User, by: Literal["person", "organization"], now: datetime) -> None:
    """Revoke ``consent`` (locked by the caller) and what it covered; audit and event in the same
    transaction."""
    consent.revoked_at = now
    consent.save(update_fields=["revoked_at"])
    tokens = AccessToken.objects.filter(consent=consent, revoked_at__isnull=True).update(revoked_at=now)
    refresh = RefreshToken.objects.filter(consent=consent, revoked_at__isnull=True).update(revoked_at=now)
    AuthorizationCode.objects.filter(consent=consent, used_at__isnull=True).update(used_at=now)
    organization = consent.organization
    audit.record(
        FederationAction.CONSENT_REVOKED, actor=actor, obj=consent,
        after={"client_id": consent.client.client_id, "access_tokens": tokens, "refresh_tokens": refresh,
               "by": by, "organization": organization.eid if organization else None},
    )  # fmt: skip
    events.emit(
        CONSENT_REVOKED, actor=actor, organization=organization,
        payload={"client_id": consent.client.client_id, "consent_id": consent.pk, "by": by},
    )  # fmt: skip


def acting_signed_in(*, user: User, client: Client, organization: Organization | None, acr: str) -> None:
    """A code was issued to ``client`` for ``user`` acting for ``organization``: the organization's
    durable record of it (codes and tokens themselves are pruned). Acting as oneself records nothing."""
    if organization is not None:
        events.emit(
            SIGNED_IN_AS,
            actor=user,
            organization=organization,
            payload={"client_id": client.client_id, "acr": acr},
        )


def acting_default(user: User) -> str:
    """The platform identification number of the person's default organization; "" for themselves."""
    row = ActingDefault.objects.filter(user=user).select_related("organization").first()
    return row.organization.eid if row is not None and row.organization is not None else ""


def acting_default_set(user: User, organization: Organization | None) -> None:
    ActingDefault.objects.update_or_create(
        user=user, defaults={"organization": organization, "updated_at": timezone.now()}
    )
