"""Security Event Tokens (RFC 8417) in the shapes of the OpenID Shared Signals Framework 1.0: one event
a token (SSF §4.1.8), its subject in the top-level ``sub_id`` (RFC 9493 subject identifiers, SSF §3),
signed with our published keys under ``typ: secevent+jwt`` (RFC 8417 §2.3), ``aud`` the relying party's
``client_id``. No ``exp`` (RFC 8417 §2.2: a SET states a fact, it does not grant anything) and no ``sub``.

What a token names, and why nothing more:

* an organization by its platform identification number as an ``opaque`` identifier — already public
  on its profile and in the ``org`` claim;
* a person only inside an organization (a ``complex`` subject: ``user`` + ``tenant``), by the very
  subject that relying party receives in its ID tokens (public or pairwise, ``people.subjects``) — never
  a personal identification number, a name or a phone.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from django.conf import settings

from dinhdanh.federation import keys
from dinhdanh.federation.models import Client, SubjectType
from dinhdanh.people.models import User
from dinhdanh.people.subjects import subject_for

__all__ = [
    "ACCOUNT_DISABLED",
    "ACCOUNT_ENABLED",
    "ACCOUNT_PURGED",
    "SESSION_REVOKED",
    "TOKEN_CLAIMS_CHANGE",
    "TYP",
    "make",
    "member_subject",
    "organization_subject",
    "person_subject",
]

TYP = "secevent+jwt"  # RFC 8417 §2.3; the media type of a push is application/secevent+jwt (RFC 8935 §2)
_RISC = "https://schemas.openid.net/secevent/risc/event-type/"
_CAEP = "https://schemas.openid.net/secevent/caep/event-type/"
ACCOUNT_DISABLED = _RISC + "account-disabled"  # RISC 1.0 §2.3
ACCOUNT_ENABLED = _RISC + "account-enabled"  # RISC 1.0 §2.4
ACCOUNT_PURGED = _RISC + "account-purged"  # RISC 1.0 §2.2
SESSION_REVOKED = _CAEP + "session-revoked"  # CAEP 1.0 §3.1
TOKEN_CLAIMS_CHANGE = _CAEP + "token-claims-change"  # CAEP 1.0 §3.2


def organization_subject(eid: str) -> dict[str, str]:
    """RFC 9493 §3.2.6 ``opaque``: the organization's identification number."""
    return {"format": "opaque", "id": eid}


def person_subject(user: User, client: Client) -> dict[str, str]:
    """RFC 9493 §3.2.5 ``iss_sub``: the person by the subject ``client`` knows them by (its ID tokens')."""
    sector = (client.sector or None) if client.subject_type == SubjectType.PAIRWISE else None
    return {"format": "iss_sub", "iss": settings.FEDERATION_ISSUER, "sub": subject_for(user, sector=sector)}


def member_subject(user: User, eid: str, client: Client) -> dict[str, Any]:
    """A person acting for an organization (SSF §3.3 complex subject): the person as ``client`` knows
    them, the organization as the ``tenant``."""
    return {"format": "complex", "user": person_subject(user, client), "tenant": organization_subject(eid)}


def make(
    *,
    client: Client,
    event_type: str,
    subject: dict[str, Any],
    detail: dict[str, Any],
    occurred: datetime,
    now: datetime,
    txn: str = "",
) -> tuple[str, str]:
    """A new signed SET for ``client``: its ``jti`` and the token. ``txn`` (RFC 8417 §2.2) ties the SETs
    that one change in the world produced, for every relying party and event type alike;
    ``event_timestamp`` (CAEP 1.0 §2) is when the change happened, ``iat`` when the token was made."""
    jti = secrets.token_hex(16)
    claims: dict[str, Any] = {
        "iss": settings.FEDERATION_ISSUER,
        "jti": jti,
        "iat": int(now.timestamp()),
        "aud": client.client_id,
        "sub_id": subject,
        "events": {event_type: {"event_timestamp": int(occurred.timestamp()), **detail}},
    }
    if txn:
        claims["txn"] = txn
    return jti, keys.sign(claims, typ=TYP)
