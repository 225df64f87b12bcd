"""Locking and unlocking a personal account (Decree 69 Art. 15, 29-30; LEGAL §4).

The holder locks at once (form TK03, in the app). An officer locks or unlocks on an authority's
written request, with the authority, its document and the reason recorded; an officer also unlocks on
the holder's request in person. A lock ends every session of the account.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone

from dinhdanh.core import audit
from dinhdanh.core.access import require
from dinhdanh.core.errors import DomainError
from dinhdanh.core.text import clean, clean_optional, nfc
from dinhdanh.notifications.services import notify_user
from dinhdanh.people.assurance import require_fresh_factor
from dinhdanh.people.audit_actions import PeopleAction
from dinhdanh.people.errors import PeopleError
from dinhdanh.people.models import AccountLock, LockKind, User
from dinhdanh.people.permissions import PeoplePermission
from dinhdanh.people.sessions import sessions_revoke_all


def _notify(user: User, template: str, params: dict[str, str | int]) -> None:

    notify_user(user, template, params)


def _locked(user: User) -> bool:
    # The database decides, not ``user``: a copy read before an unlock would refuse a lock for nothing
    # (a copy read before a lock is caught by the partial unique constraint in _lock).
    return AccountLock.objects.filter(user=user, unlocked_at__isnull=True).exists()


def _lock(
    user: User, *, kind: LockKind, actor: User | None, reason: str, authority: str = "", document_ref: str = ""
) -> AccountLock:
    now = timezone.now()
    try:
        with transaction.atomic():
            lock = AccountLock.objects.create(
                user=user,
                kind=kind,
                reason=reason,
                authority=authority,
                document_ref=document_ref,
                locked_by=actor,
                locked_at=now,
            )
            User.objects.filter(pk=user.pk).update(locked_at=now)
            user.locked_at = now
            ended = sessions_revoke_all(user=user, reason="locked")
            audit.record(
                PeopleAction.ACCOUNT_LOCKED,
                actor=actor,
                obj=user,
                after={
                    "kind": kind,
                    "reason": reason,
                    "authority": authority,
                    "document": document_ref,
                    "sessions_ended": ended,
                },
            )
            _notify(user, "account_locked", {"kind": str(kind)})
    except IntegrityError as exc:  # a lock in force already (the partial unique constraint)
        raise DomainError(PeopleError.ALREADY_LOCKED) from exc
    return lock


def lock_by_holder(*, user: User, reason: str = "") -> AccountLock:
    """Immediate, no questions asked: the holder may fear the account is in someone else's hands."""
    if _locked(user):
        raise DomainError(PeopleError.ALREADY_LOCKED)
    # Free text from the holder: kept printable (no NUL, escapes or bidi controls, which PostgreSQL or a
    # log viewer would choke on) but never a reason to refuse the lock.
    text = "".join(ch for ch in nfc(str(reason or "")) if ch.isprintable())[:500].strip() or "holder request"
    return _lock(user, kind=LockKind.HOLDER, actor=user, reason=text)


def lock_by_authority(*, actor: User, user: User, authority: str, document_ref: str, reason: str) -> AccountLock:
    require(actor, PeoplePermission.LOCK_PERSON, any_unit=True, obj=user)
    require_fresh_factor()
    reason = clean_optional(reason, field="reason", max_length=1000)
    if not reason:
        raise DomainError(PeopleError.REASON_REQUIRED, field="reason")
    authority = clean(authority, field="authority", max_length=300)
    document_ref = clean(document_ref, field="document_ref", max_length=120)
    if _locked(user):
        raise DomainError(PeopleError.ALREADY_LOCKED)
    return _lock(
        user, kind=LockKind.AUTHORITY, actor=actor, reason=reason, authority=authority, document_ref=document_ref
    )


def unlock(*, actor: User, user: User, reason: str) -> AccountLock:
    """An officer lifts the lock in force (holder's request in person, or the authority's)."""
    require(actor, PeoplePermission.LOCK_PERSON, any_unit=True, obj=user)
    require_fresh_factor()
    text = clean_optional(reason, field="reason", max_length=1000)  # refused when too long, never cut
    if not text:
        raise DomainError(PeopleError.REASON_REQUIRED, field="reason")
    now = timezone.now()
    with transaction.atomic():
        lock = AccountLock.objects.select_for_update().filter(user=user, unlocked_at__isnull=True).first()
        if lock is None:
            raise DomainError(PeopleError.NOT_LOCKED)
        lock.unlocked_at, lock.unlocked_by, lock.unlock_reason = now, actor, text
        lock.save(update_fields=["unlocked_at", "unlocked_by", "unlock_reason"])
        User.objects.filter(pk=user.pk).update(locked_at=None)
        user.locked_at = None
        audit.record(PeopleAction.ACCOUNT_UNLOCKED, actor=actor, obj=user, after={"lock": lock.pk, "reason": text})
        _notify(user, "account_unlocked", {})
    return lock
