"""The claims a relying party receives (issue 12.3; OpenID Connect Core §5.1 and §5.4), per scope.

Protocol apart from domain (ARCHITECTURE rule 4): organizations are known only through
``organizations.selectors`` (which organization, which membership, what it covers); this module only
shapes what they answer into the documented claim set (docs/federation.md).

* ``openid``: ``sub`` (public or pairwise: ``people.subjects``) and ``acr``;
* ``profile``: ``name``, ``locale``, ``updated_at``; ``email`` and ``phone``: the address and whether
  it was confirmed (an e-mail address is not, today);
* ``organization``: one object, ``org``, for the organization the person acts for in this sign-in —
  never a list of every organization they belong to (a relying party learns no more than it needs).

* ``personal_id``: the personal identification number, unsealed (``people.identifiers``) — only for
  relying parties registered with a legal basis for it (``Client.legal_basis``; Decree 69/2024 and Law
  91/2025 allow no more), only with the person's consent, and only when the number is kept sealed for
  the account (older accounts get it at their next sign-in).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from dinhdanh.organizations.models import Membership, Organization
from dinhdanh.organizations.selectors import granted_codes, live_grants
from dinhdanh.people.identifiers import sealed_number
from dinhdanh.people.models import User
from dinhdanh.people.subjects import subject_for

__all__ = ["ORG_CLAIM", "organization_claim", "person_claims"]

ORG_CLAIM = "org"


def _epoch(moment: datetime | None) -> int | None:
    return int(moment.timestamp()) if moment is not None else None


def person_claims(user: User, scopes: set[str], *, sector: str | None, acr: str) -> dict[str, Any]:
    claims: dict[str, Any] = {"sub": subject_for(user, sector=sector), "acr": acr}
    if "profile" in scopes:
        claims.update(name=user.full_name, locale=user.preferred_language or "vi")
    if "email" in scopes and user.email:
        claims.update(email=user.email, email_verified=False)
    if "personal_id" in scopes and (number := sealed_number(user)) is not None:
        claims["personal_id"] = number
    if "phone" in scopes and user.phone:
        claims.update(phone_number=user.phone, phone_number_verified=user.phone_confirmed_at is not None)
    return claims


def _grant_ends(membership: Membership, service: str) -> datetime | None:
    """When acting in ``service`` ends: the membership's end, or that service's grant's if sooner."""
    ends = [membership.valid_until] if membership.valid_until else []
    ends += [g.valid_until for g in live_grants(membership) if g.service.code == service and g.valid_until]
    return min(ends) if ends else None


def organization_claim(organization: Organization, membership: Membership, service: str) -> dict[str, Any]:
    """The ``org`` claim: who the organization is and what this person may do for it here."""
    unit = organization.head_office
    return {
        "id": organization.eid,  # the platform identification number (decision 0008)
        "tax_code": organization.code or None,
        "name": organization.name,
        "short_name": organization.short_name or None,
        "foreign_name": organization.foreign_name or None,
        "category": organization.category,
        "head_office": {"code": unit.code, "name": unit.name, "province": unit.province_code},
        "status": organization.status,
        "role": membership.role,
        "services": granted_codes(membership),  # ["*"]: full powers
        "service": service,
        "grant_expires_at": _epoch(_grant_ends(membership, service)),
    }
