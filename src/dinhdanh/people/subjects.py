"""The subject identifier a relying party sees for a person (OpenID Connect Core 1.0 §8, issue 12.0).

* public: the account's own ``User.subject`` — random, opaque, assigned once; never the database key
  and never derived from the personal number, so it reveals nothing and survives a re-keyed index;
* pairwise (§8.1): a keyed digest of the public subject and the relying party's *sector* (the host of
  its redirect URIs, or of its ``sector_identifier_uri``), so relying parties of different sectors
  cannot link one person by identifier, and one sector sees the same value from every client.

The pairwise key (``DATA_DIR/keys/subject-pairwise``) must never change: every pairwise subject in the
hands of relying parties is derived from it. It belongs in the backups with the data dir.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from dinhdanh.core.keys import data_key
from dinhdanh.people.models import User

__all__ = ["PAIRWISE_KEY", "pairwise_subject", "subject_for", "user_by_subject"]

PAIRWISE_KEY = "subject-pairwise"


def _sector(sector: str) -> str:
    value = sector.strip().lower().rstrip(".") if isinstance(sector, str) else ""
    if not value or len(value) > 255 or any(c.isspace() for c in value):
        raise ValueError("a sector is a host name")
    return value


def pairwise_subject(user: User, sector: str) -> str:
    """43 URL-safe characters, the same for ``user`` in every client of ``sector``."""
    message = f"{_sector(sector)}\x00{user.subject}".encode()
    digest = hmac.new(data_key(PAIRWISE_KEY), message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def subject_for(user: User, *, sector: str | None = None) -> str:
    """The public subject, or the pairwise one when the client is in a ``sector``."""
    return user.subject if sector is None else pairwise_subject(user, sector)


def user_by_subject(subject: str) -> User | None:
    """The account with this *public* subject (a pairwise one cannot be turned back; the provider keeps
    the account with the grant it issued)."""
    if not isinstance(subject, str) or not 16 <= len(subject) <= 32:
        return None
    return User.objects.filter(subject=subject).first()
