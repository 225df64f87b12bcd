"""Sessions as their owner sees them: listed, and ended from anywhere (SPEC §7, issue 3)."""

from __future__ import annotations

from uuid import UUID

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from dinhdanh.core import audit
from dinhdanh.core.errors import DomainError
from dinhdanh.people.audit_actions import PeopleAction
from dinhdanh.people.errors import PeopleError
from dinhdanh.people.models import AccountSession, User


def open_sessions(user: User) -> QuerySet[AccountSession]:
    return AccountSession.objects.filter(user=user, revoked_at__isnull=True).order_by("-last_seen_at")


def session_revoke(*, actor: User, session_id: str | UUID) -> None:
    """End one of the actor's own sessions; another person's session is "not found", not "forbidden"."""
    try:
        key = UUID(str(session_id))
    except ValueError as exc:
        raise DomainError(PeopleError.SESSION_NOT_FOUND) from exc
    with transaction.atomic():
        ended = AccountSession.objects.filter(pk=key, user=actor, revoked_at__isnull=True).update(
            revoked_at=timezone.now(), revoked_reason="owner"
        )
        if not ended:
            raise DomainError(PeopleError.SESSION_NOT_FOUND)
        audit.record(
            PeopleAction.SESSION_REVOKED, actor=actor, object_type="people.accountsession", object_id=str(key)
        )


def sessions_revoke_all(*, user: User, reason: str, keep: str | UUID | None = None) -> int:
    """End every session of ``user`` (but ``keep``): on lock, password change, or the owner's request.
    Callers run this inside their own transaction and audit the cause."""
    qs = AccountSession.objects.filter(user=user, revoked_at__isnull=True)
    if keep:
        qs = qs.exclude(pk=keep)
    return qs.update(revoked_at=timezone.now(), revoked_reason=reason[:32])
