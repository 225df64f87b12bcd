"""What every request service shares: row locks, transitions with their history row, numbers, the
"one open request per organization" key, who may act on which side of a request, and notifications."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django_fsm import TransitionNotAllowed

from dinhdanh.applications import checks as checks_module
from dinhdanh.applications import reads
from dinhdanh.applications.audit_actions import ApplicationAction
from dinhdanh.applications.errors import ApplicationError
from dinhdanh.applications.models import (
    Application,
    ApplicationChannel,
    Check,
    Kind,
    Status,
    StatusChange,
    VerificationRequest,
    VerificationStatus,
)
from dinhdanh.applications.permissions import ApplicationPermission
from dinhdanh.applications.routing import Route, approving_route, due_at, stored_route
from dinhdanh.core import audit, events
from dinhdanh.core.access import jurisdiction, require
from dinhdanh.core.audit_actions import KernelAction
from dinhdanh.core.audit_codes import Actions
from dinhdanh.core.errors import DomainError, ErrorCode
from dinhdanh.core.rows import Insert, SelectOne, Update
from dinhdanh.core.sequences import next_value
from dinhdanh.notifications.services import notify_user
from dinhdanh.people.models import AccountLevel

if TYPE_CHECKING:
    from dinhdanh.organizations.models import Organization
    from dinhdanh.people.models import User

# Verbs for "cannot <verb> a request in state X"; keyed by the model's transition method.
ACTIONS: dict[str, Promise] = {
    "ask_consent": _("gửi xin ý kiến"),
    "submit": _("nộp"),
    "start_review": _("thẩm định"),
    "await_verification": _("gửi xác minh"),
    "resume": _("tiếp tục thẩm định"),
    "ask_supplement": _("yêu cầu bổ sung"),
    "supplement": _("bổ sung"),
    "approve": _("duyệt"),
    "reject": _("từ chối"),
    "withdraw": _("rút"),
    "assign": _("phân công"),
    "recheck": _("đối chiếu lại"),
}


def lock(application: Application | int, *, known: Iterable[User | None] = ()) -> Application:
    """A fresh copy of the request, locked for the rest of the transaction (the caller's may be stale),
    with its head office, unit, organization and applicant: those the caller's copy holds, or accounts
    in ``known`` (the actor), else read by key (``applications.reads``)."""
    pk = application if isinstance(application, int) else application.pk
    fresh = reads.locked_request(pk)
    if fresh is None:
        raise Application.DoesNotExist(f"no request {pk}")
    like = None if isinstance(application, int) else application
    return reads.attach_related(fresh, like=like, known=known)


# Written at every transition, and the request at every start: built once (``core.rows``, decision 0039).
_HISTORY_ROW = Insert(StatusChange)
REQUEST_ROW = Insert(Application)


def _step(application: Application, transition: str, *, actor: User | None, reason: str) -> StatusChange:
    """Apply one transition of the state machine; its history row, not yet written."""
    before = str(application.status)
    method: Callable[[], None] = getattr(application, transition)
    try:
        method()
    except TransitionNotAllowed as exc:
        raise DomainError(
            ApplicationError.ILLEGAL_TRANSITION,
            action=str(ACTIONS[transition]),
            status=str(Status(before).label),
        ) from exc
    return StatusChange(
        application=application, from_status=before, to_status=str(application.status), actor=actor, reason=reason
    )


def move(application: Application, transition: str, *, actor: User | None, reason: str = "") -> StatusChange:
    """Apply one transition of the state machine and keep its history row; the caller saves."""
    return _HISTORY_ROW.save(_step(application, transition, actor=actor, reason=reason))


def moves(application: Application, *steps: tuple[str, User | None]) -> list[StatusChange]:
    """Transitions in a row, each (transition, actor), their history rows written in one statement."""
    changes = [_step(application, transition, actor=actor, reason="") for transition, actor in steps]
    return StatusChange.objects.bulk_create(changes)


def refuse_state(application: Application, action: str) -> DomainError:
    return DomainError(
        ApplicationError.ILLEGAL_TRANSITION,
        action=str(ACTIONS[action]),
        status=str(Status(application.status).label),
    )


def close_verifications(application: Application, *, actor: User | None, reason: str) -> int:
    """A request that ends (rejected, withdrawn) leaves no question open with a partner."""

    return VerificationRequest.objects.filter(application=application, status=VerificationStatus.OPEN).update(
        status=VerificationStatus.CANCELLED, answer=reason[:1000], answered_by=actor, answered_at=timezone.now()
    )


# (fields) -> the UPDATE of them and their attribute names; a handful of sets, one per kind of transition.
_UPDATES: dict[tuple[str, ...], tuple[Update[Application], list[str]]] = {}


def save(application: Application, *fields: str) -> None:
    """``save(update_fields=...)`` of the status, the time and ``fields``, as one statement built once per
    set of fields (``core.rows``, decision 0039): every transition ends with it."""
    application.updated_at = timezone.now()
    names = tuple(sorted({"status", "updated_at", *fields}))
    if names not in _UPDATES:
        update = Update(Application, names, "{id} = %s", ["id"])
        _UPDATES[names] = (update, [field.attname for field in update.fields])
    update, attnames = _UPDATES[names]
    update.run([getattr(application, attname) for attname in attnames], [application.pk])


def next_number(now: datetime) -> str:
    """ "HS-2026-0000123": one counter per year that only grows (the caller is inside a transaction)."""
    year = timezone.localtime(now).year
    return f"HS-{year}-{next_value(f'application-{year}'):07d}"


def open_key(
    *, kind: str, code: str, organization: Organization | None, name_key: str, head_office_id: int
) -> str:
    if kind != Kind.NEW and organization is not None:
        return f"code:{organization.code}" if organization.code else f"eid:{organization.eid}"
    if code:
        return f"code:{code}"
    # No code (category 4): the organization is its name in its commune.
    digest = hashlib.sha256(f"{name_key}|{head_office_id}".encode()).hexdigest()[:40]
    return f"name:{digest}"


# Asked at every draft: built once (``core.rows``, decision 0039).
_HOLDER = SelectOne(Application, "{open_key} = %s", ["open_key"], only=["number"])


def refuse_if_open(key: str, *, exclude: int | None = None) -> None:
    holder = _HOLDER.first(key)  # the key is unique: one holder at most
    if holder is not None and holder.pk != exclude:
        raise DomainError(ApplicationError.ALREADY_OPEN, number=holder.number)


_CLAIM = Update(Application, ["open_key"], "{id} = %s", ["id"])


def claim_open_key(application: Application, key: str) -> None:
    """Hold the organization's one open slot. The unique constraint decides, with no read before it: a
    slot held by another request makes the update fail (in its savepoint), and only then is the holder
    looked up to be named."""
    application.open_key = key
    try:
        with transaction.atomic():
            _CLAIM.run([key], [application.pk])
    except IntegrityError as exc:
        application.open_key = None
        holder = (
            Application.objects.filter(open_key=key)
            .exclude(pk=application.pk)
            .values_list("number", flat=True)
            .first()
        )
        raise DomainError(ApplicationError.ALREADY_OPEN, number=holder or "?") from exc


def check_can_apply(user: User) -> None:
    if user.level < AccountLevel.LEVEL_2:
        raise DomainError(ApplicationError.LEVEL_2_REQUIRED)
    if user.is_locked:
        raise DomainError(ApplicationError.ACCOUNT_LOCKED)


def require_applicant_side(actor: User, application: Application) -> None:
    """The applicant, or for a request taken at the counter an intake officer over its head office."""
    if actor.pk == application.applicant_id:
        check_can_apply(actor)
        return
    if application.channel == ApplicationChannel.IN_PERSON:
        require(actor, ApplicationPermission.INTAKE_APPLICATION, unit=application.head_office, obj=application)
        return
    deny(actor, application, ApplicationError.NOT_YOURS)


def deny(actor: User, obj: Any, error: ErrorCode) -> None:
    """Refuse and leave the refusal in the audit log, as ``core.access.require`` does (no transaction open)."""
    audit.record(
        KernelAction.ACCESS_DENIED,
        actor=actor if actor.is_authenticated else None,
        obj=obj,
        after={"reason": error.code},
    )
    raise DomainError(error)


def require_review(actor: User, application: Application) -> None:
    unit = stored_route(application.unit, application.unit_path).access_unit
    require(actor, ApplicationPermission.REVIEW_APPLICATION, unit=unit, obj=application)


def require_decide(actor: User, application: Application) -> None:
    """Review over the request's unit, and over the approving level's unit when configuration differs."""
    require_review(actor, application)
    approving: Route = approving_route(application.head_office)
    if approving.unit_path != application.unit_path:
        require(actor, ApplicationPermission.REVIEW_APPLICATION, unit=approving.access_unit, obj=application)


def can_review(user: User, application: Application) -> bool:
    scope = jurisdiction(user, ApplicationPermission.REVIEW_APPLICATION)
    return not scope.empty and scope.covers(stored_route(application.unit, application.unit_path).access_unit)


def rerun_checks(application: Application, *, actor: User | None, code_unissued: bool = False) -> list[Check]:
    """Run the checks, set ``in_registry`` and the time limit from ``received_at``; the caller saves.
    ``code_unissued``: the caller found, in this transaction, no organization holding the request's code."""
    found = checks_module.run_checks(application, code_unissued=code_unissued)
    application.in_registry = checks_module.in_registry(found)
    if application.received_at is not None:
        application.due_at = due_at(application.received_at, in_registry=application.in_registry)
    audit.record(
        ApplicationAction.APP_CHECKED,
        actor=actor,
        obj=application,
        after={"checks": checks_module.summary(found), "in_registry": application.in_registry},
    )
    return found


def notify(user: User | None, template: str, params: dict[str, str | int]) -> None:
    if user is None:
        return

    notify_user(user, template, params)


def emit_app(type: str, *, actor: User | None, application: Application, **payload: Any) -> None:
    """The request's domain event: the head office and category it names, the organization once there
    is one (decision 0020). The category is refined by the tax code the request names (a police unit's
    request is counted as the police's: decision 0043), the organization's when it names none."""
    events.emit(
        type,
        actor=actor,
        organization=application.organization,
        unit=application.head_office,
        category=str(application.category),
        tax_code=application.code or None,
        payload={"number": application.number, "kind": str(application.kind), **payload},
    )


def audit_app(action: Actions, *, actor: User | None, application: Application, **after: Any) -> None:
    audit.record(
        action,
        actor=actor,
        obj=application,
        after={"number": application.number, "status": str(application.status), **after},
    )
