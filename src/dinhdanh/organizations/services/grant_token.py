"""The confirmation token of a two-step grant (issue 15.4): the representative looks the person up,
sees their name and masked number, then confirms. The token binds the confirmation to what was shown —
the organization, the representative, the person's account, the role, the services and the period — so
the person confirmed is the person granted, and a token altered, replayed by someone else or for another
organization is refused.

It is sealed (``core.sealed``, AES-GCM, purpose-bound), not merely signed: it carries an account's
internal id, which the page has no business reading, and any change to it fails authentication.
"""

from __future__ import annotations

import base64
import binascii
import json
import time
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings

from dinhdanh.core.errors import DomainError
from dinhdanh.core.sealed import SealError, seal, unseal
from dinhdanh.organizations.errors import OrganizationError

PURPOSE = "organizations.grant-confirmation"
MAX_TOKEN_CHARS = 2000


def lifetime_seconds() -> int:
    return int(getattr(settings, "GRANT_CONFIRMATION_SECONDS", 600))


@dataclass(frozen=True)
class Pending:
    organization: int
    actor: int
    grantee: int
    role: str
    services: list[str]
    full_powers: bool
    valid_until: datetime | None


def issue(pending: Pending, *, now: float | None = None) -> str:
    body = {
        "o": pending.organization,
        "a": pending.actor,
        "u": pending.grantee,
        "r": pending.role,
        "s": pending.services,
        "f": pending.full_powers,
        "v": pending.valid_until.isoformat() if pending.valid_until is not None else None,
        "t": int(now if now is not None else time.time()),
    }
    blob = seal(json.dumps(body, separators=(",", ":")).encode(), purpose=PURPOSE)
    return base64.urlsafe_b64encode(blob).decode().rstrip("=")


def _refused() -> DomainError:
    return DomainError(OrganizationError.GRANT_CONFIRMATION_INVALID, field="token")


def read(token: object, *, now: float | None = None) -> Pending:
    """The pending grant a token names, or GRANT_CONFIRMATION_INVALID (altered, foreign, expired)."""
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_CHARS:
        raise _refused()
    try:
        blob = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        body = json.loads(unseal(blob, purpose=PURPOSE))
        issued = int(body["t"])
        until = datetime.fromisoformat(body["v"]) if body["v"] is not None else None
        pending = Pending(
            organization=int(body["o"]),
            actor=int(body["a"]),
            grantee=int(body["u"]),
            role=str(body["r"]),
            services=[str(c) for c in body["s"]],
            full_powers=body["f"] is True,
            valid_until=until,
        )
    except (binascii.Error, ValueError, SealError, KeyError, TypeError):
        raise _refused() from None
    age = (now if now is not None else time.time()) - issued
    if age < 0 or age > lifetime_seconds():
        raise _refused()
    return pending
