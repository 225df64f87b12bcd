"""The personal number kept sealed beside its blind index (issue 12.0).

``login_digest`` finds an account by its number without storing the number in clear; the number
itself is kept sealed (``core.sealed``, purpose ``PID_PURPOSE``) so that it can be released as a claim
where the law allows and so that the index can be recomputed when its key rotates. Accounts made
before it was kept get it at their holder's next sign-in (``remember_number``), the only moment the
number is known again.
"""

from __future__ import annotations

from dinhdanh.core.sealed import SealError, seal_text, sealed_with_current_key, unseal_text
from dinhdanh.people.models import User

__all__ = ["PID_PURPOSE", "remember_number", "seal_number", "sealed_number"]

PID_PURPOSE = "people.personal_id"


def seal_number(personal_id: str) -> bytes:
    return seal_text(personal_id, purpose=PID_PURPOSE)


def sealed_number(user: User) -> str | None:
    """The account's personal number, or None when it was never kept (or its seal is broken: logged
    by the caller's refusal, never shown)."""
    blob = bytes(user.personal_id_sealed or b"")
    if not blob:
        return None
    try:
        return unseal_text(blob, purpose=PID_PURPOSE)
    except SealError:
        return None


def remember_number(user: User, personal_id: str, *, current_digest: str) -> None:
    """Keep (or re-seal under the current key) the number the holder just signed in with, and move
    the account's login digest to the current index key (decision 0036); the caller has checked that
    the number is this account's (one of its digests matched)."""
    blob = bytes(user.personal_id_sealed or b"")
    changes: dict[str, object] = {}
    if not blob or not sealed_with_current_key(blob):
        changes["personal_id_sealed"] = user.personal_id_sealed = seal_number(personal_id)
    if user.login_digest != current_digest:
        changes["login_digest"] = user.login_digest = current_digest
    if changes:
        User.objects.filter(pk=user.pk).update(**changes)
