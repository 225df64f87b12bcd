"""Consent (issue 12.4): what a person allowed a relying party to know, as themselves or as one
organization they act for — recorded when they allow it, listed on their account page, revocable.

Revoking a consent revokes every access and refresh token it covered and every code not yet
exchanged, at once: the relying party's next call with them is ``invalid_token``/``invalid_grant``.
A person revokes only their own consents (anything else is "not found", telling nothing).
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dinhdanh.core import audit
from dinhdanh.core.errors import DomainError, ErrorCode
from dinhdanh.federation.audit_actions import FederationAction
from dinhdanh.federation.models import AccessToken, ActingDefault, AuthorizationCode, Client, Consent, RefreshToken
from dinhdanh.organizations.models import Organization
from dinhdanh.people.models import User

__all__ = [
    "ConsentError",
    "acting_default",
    "acting_default_set",
    "consent_covering",
    "consent_record",
    "consent_revoke",
    "consents_of",
]


class ConsentError(ErrorCode):
    UNKNOWN = ("federation.unknown_consent", _("Không tìm thấy sự đồng ý này."), 404)


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
    now = timezone.now()
    with transaction.atomic():
        consent = (
            Consent.objects.select_for_update().filter(pk=consent_id, user=actor).select_related("client").first()
        )
        if consent is None:
            raise DomainError(ConsentError.UNKNOWN, field="consent")
        if consent.revoked_at is not None:
            return consent
        consent.revoked_at = now
        consent.save(update_fields=["revoked_at"])
        tokens = AccessToken.objects.filter(consent=consent, revoked_at__isnull=True).update(revoked_at=now)
        refresh = RefreshToken.objects.filter(consent=consent, revoked_at__isnull=True).update(revoked_at=now)
        AuthorizationCode.objects.filter(consent=consent, used_at__isnull=True).update(used_at=now)
        audit.record(
            FederationAction.CONSENT_REVOKED, actor=actor, obj=consent,
            after={"client_id": consent.client.client_id, "access_tokens": tokens, "refresh_tokens": refresh},
        )  # fmt: skip
    return consent


def acting_default(user: User) -> str:
    """The platform identification number of the person's default organization; "" for themselves."""
    row = ActingDefault.objects.filter(user=user).select_related("organization").first()
    return row.organization.eid if row is not None and row.organization is not None else ""


def acting_default_set(user: User, organization: Organization | None) -> None:
    ActingDefault.objects.update_or_create(
        user=user, defaults={"organization": organization, "updated_at": timezone.now()}
    )
