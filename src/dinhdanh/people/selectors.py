"""Reads about personal accounts, with the access rules applied here (ARCHITECTURE rule 2)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet
from django.utils import timezone

from dinhdanh.core import audit
from dinhdanh.core.access import KernelPermission, require
from dinhdanh.core.errors import CoreError, DomainError
from dinhdanh.people import policy
from dinhdanh.people.audit_actions import PeopleAction
from dinhdanh.people.errors import PeopleError
from dinhdanh.people.logins import login_digest, login_digests
from dinhdanh.people.models import (
    OPEN_STATES,
    AccountLock,
    DataRequest,
    DataRequestState,
    LevelRequest,
    Passkey,
    RequestKind,
    RequestStatus,
    SignInEvent,
    User,
)
from dinhdanh.people.permissions import PeoplePermission
from dinhdanh.people.sessions import open_sessions
from dinhdanh.people.totp import has_totp, recovery_codes_left

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser


@dataclass(frozen=True)
class SecurityOverview:
    has_totp: bool
    passkeys: list[Passkey]
    recovery_codes_left: int
    sessions: list[object]
    history: list[SignInEvent]

    @property
    def has_second_factor(self) -> bool:
        return self.has_totp or bool(self.passkeys)


def security_overview(user: User, *, history: int = 20) -> SecurityOverview:
    return SecurityOverview(
        has_totp=has_totp(user),
        passkeys=list(Passkey.objects.filter(user=user).order_by("created_at")),
        recovery_codes_left=recovery_codes_left(user),
        sessions=list(open_sessions(user)),
        history=list(SignInEvent.objects.filter(user=user).order_by("-at")[:history]),
    )


def own_level_requests(user: User) -> QuerySet[LevelRequest]:
    return LevelRequest.objects.filter(user=user).order_by("-received_at")


def require_desk(actor: User | AnonymousUser) -> None:
    """Raise (403, audited) unless ``actor`` may use the officer's desk (``policy.may_use_desk``)."""
    require(actor, policy.DESK_PERMISSION, any_unit=True)


def person_by_number(*, actor: User, personal_id: str) -> User:
    """An officer looks a person up by the number on the card in front of them; every lookup is
    logged, found or not (access to personal data, Law 91/2025)."""
    require_desk(actor)
    try:
        login_digest(personal_id)  # a malformed number is refused here, before any lookup
    except DomainError:
        audit.record(
            PeopleAction.PERSON_LOOKED_UP,
            actor=actor,
            object_type="people.user",
            after={"found": False},
            read=True,
        )
        raise
    person = User.objects.filter(login_digest__in=login_digests(personal_id)).first()
    audit.record(
        PeopleAction.PERSON_LOOKED_UP,
        actor=actor,
        object_type="people.user",
        object_id=str(person.pk) if person else "",
        after={"found": person is not None},
        read=True,
    )
    if person is None:
        raise DomainError(PeopleError.PERSON_NOT_FOUND, field="personal_id")
    return person


def review_queue(*, actor: User) -> QuerySet[LevelRequest]:
    """Level-1 requests waiting for an officer, the most urgent first."""
    require_desk(actor)
    return (
        LevelRequest.objects.filter(kind=RequestKind.LEVEL1_ONLINE, status=RequestStatus.PENDING)
        .select_related("user")
        .order_by("due_at")
    )


def review_request(*, actor: User, request_id: int) -> LevelRequest:
    found = review_queue(actor=actor).filter(pk=request_id).first()
    if found is None:
        raise DomainError(PeopleError.LEVEL_NOT_PENDING)
    return found


def lock_in_force(user: User) -> AccountLock | None:
    return AccountLock.objects.filter(user=user, unlocked_at__isnull=True).first()


def is_overdue(request: LevelRequest) -> bool:
    return request.status == RequestStatus.PENDING and request.due_at < timezone.now()


def staff_candidate(*, actor: User | None, personal_id: str) -> User:
    """The account a system administrator (or the operator, ``actor=None``) appoints to a staff role,
    by the number on the card; looked up like any other person, and logged."""
    if actor is not None:
        require(actor, KernelPermission.ADMINISTER_SYSTEM, any_unit=True)
    login_digest(personal_id)  # a malformed number is refused here, before any lookup
    person = User.objects.filter(login_digest__in=login_digests(personal_id)).first()
    audit.record(
        PeopleAction.PERSON_LOOKED_UP,
        actor=actor,
        object_type="people.user",
        object_id=str(person.pk) if person else "",
        after={"found": person is not None, "purpose": "staff"},
        read=True,
    )
    if person is None:
        raise DomainError(PeopleError.PERSON_NOT_FOUND, field="personal_id")
    return person


def account(pk: object) -> User | None:
    """An account by id (an int, or its digits from a form: a choice a face offered), or ``None``."""
    if isinstance(pk, str) and pk.isascii() and pk.isdigit() and len(pk) < 12:
        pk = int(pk)
    if not isinstance(pk, int) or isinstance(pk, bool):
        return None
    return User.objects.filter(pk=pk).first()


# --- requests about personal data (services.data_requests) -------------------------------------------


def own_data_requests(user: User) -> QuerySet[DataRequest]:
    return DataRequest.objects.filter(user=user).order_by("-received_at", "-pk")


def data_request_queue(*, actor: User, open_only: bool = True) -> QuerySet[DataRequest]:
    """The officer's list, soonest due first; refused (and audited) without the permission nationwide."""
    require(actor, PeoplePermission.HANDLE_DATA_REQUEST)
    rows = DataRequest.objects.select_related("user").order_by("due_at", "pk")
    return rows.filter(state__in=OPEN_STATES) if open_only else rows


def data_request(*, actor: User, pk: int) -> DataRequest:
    require(actor, PeoplePermission.HANDLE_DATA_REQUEST)
    found = DataRequest.objects.select_related("user", "handled_by").filter(pk=pk).first()
    if found is None:
        raise DomainError(CoreError.NOT_FOUND)
    return found


@dataclass(frozen=True)
class Timers:
    acknowledgement_late: bool  # still not acknowledged after its 2 working days
    answer_late: bool  # open past its answer date


def timers(row: DataRequest, now: datetime | None = None) -> Timers:
    now = now or timezone.now()
    is_open = row.state in OPEN_STATES
    return Timers(
        acknowledgement_late=row.state == DataRequestState.RECEIVED and now > row.acknowledge_by,
        answer_late=is_open and now > row.due_at,
    )


def data_requests_overdue(now: datetime | None = None) -> int:
    """Open requests past their answer date or their acknowledgement date (the /metrics figure)."""
    now = now or timezone.now()
    late = Q(due_at__lt=now) | Q(state=DataRequestState.RECEIVED, acknowledge_by__lt=now)
    return DataRequest.objects.filter(late, state__in=OPEN_STATES).count()
